/**
 * Every query printed in docs/sql.md, run as hss_reader (in a session whose time zone is not UTC)
 * on four days of synced simulator history, with its result asserted against expectations
 * computed from the simulator's answers, apart from the database.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/db/daily.js';
import { upsertRuleValues } from '../../src/db/rules/values.js';
import { currentValueOf } from '../../src/simulator/rule-gen.js';
import { ruleDetailOf } from '../../src/simulator/rules.js';
import { fixPeriods } from '../helpers/fixes.js';
import { bindPsqlVariables, intervalSeconds, parseSqlDoc, plainTypes } from '../helpers/sql-doc.js';
import {
  type ResultRow,
  resultKeyOf,
  runHistoryScenario,
  type Snapshot,
  type SyncWorld,
  scenarioStartOffset,
  startSyncWorld,
} from '../helpers/sync-world.js';
import { expectHoursWithinBounds, failing, groupBy, HOUR, rankOf, sum } from '../helpers/truth-math.js';

type Row = Record<string, unknown>;

/** The truth in force at the end of `day`: that of the last sync on or before it. */
function truthOnDay(snaps: Snapshot[], day: string): ResultRow[] {
  return snaps.filter((s) => s.day <= day).at(-1)?.truth ?? [];
}

/** The changes between consecutive snapshots, as image_baseline_changes should list them. */
function changesOf(
  snaps: Snapshot[],
  i: number,
): { key: string; row: ResultRow; change: string; prev?: ResultRow }[] {
  const prev = new Map((i === 0 ? [] : snaps[i - 1]!.truth).map((r) => [resultKeyOf(r), r]));
  const now = new Map(snaps[i]!.truth.map((r) => [resultKeyOf(r), r]));
  const out: { key: string; row: ResultRow; change: string; prev?: ResultRow }[] = [];
  for (const [key, row] of now) {
    const p = prev.get(key);
    if (!p) out.push({ key, row, change: 'appeared' });
    else if (JSON.stringify(p) !== JSON.stringify(row)) {
      const d =
        rankOf(row.severity) - rankOf(p.severity) || (row.failed_rule_num ?? -1) - (p.failed_rule_num ?? -1);
      out.push({ key, row, prev: p, change: d > 0 ? 'worsened' : d < 0 ? 'improved' : 'changed' });
    }
  }
  for (const [key, p] of prev) if (!now.has(key)) out.push({ key, row: p, prev: p, change: 'disappeared' });
  return out;
}

/**
 * An image failing at the second sync whose failures changed since, so its rules as of then
 * differ from its rules now (any image failing then, if none changed).
 */
function ruleImageOf(snaps: Snapshot[]): string {
  const now = new Map(snaps.at(-1)!.truth.map((r) => [resultKeyOf(r), r.failed_rule_num]));
  const failingThen = snaps[1]!.truth.filter((r) => (r.failed_rule_num ?? 0) > 0);
  const changed = failingThen.find((r) => now.get(resultKeyOf(r)) !== r.failed_rule_num);
  return (changed ?? failingThen[0]!).image_id;
}

describe('docs/sql.md', () => {
  let w: SyncWorld;
  let snaps: Snapshot[];
  let reader: pg.PoolClient;
  const blocks = parseSqlDoc();
  const queries = blocks.filter((b) => b.kind === 'query');
  let vars: Record<string, string>;
  let imageId: string;

  beforeAll(async () => {
    w = await startSyncWorld({
      imagesPerScope: 9,
      seed: 21,
      imageTypes: ['private_image', 'local_image'],
      enterpriseProjects: ['0', 'ep-2'],
      offsetMs: scenarioStartOffset(),
    });
    snaps = await runHistoryScenario(w);
    // An image whose values changed between the second and third sync.
    const changed = changesOf(snaps, 2).find((c) => c.change !== 'appeared' && c.change !== 'disappeared');
    imageId = changed!.row.image_id;
    vars = {
      at: new Date(snaps[1]!.finishedAt + HOUR).toISOString(),
      image_id: imageId,
      from: new Date(snaps[1]!.startedAt - 1000).toISOString(),
      to: new Date(snaps[3]!.startedAt - 1000).toISOString(),
      rule_image_id: ruleImageOf(snaps),
    };
    reader = await w.t.pool.connect();
    await reader.query(`set role hss_reader`);
    await reader.query(`set time zone 'Asia/Shanghai'`);
  });

  afterAll(async () => {
    reader?.release(true);
    await w?.close();
  });

  const run = async (name: string): Promise<Row[]> => {
    const block = queries.find((q) => q.name === name);
    if (!block) throw new Error(`docs/sql.md has no query ${name}`);
    const r = await reader.query({ text: bindPsqlVariables(block.sql, vars), types: plainTypes });
    return r.rows;
  };

  const days = () => {
    const out: string[] = [];
    for (let d = snaps[0]!.day; d <= snaps.at(-1)!.day; d = addDays(d, 1)) out.push(d);
    return out;
  };

  // One assertion per documented query; the first test checks the two lists agree.
  const checks: Record<string, () => Promise<void>> = {
    'trend-failed-items': async () => {
      const expected = days().flatMap((day) =>
        [...groupBy(truthOnDay(snaps, day), (r) => r.standard)]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([standard, rows]) => ({
            day,
            standard,
            failed_items: sum(rows, (r) => r.failed_rule_num),
            images_failing: rows.filter(failing).length,
          })),
      );
      expect(await run('trend-failed-items')).toEqual(expected);
    },
    'images-failing-per-day': async () => {
      const expected = days().map((day) => {
        const rows = truthOnDay(snaps, day);
        return {
          day,
          images: new Set(rows.map((r) => r.image_id)).size,
          images_failing: new Set(rows.filter(failing).map((r) => r.image_id)).size,
        };
      });
      expect(await run('images-failing-per-day')).toEqual(expected);
    },
    'worst-images-now': async () => {
      const last = snaps.at(-1)!;
      const images = [
        ...groupBy(last.truth, (r) => `${r.image_type}|${r.enterprise_project_id}|${r.image_id}`),
      ].map(([, rows]) => ({
        image_type: rows[0]!.image_type,
        enterprise_project_id: rows[0]!.enterprise_project_id,
        image_id: rows[0]!.image_id,
        worst_severity: [...rows].sort((a, b) => rankOf(b.severity) - rankOf(a.severity))[0]!.severity,
        baselines_failing: rows.filter(failing).length,
        failed_items: sum(rows, (r) => r.failed_rule_num),
        check_items: sum(rows, (r) => r.check_rule_num),
      }));
      images.sort(
        (a, b) =>
          rankOf(b.worst_severity) - rankOf(a.worst_severity) ||
          b.failed_items - a.failed_items ||
          (a.image_id < b.image_id ? -1 : 1),
      );
      const rows = await run('worst-images-now');
      expect(rows.map(({ image_names: _n, last_verified_at: _v, ...r }) => r)).toEqual(images.slice(0, 10));
      for (const r of rows) {
        const scope = {
          projectId: w.project,
          enterpriseProjectId: r.enterprise_project_id as string,
          imageType: r.image_type as 'private_image',
        };
        const names = w.sim.world
          .images(scope)
          .filter((i) => i.image_id === r.image_id)
          .map(
            (i) =>
              `${[i.namespace, i.image_name].filter(Boolean).join('/')}${i.image_version ? `:${i.image_version}` : ''}`,
          );
        expect((r.image_names as string).split(', ').sort()).toEqual([...new Set(names)].sort());
        const verified = (r.last_verified_at as Date).getTime();
        expect(verified).toBeGreaterThanOrEqual(snaps[0]!.startedAt);
        expect(verified).toBeLessThanOrEqual(snaps.at(-1)!.finishedAt);
      }
    },
    'coverage-and-data-age': async () => {
      const rows = await run('coverage-and-data-age');
      const scopes = [...w.sim.world.scopes()].sort((a, b) =>
        `${a.enterpriseProjectId}|${a.imageType}` < `${b.enterpriseProjectId}|${b.imageType}` ? -1 : 1,
      );
      expect(rows.map((r) => [r.enterprise_project_id, r.image_type])).toEqual(
        scopes.map((s) => [s.enterpriseProjectId, s.imageType]),
      );
      const now = Date.now();
      for (const [i, scope] of scopes.entries()) {
        const r = rows[i]!;
        const images = new Set(w.sim.world.images(scope).map((x) => x.image_id)).size;
        expect(r.images).toBe(images);
        expect(r.with_results).toBe(w.sim.world.groundTruth(scope).size);
        const states = [...coverageNow(scope).values()].map((c) => c.coverage);
        const n = (...of: string[]) => states.filter((x) => of.includes(x)).length;
        expect([r.covered, r.not_scanned, r.no_results, r.to_check]).toEqual([
          n('covered'),
          n('not_scanned', 'scan_failed'),
          n('no_results'),
          n('pending', 'inconsistent'),
        ]);
        // Some images were fetched by the first sync only: the oldest data is that old.
        expect(r.oldest_data_hours as number).toBeLessThanOrEqual((now - snaps[0]!.startedAt) / HOUR + 0.1);
        expect(r.oldest_data_hours as number).toBeGreaterThanOrEqual(
          (now - snaps[0]!.finishedAt) / HOUR - 0.1 - 1 / 60,
        );
      }
    },
    'scope-freshness': async () => {
      const rows = await run('scope-freshness');
      const last = snaps.at(-1)!;
      const scopes = [...w.sim.world.scopes()].sort((a, b) =>
        `${a.enterpriseProjectId}|${a.imageType}` < `${b.enterpriseProjectId}|${b.imageType}` ? -1 : 1,
      );
      expect(
        rows.map(({ last_complete_inventory_at: c, last_success_at: s, ...r }) => ({
          ...r,
          fresh: [c, s].every(
            (t) => (t as Date).getTime() >= last.startedAt && (t as Date).getTime() <= last.finishedAt,
          ),
        })),
      ).toEqual(
        scopes.map((s) => ({
          target: w.app.config.targets[0]!.name,
          enterprise_project_id: s.enterpriseProjectId,
          image_type: s.imageType,
          images_listed: w.sim.world.images(s).length,
          last_status: 'succeeded',
          images_pending: 0,
          last_error: null,
          fresh: true,
        })),
      );
    },
    'recent-runs': async () => {
      const rows = await run('recent-runs');
      expect(
        rows.map((r) => [(r.started_at as Date).getTime(), r.status, r.images_fetched, r.images_retired]),
      ).toEqual(
        [...snaps].reverse().map((s) => [s.startedAt, 'succeeded', s.imagesFetched, s.imagesRetired]),
      );
      expect(snaps.map((s) => s.imagesRetired)).toEqual([0, 0, 1, 0]);
      for (const [i, s] of [...snaps].reverse().entries()) {
        expect(intervalSeconds(rows[i]!.duration as string)).toBeCloseTo(
          (s.finishedAt - s.startedAt) / 1000,
          2,
        );
      }
    },
    'posture-as-of': async () => {
      const truth = snaps[1]!.truth;
      const expected = [...groupBy(truth, (r) => r.severity ?? '')]
        .sort(([a], [b]) => rankOf(a) - rankOf(b))
        .map(([severity, rows]) => ({
          severity,
          results: rows.length,
          images: new Set(rows.map((r) => r.image_id)).size,
          failed_items: sum(rows, (r) => r.failed_rule_num),
        }));
      expect(await run('posture-as-of')).toEqual(expected);
    },
    'scan-time-as-of': async () => {
      const rows = await run('scan-time-as-of');
      const expected = snaps[1]!.truth
        .filter((r) => r.image_id === imageId)
        .map((r) => [r.check_name, r.check_type, r.standard, r.failed_rule_num]);
      expect(rows.map((r) => [r.check_name, r.check_type, r.standard, r.failed_rule_num])).toEqual(expected);
      // HSS scanned the image before the sync saw the values, through the summaries API.
      for (const r of rows) {
        expect(r.source_api).toBe('ListImageRiskConfigs');
        expect((r.scanned_at as Date).getTime()).toBeLessThanOrEqual((r.valid_from as Date).getTime());
      }
    },
    'image-as-of': async () => {
      const at = Date.parse(vars.at!);
      const rows = await run('image-as-of');
      const expected = snaps[1]!.truth
        .filter((r) => r.image_id === imageId)
        .map((r) => ({
          check_name: r.check_name,
          check_type: r.check_type,
          standard: r.standard,
          severity: r.severity,
          failed_rule_num: r.failed_rule_num,
          check_rule_num: r.check_rule_num,
        }));
      expect(rows.map(({ valid_from: _f, valid_to: _t, ...r }) => r)).toEqual(expected);
      for (const r of rows) expect((r.valid_from as Date).getTime()).toBeLessThanOrEqual(at);
      // At least one of them changed in the third sync: its version ended then.
      const ended = rows.filter((r) => r.valid_to !== null).map((r) => (r.valid_to as Date).getTime());
      expect(ended.length).toBeGreaterThan(0);
      for (const t of ended) {
        expect(t).toBeGreaterThanOrEqual(snaps[2]!.startedAt);
        expect(t).toBeLessThanOrEqual(snaps[2]!.finishedAt);
      }
    },
    'image-changes': async () => {
      const expected = snaps.flatMap((_s, i) =>
        changesOf(snaps, i)
          .filter((c) => c.row.image_id === imageId)
          .sort((a, b) =>
            `${a.row.check_name}|${a.row.standard}` < `${b.row.check_name}|${b.row.standard}` ? -1 : 1,
          )
          .map((c) => ({
            sync: i,
            check_name: c.row.check_name,
            standard: c.row.standard,
            change: c.change,
            severity_before: c.prev?.severity ?? null,
            severity_after: c.change === 'disappeared' ? null : c.row.severity,
            failed_before: c.prev?.failed_rule_num ?? null,
            failed_after: c.change === 'disappeared' ? null : c.row.failed_rule_num,
            fixed:
              c.change !== 'appeared' && c.change !== 'disappeared' && failing(c.prev!) && !failing(c.row),
            regressed:
              c.change !== 'appeared' && c.change !== 'disappeared' && !failing(c.prev!) && failing(c.row),
          })),
      );
      const rows = await run('image-changes');
      const syncOf = (t: number) => snaps.findIndex((s) => t >= s.startedAt && t <= s.finishedAt);
      expect(
        rows.map(({ changed_at, ...r }) => ({ sync: syncOf((changed_at as Date).getTime()), ...r })),
      ).toEqual(expected);
      expect(expected.some((e) => e.sync === 2)).toBe(true);
    },
    'time-to-fix': async () => {
      const fixed = fixPeriods(snaps).filter((p) => p.status === 'fixed');
      expect(fixed.length).toBeGreaterThan(0);
      const groups = [...groupBy(fixed, (p) => p.row.severity ?? '')].sort(
        ([a], [b]) => rankOf(b) - rankOf(a),
      );
      const rows = await run('time-to-fix');
      expect(rows.map((r) => [r.severity, r.fixed])).toEqual(groups.map(([sev, g]) => [sev, g.length]));
      expectHoursWithinBounds(rows, groups, [
        ['median_hours', 0.5],
        ['p90_hours', 0.9],
        ['longest_hours', 1],
      ] as const);
    },
    'still-failing': async () => {
      const open = fixPeriods(snaps)
        .filter((p) => p.status === 'failing')
        .sort((a, b) => rankOf(b.row.severity) - rankOf(a.row.severity) || a.start - b.start);
      expect(open.length).toBeGreaterThan(0);
      const syncOf = (t: number) => snaps.findIndex((s) => t >= s.startedAt && t <= s.finishedAt);
      const describe = (p: { row: ResultRow; start: number }) =>
        [
          p.row.image_type,
          p.row.enterprise_project_id,
          p.row.image_id,
          p.row.check_name,
          p.row.standard,
          p.row.severity,
          p.row.failed_rule_num,
          p.start,
        ].join('|');
      const rows = (await run('still-failing')).map((r) =>
        describe({ row: r as unknown as ResultRow, start: syncOf((r.failed_since as Date).getTime()) }),
      );
      // Ties (same severity, same sync) are ordered by their exact instant: compare the order of
      // (severity, sync) and the set of rows.
      const head = open.slice(0, 20);
      const order = (d: string) => {
        const f = d.split('|');
        return `${f[5]}|${f[7]}`;
      };
      expect(rows.map(order)).toEqual(head.map((p) => order(describe(p))));
      const all = new Set(open.map(describe));
      for (const r of rows) expect([r, all.has(r)]).toEqual([r, true]);
    },
    'scope-coverage': async () => {
      const rows = await run('scope-coverage');
      const scopes = [...w.sim.world.scopes()].sort((a, b) =>
        `${a.enterpriseProjectId}|${a.imageType}` < `${b.enterpriseProjectId}|${b.imageType}` ? -1 : 1,
      );
      expect(rows.map((r) => [r.enterprise_project_id, r.image_type])).toEqual(
        scopes.map((s) => [s.enterpriseProjectId, s.imageType]),
      );
      for (const [i, scope] of scopes.entries()) {
        const r = rows[i]!;
        const listed = w.sim.world.images(scope);
        const truth = w.sim.world.groundTruth(scope);
        const present = new Set(listed.map((x) => x.image_id)).size;
        const scanFailed = new Set(
          listed.filter((x) => x.scan_status === 'failed' && !truth.has(x.image_id)).map((x) => x.image_id),
        ).size;
        expect(r).toEqual({
          target: w.app.config.targets[0]!.name,
          enterprise_project_id: scope.enterpriseProjectId,
          image_type: scope.imageType,
          images_present: present,
          images_covered: truth.size,
          images_not_scanned: r.images_not_scanned,
          images_scan_failed: scanFailed,
          images_no_results: present - truth.size - scanFailed - (r.images_not_scanned as number),
          images_not_fetched: 0,
          rule_images_pending: 0,
        });
      }
    },
    'observed-days': async () => {
      const scopes = [...w.sim.world.scopes()]
        .map((s) => ({ ep: s.enterpriseProjectId, type: s.imageType, scope: s }))
        .sort((a, b) => (`${a.ep}|${a.type}` < `${b.ep}|${b.type}` ? -1 : 1));
      // Every day of the scenario had a sync of every scope.
      const expected = days().flatMap((day) =>
        scopes.map(({ ep, type }) => ({
          day,
          enterprise_project_id: ep,
          image_type: type,
          observed: true,
          failed_items: sum(
            truthOnDay(snaps, day).filter((r) => r.enterprise_project_id === ep && r.image_type === type),
            (r) => r.failed_rule_num,
          ),
        })),
      );
      expect(await run('observed-days')).toEqual(expected);
    },
    'changes-in-period': async () => {
      const events = [1, 2].flatMap((i) => changesOf(snaps, i));
      const expected = [...groupBy(events, (e) => e.change)]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([change, es]) => ({
          change,
          results: es.length,
          images: new Set(es.map((e) => e.row.image_id)).size,
        }));
      expect(expected.map((e) => e.change)).toContain('disappeared');
      expect(await run('changes-in-period')).toEqual(expected);
    },
    'image-failed-rules': async () => {
      const expected = failedRulesNow()
        .filter((r) => r.image_id === imageId)
        .map(({ image_id: _i, ...r }) => r);
      expect(expected.length).toBeGreaterThan(0);
      const rows = await run('image-failed-rules');
      const key = (r: Row) =>
        [r.enterprise_project_id, r.image_type, r.check_name, r.check_type, r.standard, r.check_rule_id].join(
          '|',
        );
      expect(
        rows
          .map((r) => ({ key: key(r), name: r.check_rule_name, severity: r.severity }))
          .sort((a, b) => (a.key < b.key ? -1 : 1)),
      ).toEqual(
        expected
          .map((r) => ({ key: key(r), name: r.check_rule_name, severity: r.severity }))
          .sort((a, b) => (a.key < b.key ? -1 : 1)),
      );
      for (const r of rows) {
        expect(r.remediation).toBe(
          `Set ${r.check_rule_name} to its recommended value and rebuild the image.`,
        );
        expect((r.failing_since as Date).getTime()).toBeGreaterThanOrEqual(snaps[0]!.startedAt);
      }
    },
    'rules-failing-most': async () => {
      const counts = [
        ...groupBy(failedRulesNow(), (r) =>
          [r.check_name, r.check_type, r.standard, r.check_rule_id].join('|'),
        ),
      ].map(([k, rs]) => ({ k, n: rs.length }));
      const top = counts.map((c) => c.n).sort((a, b) => b - a);
      const rows = await run('rules-failing-most');
      expect(rows.map((r) => r.images_failing)).toEqual(top.slice(0, 10));
      const byKey = new Map(counts.map((c) => [c.k, c.n]));
      for (const r of rows) {
        expect(r.images_failing).toBe(
          byKey.get([r.check_name, r.check_type, r.standard, r.check_rule_id].join('|')),
        );
        expect(r.remediation).toBe(
          `Set ${r.check_rule_name} to its recommended value and rebuild the image.`,
        );
      }
    },
    'coverage-per-scope': async () => {
      const expected: Row[] = [];
      for (const scope of w.sim.world.scopes()) {
        const counts = groupBy([...coverageNow(scope).values()], (c) => c.coverage);
        for (const [coverage, cs] of counts)
          expected.push({
            project_id: w.project,
            enterprise_project_id: scope.enterpriseProjectId,
            image_type: scope.imageType,
            coverage,
            images: cs.length,
          });
      }
      const key = (r: Row) => [r.project_id, r.enterprise_project_id, r.image_type, r.coverage].join('|');
      expected.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      expect(new Set(expected.map((r) => r.coverage))).toContain('not_scanned');
      expect(await run('coverage-per-scope')).toEqual(expected);
    },
    'clean-but-never-scanned': async () => {
      const expected: Row[] = [];
      for (const scope of w.sim.world.scopes()) {
        for (const [id, c] of coverageNow(scope)) {
          const l = c.listing;
          if (c.failedItems !== 0 || (l.latest_scan_time !== null && l.latest_scan_time !== 0)) continue;
          expected.push({
            project_id: w.project,
            enterprise_project_id: scope.enterpriseProjectId,
            image_type: scope.imageType,
            image_id: id,
            coverage: c.coverage,
            scan_status: l.scan_status,
            non_scan_reason: l.non_scan_reason ?? null,
            scan_failed_desc: l.scan_failed_desc ?? null,
            scan_failed_code: l.scan_failed_code ?? null,
          });
        }
      }
      const key = (r: Row) => [r.project_id, r.enterprise_project_id, r.image_type, r.image_id].join('|');
      expected.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      expect(expected.length).toBeGreaterThan(0);
      const rows = await run('clean-but-never-scanned');
      expect(rows.map(({ last_listed_at: _l, ...r }) => r)).toEqual(expected);
      for (const r of rows)
        expect((r.last_listed_at as Date).getTime()).toBeGreaterThanOrEqual(snaps.at(-1)!.startedAt);
    },
    'image-rule-values': async () => {
      // The syncs stored every failed rule's values as the simulator's ShowImageCheckRuleDetail
      // answers them for this image. Those of all rules but the last are replaced here
      // through the worker's own upsert (two check items for the first rule); the last keeps the
      // values the sync stored.
      const failed = failedRulesNow().filter((r) => r.image_id === vars.rule_image_id);
      expect(failed.length).toBeGreaterThan(1);
      const key = (r: Row) => [r.check_name, r.standard, r.check_rule_id].join('|');
      failed.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      const at = new Date(snaps.at(-1)!.finishedAt + 1000);
      const items = failed.slice(0, -1).map((r, i) => ({
        scope: {
          target: w.app.config.targets[0]!.name,
          projectId: w.project,
          enterpriseProjectId: r.enterprise_project_id as string,
          imageType: r.image_type as 'private_image',
        },
        imageId: r.image_id as string,
        key: {
          checkName: r.check_name as string,
          checkType: r.check_type as string,
          standard: r.standard as string,
          checkRuleId: r.check_rule_id as string,
        },
        checkInfoList: Array.from({ length: i === 0 ? 2 : 1 }, (_, j) => ({
          checkDescription: `item ${j}`,
          currentValue: `value ${i}.${j}`,
          suggestValue: 'recommended',
        })),
      }));
      await upsertRuleValues(w.t.handle, '00000000-0000-4000-8000-0000000000aa', at, items);
      const last = failed.at(-1)!;
      const lastKey = {
        checkName: last.check_name as string,
        checkType: last.check_type as string,
        standard: last.standard as string,
        checkRuleId: last.check_rule_id as string,
      };
      const stored = await w.t.pool.query<{ fetched_at: Date }>(
        `select fetched_at from hss.image_rule_values where image_id = $1 and check_name = $2
            and check_type = $3 and standard = $4 and check_rule_id = $5`,
        [last.image_id, lastKey.checkName, lastKey.checkType, lastKey.standard, lastKey.checkRuleId],
      );
      expect(stored.rows).toHaveLength(1);
      // Fetched by one of the syncs.
      const syncedAt = stored.rows[0]!.fetched_at;
      expect(syncedAt.getTime()).toBeGreaterThanOrEqual(snaps[0]!.startedAt);
      expect(syncedAt.getTime()).toBeLessThanOrEqual(snaps.at(-1)!.finishedAt);
      const synced = ruleDetailOf(
        lastKey.checkName,
        lastKey.checkType,
        lastKey.standard,
        lastKey.checkRuleId,
      ).checkInfoList.map((c) => ({
        checkDescription: c.checkDescription,
        currentValue: currentValueOf(last.image_id as string, lastKey, true),
        suggestValue: c.suggestValue,
      }));
      expect(synced).toHaveLength(1);
      const expected: Row[] = [];
      for (const [i, r] of failed.entries()) {
        const base = {
          check_name: r.check_name,
          standard: r.standard,
          check_rule_id: r.check_rule_id,
          severity: r.severity,
        };
        const values = items[i]?.checkInfoList ?? synced;
        for (const v of values)
          expected.push({
            ...base,
            item: v.checkDescription,
            current_value: v.currentValue,
            suggest_value: v.suggestValue,
            fetched_at: i < items.length ? at : syncedAt,
          });
      }
      // Sorted here as well: the page orders by the database's collation.
      const order = (xs: Row[]) =>
        [...xs].sort((a, b) => (`${key(a)}|${a.item}` < `${key(b)}|${b.item}` ? -1 : 1));
      expect(order(await run('image-rule-values'))).toEqual(order(expected));
    },
    'image-rules-as-of': async () => {
      // At that instant the second sync's summaries were current, and its rules with them.
      const expected = snaps[1]!.truth
        .filter((r) => r.image_id === vars.rule_image_id && (r.failed_rule_num ?? 0) > 0)
        .map((r) => ({
          enterprise_project_id: r.enterprise_project_id,
          image_type: r.image_type,
          check_name: r.check_name,
          check_type: r.check_type,
          standard: r.standard,
          failed_rules: r.failed_rule_num,
        }));
      expect(expected.length).toBeGreaterThan(0);
      const rows = await run('image-rules-as-of');
      const key = (r: Row) =>
        [r.enterprise_project_id, r.image_type, r.check_name, r.check_type, r.standard].join('|');
      const sorted = (xs: Row[]) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : 1));
      expect(sorted(rows)).toEqual(sorted(expected));
    },
  };

  /**
   * The coverage of every content the simulator lists now in `scope` (docs/sql.md, "Coverage"),
   * from its listing and results: a complete sync leaves nothing pending. Tags of a content share
   * its scan facts in the simulator.
   */
  function coverageNow(scope: ReturnType<SyncWorld['sim']['world']['scopes']>[number]) {
    const truth = w.sim.world.groundTruth(scope);
    const out = new Map<string, { coverage: string; failedItems: number; listing: Row }>();
    for (const l of w.sim.world.images(scope)) {
      if (out.has(l.image_id)) continue;
      const rows = truth.get(l.image_id) ?? [];
      const failedItems = rows.reduce((a, r) => a + (r.failedRuleNum ?? 0), 0);
      const failing = rows.some((r) => (r.failedRuleNum ?? 0) > 0);
      const scanned = l.latest_scan_time !== null && l.latest_scan_time !== 0;
      const coverage =
        l.scan_status === 'failed'
          ? 'scan_failed'
          : ['unscan', 'waiting_for_scan', 'scanning'].includes(l.scan_status) || !scanned
            ? 'not_scanned'
            : rows.length === 0
              ? 'no_results'
              : (l.unsafe_setting_num > 0 && !failing) || (l.unsafe_setting_num === 0 && failing)
                ? 'inconsistent'
                : 'covered';
      out.set(l.image_id, { coverage, failedItems, listing: l as unknown as Row });
    }
    return out;
  }

  /** Every failed rule of every image the simulator holds now, as the view names its columns. */
  function failedRulesNow(): Row[] {
    const out: Row[] = [];
    for (const scope of w.sim.world.scopes()) {
      for (const [id, rules] of w.sim.world.ruleTruth(scope)) {
        for (const r of rules) {
          if (r.scanResult !== 'failed') continue;
          out.push({
            enterprise_project_id: scope.enterpriseProjectId,
            image_type: scope.imageType,
            image_id: id,
            check_name: r.checkName,
            check_type: r.checkType,
            standard: r.standard,
            check_rule_id: r.checkRuleId,
            check_rule_name: r.checkRuleName,
            severity: r.severity,
          });
        }
      }
    }
    return out;
  }

  it('every query on the page has an assertion here, and every assertion a query', () => {
    expect(queries.map((q) => q.name).sort()).toEqual(Object.keys(checks).sort());
    expect(blocks.filter((b) => b.kind === 'recipe').map((b) => b.name)).toEqual(['least-privilege']);
  });

  for (const name of Object.keys(checks)) {
    it(`query ${name}`, async () => {
      await checks[name]!();
    });
  }
});
