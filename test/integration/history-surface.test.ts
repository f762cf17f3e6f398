/**
 * The columns and views BI tools and auditors read, on a history built through the simulator:
 * posture_daily.observed on synced and carried-forward days, image_baseline_changes.fixed and
 * .regressed, hss.baseline_fixes (fixed, still failing, disappeared while failing), the
 * severity ranks, scope_status's coverage counts and rule backlog, and one integer type per
 * quantity. Expectations are computed from the simulator's answers, apart from the database;
 * every query runs as hss_reader.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/db/daily.js';
import { plainTypes, SQL_DOC_PATH } from '../helpers/sql-doc.js';
import {
  DAY_MS,
  dayOf,
  type ResultRow,
  type SyncWorld,
  startSyncWorld,
  truthRows,
} from '../helpers/sync-world.js';

const HOUR = 3_600_000;
const RANK: Record<string, number> = { Security: 0, Low: 1, Medium: 2, High: 3, Critical: 4 };
const rankOf = (s: string | null) => (s === null ? null : (RANK[s] ?? null));
const failing = (r: ResultRow | undefined) => r !== undefined && (r.failed_rule_num ?? 0) > 0;
const keyOf = (r: { image_id: string; check_name: string; check_type: string; standard: string }) =>
  `${r.image_id}|${r.check_name}|${r.check_type}|${r.standard}`;

interface Snap {
  startedAt: number;
  finishedAt: number;
  day: string;
  rows: Map<string, ResultRow>;
}

type Row = Record<string, unknown>;

describe('the BI surface on a synced history', () => {
  let w: SyncWorld;
  const snaps: Snap[] = [];
  let reader: pg.PoolClient;
  let removed: string;

  /** Index of the sync whose run contains instant `t`. */
  const syncOf = (t: unknown) =>
    snaps.findIndex((s) => (t as Date).getTime() >= s.startedAt && (t as Date).getTime() <= s.finishedAt);

  const read = async (sql: string, params: unknown[] = []): Promise<Row[]> =>
    (await reader.query({ text: sql, values: params, types: plainTypes })).rows;

  beforeAll(async () => {
    // Noon UTC four days ago; syncs on days 0, 1, 3 and now (day 4); day 2's run fails.
    const now = Date.now();
    const noon = Math.floor(now / DAY_MS) * DAY_MS + 12 * HOUR - 4 * DAY_MS;
    w = await startSyncWorld({ imagesPerScope: 16, seed: 44, offsetMs: noon - now });
    const scope = w.sim.world.scopes()[0]!;
    const record = async () => {
      const report = await w.sync();
      snaps.push({
        startedAt: report.startedAt.getTime(),
        finishedAt: report.finishedAt.getTime(),
        day: dayOf(report.startedAt.getTime()),
        rows: new Map(truthRows(w.sim).map((r) => [keyOf(r), r])),
      });
    };
    const ids = () => [...w.sim.world.groundTruth(scope).keys()];
    await record();
    w.clock.advance(DAY_MS);
    w.sim.world.rescan(
      scope,
      ids().filter((_, i) => i % 2 === 0),
    );
    await record();
    // Day 2: a run whose scope fails (HSS.0010 on every call) observes nothing.
    w.clock.advance(DAY_MS);
    w.sim.setFaults({ errorRates: [{ api: '*', status: 403, rate: 1 }] });
    await w.sync(['failed']);
    w.sim.setFaults({});
    w.clock.advance(DAY_MS);
    w.sim.world.rescan(
      scope,
      ids().filter((_, i) => i % 3 === 0),
    );
    // An image failing now leaves upstream: its failing results disappear, unfixed.
    removed = ids().find((id) =>
      w.sim.world
        .groundTruth(scope)
        .get(id)!
        .some((r) => r.failedRuleNum! > 0),
    )!;
    w.sim.world.removeImage(scope, removed);
    await record();
    w.clock.offsetMs = 0;
    w.sim.world.rescan(
      scope,
      ids().filter((_, i) => i % 2 === 1),
    );
    await record();
    reader = await w.t.pool.connect();
    await reader.query('set role hss_reader');
    await reader.query(`set time zone 'Asia/Tokyo'`);
  });

  afterAll(async () => {
    reader?.release(true);
    await w?.close();
  });

  it('posture_daily.observed is true on the days a sync looked, false on a carried-forward day', async () => {
    const rows = await read(
      `select day::text, bool_and(observed) as all_observed, bool_or(observed) as any_observed, count(*)::int as groups
         from hss.posture_daily group by day order by day`,
    );
    const days = [0, 1, 2, 3, 4].map((i) => addDays(snaps[0]!.day, i));
    expect(snaps.map((s) => s.day)).toEqual([days[0], days[1], days[3], days[4]]);
    expect(rows.map((r) => [r.day, r.all_observed, r.any_observed])).toEqual([
      [days[0], true, true],
      [days[1], true, true],
      [days[2], false, false],
      [days[3], true, true],
      [days[4], true, true],
    ]);
    // The carried-forward day holds the posture of the day before it, group for group.
    const sums = async (day: string) =>
      read(
        `select check_name, check_type, standard, severity, images, images_failing, failed_items, check_items
           from hss.posture_daily where day = $1 order by 1, 2, 3, 4`,
        [day],
      );
    expect(await sums(days[2]!)).toEqual(await sums(days[1]!));
    // Day 2 had a run, but its scope failed: it looked at nothing.
    const day2 = await read(
      `select status from hss.sync_scope_runs
        where started_at >= $1::date::timestamp at time zone 'UTC' and started_at < $2::date::timestamp at time zone 'UTC'`,
      [days[2], days[3]],
    );
    expect(day2).toEqual([{ status: 'failed' }]);
  });

  it('image_baseline_changes marks each fix and each regression, and nothing else', async () => {
    const expected: string[] = [];
    for (let i = 1; i < snaps.length; i++) {
      const prev = snaps[i - 1]!.rows;
      for (const [key, row] of snaps[i]!.rows) {
        const p = prev.get(key);
        if (!p || JSON.stringify(p) === JSON.stringify(row)) continue;
        expected.push(`${i}|${key}|${failing(p) && !failing(row)}|${!failing(p) && failing(row)}`);
      }
    }
    const rows = await read(
      `select changed_at, image_id, check_name, check_type, standard, fixed, regressed
         from hss.image_baseline_changes where change not in ('appeared', 'disappeared')`,
    );
    expect(
      rows.map((r) => `${syncOf(r.changed_at)}|${keyOf(r as never)}|${r.fixed}|${r.regressed}`).sort(),
    ).toEqual(expected.sort());
    expect(expected.filter((e) => e.endsWith('|true|false')).length).toBeGreaterThan(0);
    expect(expected.filter((e) => e.endsWith('|false|true')).length).toBeGreaterThan(0);
    const edges = await read(
      `select count(*)::int as n from hss.image_baseline_changes
        where change in ('appeared', 'disappeared') and (fixed or regressed)`,
    );
    expect(edges).toEqual([{ n: 0 }]);
  });

  it('baseline_fixes has one row per failing period: fixed, still failing, or gone while failing', async () => {
    interface Period {
      key: string;
      start: number;
      status: string;
      end: number | null;
      severity: string | null;
      failed: number | null;
    }
    const expected: Period[] = [];
    const keys = new Set(snaps.flatMap((s) => [...s.rows.keys()]));
    for (const key of keys) {
      for (let i = 0; i < snaps.length; i++) {
        const r = snaps[i]!.rows.get(key);
        if (!failing(r) || failing(snaps[i - 1]?.rows.get(key))) continue;
        let end: number | null = null;
        let status = 'failing';
        for (let j = i + 1; j < snaps.length && end === null; j++) {
          const n = snaps[j]!.rows.get(key);
          if (!n) [end, status] = [j, 'disappeared'];
          else if (!failing(n)) [end, status] = [j, 'fixed'];
        }
        expected.push({ key, start: i, status, end, severity: r!.severity, failed: r!.failed_rule_num });
      }
    }
    const rows = await read(
      `select image_id, check_name, check_type, standard, failed_since, fixed_at, disappeared_at, status,
              hours_to_fix, severity, severity_rank, failed_rule_num from hss.baseline_fixes`,
    );
    const got = rows.map((r) => ({
      key: keyOf(r as never),
      start: syncOf(r.failed_since),
      status: r.status as string,
      end:
        r.fixed_at !== null
          ? syncOf(r.fixed_at)
          : r.disappeared_at !== null
            ? syncOf(r.disappeared_at)
            : null,
      severity: r.severity as string | null,
      failed: r.failed_rule_num as number | null,
    }));
    const order = (a: Period, b: Period) => (`${a.key}|${a.start}` < `${b.key}|${b.start}` ? -1 : 1);
    expect(got.sort(order)).toEqual(expected.sort(order));
    for (const status of ['fixed', 'failing', 'disappeared'])
      expect([status, expected.some((p) => p.status === status)]).toEqual([status, true]);
    expect(
      expected.filter((p) => p.status === 'disappeared').every((p) => p.key.startsWith(`${removed}|`)),
    ).toBe(true);
    for (const r of rows) {
      expect(r.severity_rank).toBe(rankOf(r.severity as string | null));
      if (r.status === 'fixed') {
        const hours = ((r.fixed_at as Date).getTime() - (r.failed_since as Date).getTime()) / HOUR;
        expect(r.hours_to_fix).toBe(Math.round(hours * 100) / 100);
        expect(r.hours_to_fix as number).toBeGreaterThan(0);
      } else expect([r.status, r.hours_to_fix, r.fixed_at]).toEqual([r.status, null, null]);
      if (r.status !== 'disappeared') expect(r.disappeared_at).toBeNull();
    }
  });

  it('every fixed change ends exactly one fixed period, at the same instant', async () => {
    const rows = await read(
      `select (select count(*)::int from hss.image_baseline_changes where fixed) as fixed_changes,
              (select count(*)::int from hss.baseline_fixes where status = 'fixed') as fixed_periods,
              (select count(*)::int from hss.baseline_fixes f join hss.image_baseline_changes c
                  on c.fixed and c.image_id = f.image_id and c.check_name = f.check_name
                 and c.check_type = f.check_type and c.standard = f.standard and c.changed_at = f.fixed_at) as matched`,
    );
    expect(rows[0]!.fixed_changes).toBeGreaterThan(0);
    expect(rows).toEqual([
      {
        fixed_changes: rows[0]!.fixed_changes,
        fixed_periods: rows[0]!.fixed_changes,
        matched: rows[0]!.fixed_changes,
      },
    ]);
  });

  it('every severity column has its rank beside it, by one vocabulary', async () => {
    const pairs = [
      ['hss.image_baselines', 'severity', 'severity_rank'],
      ['hss.image_baseline_daily', 'severity', 'severity_rank'],
      ['hss.posture_daily', 'severity', 'severity_rank'],
      ['hss.image_posture', 'worst_severity', 'worst_severity_rank'],
      ['hss.image_baseline_changes', 'severity_before', 'severity_before_rank'],
      ['hss.image_baseline_changes', 'severity_after', 'severity_after_rank'],
      ['hss.baseline_fixes', 'severity', 'severity_rank'],
      ['hss.image_failed_rules', 'severity', 'severity_rank'],
      ['hss.rule_failure_counts', 'severity', 'severity_rank'],
      ['hss.image_baseline_history', 'severity', 'severity_rank'],
      ['hss.image_rule_history', 'severity', 'severity_rank'],
    ];
    for (const [rel, sev, rank] of pairs) {
      const rows = await read(`select distinct ${sev} as s, ${rank} as r from ${rel} order by 2, 1`);
      expect([rel, rows.length > 0]).toEqual([rel, true]);
      expect([rel, rows]).toEqual([rel, rows.map((x) => ({ s: x.s, r: rankOf(x.s as string | null) }))]);
    }
    // Every severity column of the public views (reader-visible) has a rank column.
    const cols = await read(
      `select c.table_name, c.column_name from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'hss' and t.table_type = 'VIEW' and c.column_name like '%severity%' order by 1, 2`,
    );
    const byRel = new Map<string, string[]>();
    for (const c of cols)
      byRel.set(c.table_name as string, [
        ...(byRel.get(c.table_name as string) ?? []),
        c.column_name as string,
      ]);
    for (const [rel, names] of byRel)
      for (const n of names.filter((x) => !x.endsWith('_rank')))
        expect([rel, n, names.includes(`${n}_rank`)]).toEqual([rel, n, true]);
  });

  it('the reader sees only the documented views of schema hss, each with a comment, and no table', async () => {
    const rels = await read(
      `select t.table_name, t.table_type, obj_description(format('hss.%I', t.table_name)::regclass, 'pg_class') is not null as commented
         from information_schema.tables t where t.table_schema = 'hss' order by 1`,
    );
    expect(rels).toEqual(
      [
        'baseline_fixes',
        'history_chain_anchors',
        'image_baseline_changes',
        'image_baseline_daily',
        'image_baseline_history',
        'image_baselines',
        'image_coverage',
        'image_failed_rules',
        'image_posture',
        'image_rule_history',
        'image_rule_values',
        'images',
        'posture_daily',
        'rule_descriptions',
        'rule_failure_counts',
        'scope_status',
        'sync_runs',
        'sync_scope_runs',
      ].map((table_name) => ({ table_name, table_type: 'VIEW', commented: true })),
    );
    // Every one of them is named in docs/sql.md's table of the public surface.
    const doc = readFileSync(SQL_DOC_PATH, 'utf8');
    for (const r of rels)
      expect([r.table_name, doc.includes(`\`hss.${r.table_name}\``)]).toEqual([r.table_name, true]);
    // Nothing else in any schema of this product: the internal one is invisible to the reader.
    const other = await read(
      `select count(*)::int as n from information_schema.tables where table_schema like 'hss%' and table_schema <> 'hss'`,
    );
    expect(other).toEqual([{ n: 0 }]);
    const tables = await read(
      `select count(*)::int as n from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'hss' and c.relkind in ('r', 'p', 'm', 'S')`,
    );
    expect(tables).toEqual([{ n: 0 }]);
    await expect(read('select 1 from hss_internal.image_contents')).rejects.toThrow(
      'permission denied for schema hss_internal',
    );
  });

  it('one integer type per quantity across the public surface; sums of items are bigint', async () => {
    const mixed = await read(
      `select column_name, array_agg(distinct data_type order by data_type) as types
         from information_schema.columns
        where table_schema = 'hss' and data_type in ('smallint', 'integer', 'bigint', 'numeric')
        group by column_name having count(distinct data_type) > 1`,
    );
    expect(mixed).toEqual([]);
    const types = await read(
      `select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'hss' and column_name in ('failed_items', 'check_items', 'images', 'images_failing', 'baselines')
        order by 1, 2`,
    );
    expect(types.map((t) => `${t.table_name}.${t.column_name}:${t.data_type}`)).toEqual([
      'image_coverage.baselines:integer',
      'image_coverage.failed_items:bigint',
      'image_posture.baselines:integer',
      'image_posture.check_items:bigint',
      'image_posture.failed_items:bigint',
      'posture_daily.check_items:bigint',
      'posture_daily.failed_items:bigint',
      'posture_daily.images:integer',
      'posture_daily.images_failing:integer',
      'rule_failure_counts.images_failing:integer',
    ]);
  });

  it('scope_status counts coverage and the rule backlog', async () => {
    const scope = w.sim.world.scopes()[0]!;
    const status = () =>
      read(
        `select images_present, images_covered, images_not_scanned, images_scan_failed, images_no_results,
                images_not_fetched, rule_images_pending from hss.scope_status`,
      );
    const withResults = w.sim.world.groundTruth(scope).size;
    const present = new Set(w.sim.world.images(scope).map((i) => i.image_id)).size;
    const before = await status();
    expect(before).toEqual([
      {
        images_present: present,
        images_covered: withResults,
        images_not_scanned: before[0]!.images_not_scanned,
        images_scan_failed: 0,
        images_no_results: present - withResults - (before[0]!.images_not_scanned as number),
        images_not_fetched: 0,
        rule_images_pending: 0,
      },
    ]);
    // Two new images without results: one HSS has not scanned, one whose scan failed; with the
    // rule drill-down off, two rescanned images keep the rules of their old summaries.
    const x = w.sim.world.addImage(scope);
    const y = w.sim.world.addImage(scope);
    for (const id of [x, y]) w.sim.world.setScanStatus(scope, id, 'unscan');
    w.sim.world.setScanStatus(scope, y, 'failed');
    const [c, d] = [...w.sim.world.groundTruth(scope).keys()];
    w.sim.world.rescan(scope, [c!, d!]);
    await w.reconfigure({ HSS_RULE_DETAIL: 'off' });
    await w.sync();
    const after = await status();
    expect(after).toEqual([
      {
        images_present: present + 2,
        images_covered: withResults,
        images_not_scanned: (before[0]!.images_not_scanned as number) + 1,
        images_scan_failed: 1,
        images_no_results: before[0]!.images_no_results,
        images_not_fetched: 0,
        rule_images_pending: 2,
      },
    ]);
    await w.reconfigure({});
    await w.sync();
    expect((await status())[0]!.rule_images_pending).toBe(0);
  });
});
