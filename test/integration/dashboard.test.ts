/**
 * The Grafana dashboard and its provisioning: every panel's SQL and every variable query run as
 * hss_reader on four days of synced simulator history, Grafana's macros replaced by the plain
 * SQL Grafana generates, each result asserted against expectations computed from the simulator.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { addDays } from '../../src/db/daily.js';
import { fixPeriods } from '../helpers/fixes.js';
import { intervalSeconds, plainTypes } from '../helpers/sql-doc.js';
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

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

interface Target {
  refId: string;
  rawSql: string;
  format: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  title: string;
  type: string;
  datasource: { type: string; uid: string };
  targets: Target[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query: string; datasource: { uid: string }; multi: boolean }[] };
}

const dashboard = JSON.parse(
  readFileSync(root('deploy/grafana/dashboards/hss-baselines.json'), 'utf8'),
) as Dashboard;
const datasources = parseYaml(
  readFileSync(root('deploy/grafana/provisioning/datasources/hss.yaml'), 'utf8'),
) as {
  datasources: {
    uid: string;
    type: string;
    url: string;
    user: string;
    jsonData: { database: string };
    secureJsonData: { password: string };
  }[];
};
const providers = parseYaml(
  readFileSync(root('deploy/grafana/provisioning/dashboards/hss.yaml'), 'utf8'),
) as {
  providers: { type: string; options: { path: string } }[];
};

type Row = Record<string, unknown>;

/**
 * Grafana's PostgreSQL macros as Grafana expands them, and the dashboard variables as a
 * multi-value selection (quoted, comma separated). Any other macro fails the test.
 */
function expand(sql: string, range: { from: Date; to: Date }, vars: Record<string, string[]>): string {
  const iso = (d: Date) => `'${d.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
  let out = sql
    .replace(
      /\$__timeFilter\(([^)]+)\)/g,
      (_, col: string) => `${col.trim()} BETWEEN ${iso(range.from)} AND ${iso(range.to)}`,
    )
    .replace(/\$__timeFrom\(\)/g, iso(range.from))
    .replace(/\$__timeTo\(\)/g, iso(range.to));
  for (const [name, values] of Object.entries(vars)) {
    out = out.replaceAll(`$${name}`, values.map((v) => `'${v.replaceAll("'", "''")}'`).join(','));
  }
  if (/\$__|\$[a-z_]+/i.test(out)) throw new Error(`unexpanded macro or variable in: ${out}`);
  return out;
}

const sorted = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const midnight = (day: string) => new Date(`${day}T00:00:00Z`);

function eventsOf(snaps: Snapshot[], i: number): { row: ResultRow; change: string }[] {
  const prev = new Map((i === 0 ? [] : snaps[i - 1]!.truth).map((r) => [resultKeyOf(r), r]));
  const now = new Map(snaps[i]!.truth.map((r) => [resultKeyOf(r), r]));
  const out: { row: ResultRow; change: string }[] = [];
  for (const [key, row] of now) {
    const p = prev.get(key);
    if (!p) out.push({ row, change: 'appeared' });
    else if (JSON.stringify(p) !== JSON.stringify(row)) {
      const d =
        rankOf(row.severity) - rankOf(p.severity) || (row.failed_rule_num ?? -1) - (p.failed_rule_num ?? -1);
      out.push({ row, change: d > 0 ? 'worsened' : d < 0 ? 'improved' : 'changed' });
    }
  }
  for (const [key, p] of prev) if (!now.has(key)) out.push({ row: p, change: 'disappeared' });
  return out;
}

describe('the Grafana dashboard', () => {
  let w: SyncWorld;
  let snaps: Snapshot[];
  let reader: pg.PoolClient;
  let range: { from: Date; to: Date };
  let all: Record<string, string[]>;

  beforeAll(async () => {
    w = await startSyncWorld({
      imagesPerScope: 8,
      seed: 33,
      imageTypes: ['private_image', 'local_image'],
      enterpriseProjects: ['0', 'ep-2'],
      offsetMs: scenarioStartOffset(),
    });
    snaps = await runHistoryScenario(w);
    range = { from: new Date(snaps[0]!.startedAt - 2 * 86_400_000), to: new Date(Date.now() + 60_000) };
    all = { enterprise_project: ['0', 'ep-2'], image_type: ['local_image', 'private_image'] };
    reader = await w.t.pool.connect();
    await reader.query('set role hss_reader');
    await reader.query(`set time zone 'America/Los_Angeles'`);
  });

  afterAll(async () => {
    reader?.release(true);
    await w?.close();
  });

  const panel = (title: string) => {
    const p = dashboard.panels.find((x) => x.title === title);
    if (!p) throw new Error(`no panel ${title}`);
    return p;
  };
  const run = async (title: string, vars = all): Promise<Row[]> => {
    const [target] = panel(title).targets;
    const r = await reader.query({ text: expand(target!.rawSql, range, vars), types: plainTypes });
    return r.rows;
  };
  const last = () => snaps.at(-1)!;
  const inScopes = (rows: ResultRow[], vars: Record<string, string[]>) =>
    rows.filter(
      (r) =>
        vars.enterprise_project!.includes(r.enterprise_project_id) && vars.image_type!.includes(r.image_type),
    );
  const days = () => {
    const out: string[] = [];
    for (let d = snaps[0]!.day; d <= last().day; d = addDays(d, 1)) out.push(d);
    return out;
  };
  const truthOnDay = (day: string) => snaps.filter((s) => s.day <= day).at(-1)!.truth;
  const sortedScopes = () =>
    [...w.sim.world.scopes()].sort((a, b) =>
      `${a.enterpriseProjectId}|${a.imageType}` < `${b.enterpriseProjectId}|${b.imageType}` ? -1 : 1,
    );

  /**
   * The coverage state of every content the simulator lists in `s` (docs/sql.md, "Coverage"),
   * from its listing and results; a complete sync leaves none pending. Tags share scan facts.
   */
  const coverageOf = (s: ReturnType<SyncWorld['sim']['world']['scopes']>[number]) => {
    const truth = w.sim.world.groundTruth(s);
    const out = new Map<string, { coverage: string; hasResults: boolean }>();
    for (const l of w.sim.world.images(s)) {
      if (out.has(l.image_id)) continue;
      const rows = truth.get(l.image_id) ?? [];
      const failingNow = rows.some((r) => (r.failedRuleNum ?? 0) > 0);
      const coverage =
        l.scan_status === 'failed'
          ? 'scan_failed'
          : ['unscan', 'waiting_for_scan', 'scanning'].includes(l.scan_status) || !l.latest_scan_time
            ? 'not_scanned'
            : rows.length === 0
              ? 'no_results'
              : l.unsafe_setting_num > 0 !== failingNow
                ? 'inconsistent'
                : 'covered';
      out.set(l.image_id, { coverage, hasResults: rows.length > 0 });
    }
    return out;
  };

  const checks: Record<string, () => Promise<void>> = {
    'Failed check items now': async () => {
      expect(await run('Failed check items now')).toEqual([
        { failed_items: sum(last().truth, (r) => r.failed_rule_num) },
      ]);
      const only0 = { ...all, enterprise_project: ['0'] };
      expect(await run('Failed check items now', only0)).toEqual([
        { failed_items: sum(inScopes(last().truth, only0), (r) => r.failed_rule_num) },
      ]);
    },
    'Images failing now': async () => {
      expect(await run('Images failing now')).toEqual([
        {
          images_failing: new Set(
            last()
              .truth.filter(failing)
              .map((r) => `${r.image_type}|${r.enterprise_project_id}|${r.image_id}`),
          ).size,
          images_with_results: new Set(
            last().truth.map((r) => `${r.image_type}|${r.enterprise_project_id}|${r.image_id}`),
          ).size,
        },
      ]);
    },
    'Images without results': async () => {
      const [row] = await run('Images without results');
      const listed = w.sim.world
        .scopes()
        .reduce((n, s) => n + new Set(w.sim.world.images(s).map((i) => i.image_id)).size, 0);
      const withResults = w.sim.world.scopes().reduce((n, s) => n + w.sim.world.groundTruth(s).size, 0);
      expect(row!.pending).toBe(0);
      expect((row!.not_scanned as number) + (row!.no_results as number)).toBe(listed - withResults);
      const notScanned = w.sim.world
        .scopes()
        .flatMap((s) => [...coverageOf(s).values()])
        .filter((c) => c.coverage === 'not_scanned' || c.coverage === 'scan_failed');
      expect(row!.not_scanned).toBe(notScanned.filter((c) => !c.hasResults).length);
    },
    'Oldest data (hours)': async () => {
      const [row] = await run('Oldest data (hours)');
      const now = Date.now();
      expect(row!.oldest_data_hours as number).toBeLessThanOrEqual((now - snaps[0]!.startedAt) / HOUR + 0.1);
      expect(row!.oldest_data_hours as number).toBeGreaterThanOrEqual(
        (now - snaps[0]!.finishedAt) / HOUR - 0.2,
      );
    },
    'Failed check items per day, by standard': async () => {
      const expected = days().flatMap((day) =>
        sorted(groupBy(truthOnDay(day), (r) => r.standard)).map(([standard, rows]) => ({
          time: midnight(day),
          metric: standard,
          value: sum(rows, (r) => r.failed_rule_num),
        })),
      );
      expect(await run('Failed check items per day, by standard')).toEqual(expected);
    },
    'Results per day, by severity': async () => {
      const expected = days().flatMap((day) =>
        sorted(groupBy(truthOnDay(day), (r) => r.severity ?? '')).map(([severity, rows]) => ({
          time: midnight(day),
          metric: severity,
          value: rows.length,
        })),
      );
      expect(await run('Results per day, by severity')).toEqual(expected);
    },
    'Changes per day': async () => {
      const events = snaps.flatMap((s, i) => eventsOf(snaps, i).map((e) => ({ ...e, day: s.day })));
      const expected = sorted(
        groupBy(
          events.filter((e) => e.change !== 'changed'),
          (e) => `${e.day}|${e.change}`,
        ),
      ).map(([k, es]) => ({ time: midnight(k.split('|')[0]!), metric: es[0]!.change, value: es.length }));
      expect(expected.map((e) => e.metric)).toEqual(expect.arrayContaining(['appeared', 'disappeared']));
      expect(await run('Changes per day')).toEqual(expected);
    },
    'Coverage and data age by scope': async () => {
      const rows = await run('Coverage and data age by scope');
      expect(rows.map(({ oldest_data_hours: _h, ...r }) => r)).toEqual(
        sortedScopes().map((s) => {
          const images = new Set(w.sim.world.images(s).map((i) => i.image_id)).size;
          const withResults = w.sim.world.groundTruth(s).size;
          return {
            enterprise_project_id: s.enterpriseProjectId,
            image_type: s.imageType,
            images,
            with_results: withResults,
            pending: 0,
            without_results: images - withResults,
          };
        }),
      );
    },
    'Worst images now': async () => {
      const images = [
        ...groupBy(last().truth, (r) => `${r.image_type}|${r.enterprise_project_id}|${r.image_id}`).values(),
      ]
        .map((rows) => ({
          image_type: rows[0]!.image_type,
          enterprise_project_id: rows[0]!.enterprise_project_id,
          image_id: rows[0]!.image_id,
          worst_severity: [...rows].sort((a, b) => rankOf(b.severity) - rankOf(a.severity))[0]!.severity,
          baselines_failing: rows.filter(failing).length,
          failed_items: sum(rows, (r) => r.failed_rule_num),
          check_items: sum(rows, (r) => r.check_rule_num),
        }))
        .sort(
          (a, b) =>
            rankOf(b.worst_severity) - rankOf(a.worst_severity) ||
            b.failed_items - a.failed_items ||
            (a.image_id < b.image_id ? -1 : 1),
        );
      const rows = await run('Worst images now');
      expect(rows.map(({ image_names: _n, last_verified_at: _v, ...r }) => r)).toEqual(images.slice(0, 50));
      expect(
        rows.every((r) => typeof r.image_names === 'string' && (r.image_names as string).length > 0),
      ).toBe(true);
    },
    'Changes in the time range': async () => {
      const events = snaps.flatMap((_, i) => eventsOf(snaps, i));
      const key = (r: Row) => `${r.image_id}|${r.check_name}|${r.standard}|${r.change}`;
      const rows = await run('Changes in the time range');
      expect(rows.map(key).sort()).toEqual(
        events.map((e) => key({ ...e.row, change: e.change } as unknown as Row)).sort(),
      );
      const times = rows.map((r) => (r.time as Date).getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
      // A range that starts after the third sync shows only the fourth sync's changes.
      const saved = range;
      range = { from: new Date(snaps[3]!.startedAt - 1000), to: saved.to };
      try {
        const later = await run('Changes in the time range');
        expect(later.map(key).sort()).toEqual(
          eventsOf(snaps, 3)
            .map((e) => key({ ...e.row, change: e.change } as unknown as Row))
            .sort(),
        );
      } finally {
        range = saved;
      }
    },
    Scopes: async () => {
      const rows = await run('Scopes');
      expect(
        rows.map((r) => [
          r.enterprise_project_id,
          r.image_type,
          r.images_listed,
          r.last_status,
          r.images_pending,
          r.last_error,
        ]),
      ).toEqual(
        sortedScopes().map((s) => [
          s.enterpriseProjectId,
          s.imageType,
          w.sim.world.images(s).length,
          'succeeded',
          0,
          null,
        ]),
      );
      for (const r of rows)
        expect((r.last_success_at as Date).getTime()).toBeGreaterThanOrEqual(last().startedAt);
    },
    'Sync runs': async () => {
      const rows = await run('Sync runs');
      expect(
        rows.map((r) => [(r.time as Date).getTime(), r.status, r.images_fetched, r.images_retired]),
      ).toEqual(
        [...snaps].reverse().map((s) => [s.startedAt, 'succeeded', s.imagesFetched, s.imagesRetired]),
      );
      for (const r of rows) expect(intervalSeconds(r.duration as string)).toBeGreaterThan(0);
    },
    'Failing rules and their remediation': async () => {
      const failed = w.sim.world
        .scopes()
        .flatMap((scope) =>
          [...w.sim.world.ruleTruth(scope)].flatMap(([, rules]) =>
            rules.filter((r) => r.scanResult === 'failed'),
          ),
        );
      const byRule = groupBy(failed, (r) => [r.checkName, r.checkType, r.standard, r.checkRuleId].join('|'));
      const rows = await run('Failing rules and their remediation');
      expect(rows.map((r) => r.images_failing)).toEqual(
        [...byRule.values()]
          .map((g) => g.length)
          .sort((a, b) => b - a)
          .slice(0, 50),
      );
      for (const r of rows) {
        const g = byRule.get([r.check_name, r.check_type, r.standard, r.check_rule_id].join('|'))!;
        const worst = [...g].sort((a, b) => rankOf(b.severity) - rankOf(a.severity))[0]!;
        expect([r.images_failing, r.rule, r.severity, r.severity_rank]).toEqual([
          g.length,
          worst.checkRuleName,
          worst.severity,
          rankOf(worst.severity),
        ]);
        expect(r.remediation).toBe(`Set ${r.rule} to its recommended value and rebuild the image.`);
      }
      const only0 = { ...all, enterprise_project: ['0'] };
      const fewer = await run('Failing rules and their remediation', only0);
      expect(fewer.reduce((n, r) => n + (r.images_failing as number), 0)).toBeLessThan(
        rows.reduce((n, r) => n + (r.images_failing as number), 0),
      );
    },
    'Coverage states by scope': async () => {
      const rows = await run('Coverage states by scope');
      expect(rows).toEqual(
        sortedScopes().map((s) => {
          const listed = w.sim.world.images(s);
          const truth = w.sim.world.groundTruth(s);
          const present = new Set(listed.map((i) => i.image_id));
          const scanFailed = new Set(
            listed.filter((i) => i.scan_status === 'failed' && !truth.has(i.image_id)).map((i) => i.image_id),
          );
          const without = present.size - truth.size - scanFailed.size;
          const notScanned = rows.find(
            (r) => r.enterprise_project_id === s.enterpriseProjectId && r.image_type === s.imageType,
          )!.images_not_scanned as number;
          return {
            enterprise_project_id: s.enterpriseProjectId,
            image_type: s.imageType,
            images_present: present.size,
            images_covered: truth.size,
            images_not_scanned: notScanned,
            images_scan_failed: scanFailed.size,
            images_no_results: without - notScanned,
            images_not_fetched: 0,
            rule_images_pending: 0,
          };
        }),
      );
    },
    'Images per coverage state': async () => {
      const ORDER = ['covered', 'inconsistent', 'pending', 'no_results', 'not_scanned', 'scan_failed'];
      const expectFor = (vars: Record<string, string[]>) => {
        const states = sortedScopes()
          .filter(
            (s) =>
              vars.enterprise_project!.includes(s.enterpriseProjectId) &&
              vars.image_type!.includes(s.imageType),
          )
          .flatMap((s) => [...coverageOf(s).values()].map((c) => c.coverage));
        return sorted(groupBy(states, (c) => c))
          .map(([coverage, cs]) => ({ coverage, images: cs.length }))
          .sort((a, b) => ORDER.indexOf(a.coverage) - ORDER.indexOf(b.coverage));
      };
      const rows = await run('Images per coverage state');
      expect(rows.map((r) => r.coverage)).toEqual(expect.arrayContaining(['covered', 'not_scanned']));
      expect(rows).toEqual(expectFor(all));
      const only0 = { ...all, enterprise_project: ['0'] };
      expect(await run('Images per coverage state', only0)).toEqual(expectFor(only0));
    },
    'Time to fix by severity (hours)': async () => {
      const fixed = fixPeriods(snaps).filter((p) => p.status === 'fixed');
      const bySeverity = sorted(groupBy(fixed, (p) => p.row.severity ?? '')).sort(
        ([a], [b]) => rankOf(b) - rankOf(a),
      );
      expect(fixed.length).toBeGreaterThan(0);
      const rows = await run('Time to fix by severity (hours)');
      expect(rows.map((r) => [r.severity, r.fixed])).toEqual(bySeverity.map(([sev, g]) => [sev, g.length]));
      expectHoursWithinBounds(rows, bySeverity, [
        ['median_hours', 0.5],
        ['p90_hours', 0.9],
      ] as const);
      // A range that ends before the second sync holds no fix: nothing was fixed by the first.
      const saved = range;
      range = { from: saved.from, to: new Date(snaps[1]!.startedAt - 1000) };
      try {
        expect(await run('Time to fix by severity (hours)')).toEqual([]);
      } finally {
        range = saved;
      }
    },
  };

  it('is provisioned: the data source logs in as hss_bi, the provider reads the mounted folder', () => {
    expect(datasources.datasources).toHaveLength(1);
    const ds = datasources.datasources[0]!;
    expect([ds.uid, ds.type, ds.url, ds.user, ds.jsonData.database, ds.secureJsonData.password]).toEqual([
      'hss-postgres',
      'postgres',
      'postgres:5432',
      'hss_bi',
      'hss',
      '$HSS_READER_PASSWORD',
    ]);
    expect(providers.providers.map((p) => [p.type, p.options.path])).toEqual([
      ['file', '/var/lib/grafana/dashboards'],
    ]);
    expect(dashboard.uid).toBe('hss-baselines');
    for (const p of dashboard.panels) {
      expect([p.title, p.datasource.uid, ...p.targets.map((t) => t.datasource.uid)]).toEqual([
        p.title,
        ds.uid,
        ...p.targets.map(() => ds.uid),
      ]);
    }
  });

  it('every panel has an assertion here, and every assertion a panel', () => {
    expect(dashboard.panels.map((p) => p.title).sort()).toEqual(Object.keys(checks).sort());
    expect(dashboard.panels.every((p) => p.targets.length === 1)).toBe(true);
  });

  it('the variable queries list the scopes synced', async () => {
    const vars = dashboard.templating.list;
    expect(vars.map((v) => [v.name, v.multi, v.datasource.uid])).toEqual([
      ['enterprise_project', true, 'hss-postgres'],
      ['image_type', true, 'hss-postgres'],
    ]);
    const values = async (q: string) => (await reader.query(q)).rows.map((r) => Object.values(r)[0]);
    expect(await values(vars[0]!.query)).toEqual(all.enterprise_project);
    expect(await values(vars[1]!.query)).toEqual(all.image_type);
  });

  for (const title of Object.keys(checks)) {
    it(`panel "${title}"`, async () => {
      await checks[title]!();
    });
  }
});
