/**
 * Exact history, through the simulator: a sync, a rescan of two images and two more
 * syncs leave exact history (two versions per changed key, meeting exactly, no overlap), current
 * rows equal to the open versions and to today's daily facts, a point-in-time function that
 * answers the old state, a re-sync that changes no tuple, and a reader role that reads the public
 * surface and cannot write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  currentRows,
  DATA_TABLES,
  dayOf,
  RESULT_COLUMNS,
  type ResultRow,
  resultKeyOf,
  type SyncWorld,
  sortRows,
  startSyncWorld,
  truthRows,
  tupleFingerprint,
} from '../helpers/sync-world.js';

const HOUR = 3_600_000;

describe('history, current rows, daily facts and roles after a rescan of two images', () => {
  let w: SyncWorld;
  let before: ResultRow[];
  let after: ResultRow[];
  let changedKeys: string[];
  let rescanned: string[];
  let t1: number;
  let t2: number;
  let t3: number;

  beforeAll(async () => {
    // Ten o'clock UTC today (or yesterday), so three syncs an hour apart stay on one UTC day.
    const now = Date.now();
    const tenToday = Math.floor(now / 86_400_000) * 86_400_000 + 10 * HOUR;
    w = await startSyncWorld({
      imagesPerScope: 12,
      imageTypes: ['private_image', 'local_image'],
      offsetMs: tenToday - now,
    });
    t1 = w.clock.now();
    await w.sync();
    before = truthRows(w.sim);
    const scope = { projectId: w.project, enterpriseProjectId: '0', imageType: 'private_image' as const };
    w.clock.advance(HOUR);
    // Two images that have results: a rescan changes at least one of their keys' values.
    rescanned = w.sim.world.rescan(scope, [...w.sim.world.groundTruth(scope).keys()].slice(0, 2));
    after = truthRows(w.sim);
    const old = new Map(before.map((r) => [resultKeyOf(r), JSON.stringify(r)]));
    changedKeys = after.filter((r) => old.get(resultKeyOf(r)) !== JSON.stringify(r)).map(resultKeyOf);
    t2 = w.clock.now();
    await w.sync();
    w.clock.advance(HOUR);
    t3 = w.clock.now();
  });

  afterAll(async () => {
    await w?.close();
  });

  it('the rescan changed keys of exactly the two rescanned images', () => {
    expect(rescanned).toHaveLength(2);
    expect(changedKeys.length).toBeGreaterThanOrEqual(2);
    const images = new Set(changedKeys.map((k) => k.split('\u0001')[3]));
    expect([...images].sort()).toEqual([...rescanned].sort());
  });

  it('a further unchanged sync on the same day changes no tuple in any data table', async () => {
    const fingerprint = await tupleFingerprint(w.t, DATA_TABLES);
    const report = await w.sync();
    expect(report.counts.imagesFetched).toBe(0);
    expect(await tupleFingerprint(w.t, DATA_TABLES)).toEqual(fingerprint);
  });

  it('changed keys have exactly two versions that meet exactly; other keys one', async () => {
    const r = await w.t.pool.query<{ k: string; n: number; first_to: Date | null; second_from: Date | null }>(
      `select concat_ws(chr(1), project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard) as k,
              count(*)::int as n,
              (array_agg(valid_to order by valid_from))[1] as first_to,
              (array_agg(valid_from order by valid_from))[2] as second_from
         from hss_internal.image_baseline_history group by 1 order by 1`,
    );
    const versions = new Map(r.rows.map((x) => [x.k, x]));
    expect(r.rows).toHaveLength(after.length);
    for (const k of changedKeys) {
      const v = versions.get(k);
      expect(v?.n).toBe(2);
      expect(v?.first_to).not.toBeNull();
      expect(v?.first_to?.getTime()).toBe(v?.second_from?.getTime());
      expect(v!.first_to!.getTime()).toBeGreaterThanOrEqual(t2);
      expect(v!.first_to!.getTime()).toBeLessThan(t3);
    }
    const unchanged = r.rows.filter((x) => !changedKeys.includes(x.k));
    expect(unchanged.length).toBe(after.length - changedKeys.length);
    expect(unchanged.every((x) => x.n === 1 && x.first_to === null)).toBe(true);
  });

  it('no two versions of a key overlap and none leaves a gap before the next', async () => {
    const overlaps = await w.t.pool.query(
      `select count(*)::int as n from hss_internal.image_baseline_history a join hss_internal.image_baseline_history b
         on a.result_key = b.result_key and a.version_id < b.version_id
        and tstzrange(a.valid_from, a.valid_to) && tstzrange(b.valid_from, b.valid_to)`,
    );
    expect(overlaps.rows[0].n).toBe(0);
    const gaps = await w.t.pool.query(
      `select count(*)::int as n from (
         select valid_from, lag(valid_to) over (partition by result_key order by valid_from) as prev_to,
                row_number() over (partition by result_key order by valid_from) as i
           from hss_internal.image_baseline_history) v
        where i > 1 and prev_to is distinct from valid_from`,
    );
    expect(gaps.rows[0].n).toBe(0);
  });

  it('the database itself rejects an overlapping version', async () => {
    const err = await w.t.pool
      .query(
        `insert into hss_internal.image_baseline_history (${RESULT_COLUMNS}, valid_from)
         select ${RESULT_COLUMNS}, valid_from + interval '1 second' from hss_internal.image_baseline_history
          where valid_to is null limit 1`,
      )
      .catch((e: { code?: string }) => e);
    // The open-version unique index or the exclusion constraint, whichever PostgreSQL checks first.
    expect(['23505', '23P01']).toContain((err as { code?: string }).code);
    const closed = await w.t.pool
      .query(
        `insert into hss_internal.image_baseline_history (${RESULT_COLUMNS}, valid_from, valid_to)
         select ${RESULT_COLUMNS}, valid_from - interval '1 second', valid_from + interval '1 second'
           from hss_internal.image_baseline_history where valid_to is null limit 1`,
      )
      .catch((e: { code?: string }) => e);
    expect((closed as { code?: string }).code).toBe('23P01');
  });

  it('current rows equal the open versions and what HSS answers', async () => {
    const open = await w.t.pool.query<ResultRow>(
      `select ${RESULT_COLUMNS} from hss_internal.image_baseline_history where valid_to is null`,
    );
    const current = await currentRows(w.t);
    expect(current).toEqual(sortRows(open.rows));
    expect(current).toEqual(after);
  });

  it("today's daily facts equal the current rows, value for value, observed when last fetched", async () => {
    const today = dayOf(t3);
    const daily = await w.t.pool.query<ResultRow & { observed_at: Date }>(
      `select ${RESULT_COLUMNS}, observed_at from hss.image_baseline_daily where day = $1`,
      [today],
    );
    const current = await w.t.pool.query<ResultRow & { observed_at: Date }>(
      `select ${RESULT_COLUMNS}, last_verified_at as observed_at from hss.image_baselines`,
    );
    expect(sortRows(daily.rows)).toEqual(sortRows(current.rows));
    const days = await w.t.pool.query(`select distinct day::text from hss.image_baseline_daily order by 1`);
    expect(days.rows).toEqual([{ day: today }]);
    // The rescanned images were confirmed by the second sync, the others by the first.
    const observed = await w.t.pool.query<{ image_id: string; observed_at: Date }>(
      `select distinct image_id, observed_at from hss.image_baseline_daily where day = $1`,
      [today],
    );
    for (const row of observed.rows) {
      const t = row.observed_at.getTime();
      if (rescanned.includes(row.image_id)) expect(t).toBeGreaterThanOrEqual(t2);
      else expect(t).toBeLessThan(t2);
    }
  });

  it('image_baselines_as_of(t) between the first and second sync answers the old state', async () => {
    const mid = new Date(t2 - HOUR / 2);
    const old = await w.t.pool.query<ResultRow>(
      `select ${RESULT_COLUMNS} from hss.image_baselines_as_of($1)`,
      [mid],
    );
    expect(sortRows(old.rows)).toEqual(before);
    const oldChanged = sortRows(old.rows).filter((r) => changedKeys.includes(resultKeyOf(r)));
    expect(oldChanged).toEqual(before.filter((r) => changedKeys.includes(resultKeyOf(r))));
    expect(oldChanged).not.toEqual(after.filter((r) => changedKeys.includes(resultKeyOf(r))));
    const now = await w.t.pool.query<ResultRow>(
      `select ${RESULT_COLUMNS} from hss.image_baselines_as_of($1)`,
      [new Date(t3)],
    );
    expect(sortRows(now.rows)).toEqual(after);
    const beforeAll = await w.t.pool.query(`select count(*)::int as n from hss.image_baselines_as_of($1)`, [
      new Date(t1 - HOUR),
    ]);
    expect(beforeAll.rows[0].n).toBe(0);
  });

  it('image_baselines_as_of is exact at the instant of a change: [valid_from, valid_to)', async () => {
    // The two images may have been written in different transactions, at different instants.
    const at = await w.t.pool.query<{ t: string; image_id: string }>(
      `select distinct valid_to::text as t, image_id from hss_internal.image_baseline_history where valid_to is not null`,
    );
    expect(at.rows.map((r) => r.image_id).sort()).toEqual([...rescanned].sort());
    for (const { t, image_id } of at.rows) {
      const of = (rows: ResultRow[]) =>
        sortRows(rows).filter((r) => r.image_id === image_id && changedKeys.includes(resultKeyOf(r)));
      const exactly = await w.t.pool.query<ResultRow>(
        `select ${RESULT_COLUMNS} from hss.image_baselines_as_of($1::timestamptz)`,
        [t],
      );
      expect(of(exactly.rows)).toEqual(of(after));
      const justBefore = await w.t.pool.query<ResultRow>(
        `select ${RESULT_COLUMNS} from hss.image_baselines_as_of($1::timestamptz - interval '1 microsecond')`,
        [t],
      );
      expect(of(justBefore.rows)).toEqual(of(before));
      expect(of(before)).not.toEqual(of(after));
    }
  });

  it('the change view reports each changed key once, as worsened, improved or changed', async () => {
    const r = await w.t.pool.query<
      ResultRow & { change: string; severity_before: string; failed_before: number }
    >(
      `select concat_ws(chr(1), project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard) as k,
              change, severity_before, severity_after, failed_before, failed_after
         from hss.image_baseline_changes where change <> 'appeared' order by 1`,
    );
    expect(r.rows.map((x) => (x as unknown as { k: string }).k)).toEqual([...changedKeys].sort());
    const rank = { Security: 0, Low: 1, Medium: 2, High: 3 } as Record<string, number>;
    const old = new Map(before.map((x) => [resultKeyOf(x), x]));
    const now = new Map(after.map((x) => [resultKeyOf(x), x]));
    for (const row of r.rows as unknown as {
      k: string;
      change: string;
      severity_before: string;
      severity_after: string;
      failed_before: number;
      failed_after: number;
    }[]) {
      const a = old.get(row.k)!;
      const b = now.get(row.k)!;
      expect([row.severity_before, row.failed_before, row.severity_after, row.failed_after]).toEqual([
        a.severity,
        a.failed_rule_num,
        b.severity,
        b.failed_rule_num,
      ]);
      const d = rank[b.severity!]! - rank[a.severity!]! || b.failed_rule_num! - a.failed_rule_num!;
      expect(row.change).toBe(d > 0 ? 'worsened' : d < 0 ? 'improved' : 'changed');
    }
    const appeared = await w.t.pool.query(
      `select count(*)::int as n from hss.image_baseline_changes where change = 'appeared'`,
    );
    expect(appeared.rows[0].n).toBe(after.length);
  });

  it('hss_reader reads the public surface and nothing else, and cannot write', async () => {
    const client = await w.t.pool.connect();
    const attempt = async (sql: string) => {
      await client.query('savepoint s');
      try {
        await client.query(sql);
        await client.query('release savepoint s');
        return 'ok';
      } catch (err) {
        await client.query('rollback to savepoint s');
        return (err as { code?: string }).code;
      }
    };
    try {
      await client.query('begin');
      await client.query('set local role hss_reader');
      const reads = [
        'hss.image_baseline_history',
        'hss.sync_runs',
        'hss.sync_scope_runs',
        'hss.image_rule_history',
        'hss.rule_descriptions',
        'hss.baseline_fixes',
        'hss.images',
        'hss.image_baselines',
        'hss.image_baseline_daily',
        'hss.posture_daily',
        'hss.image_posture',
        'hss.image_baseline_changes',
        'hss.scope_status',
        'hss.image_baselines_as_of(now())',
      ];
      for (const rel of reads)
        expect([rel, await attempt(`select count(*) from ${rel}`)]).toEqual([rel, 'ok']);
      const n = await client.query('select count(*)::int as n from hss.image_baseline_daily');
      expect(n.rows[0].n).toBe(after.length);
      for (const internal of [
        'hss_internal.image_contents',
        'hss_internal.image_refs',
        'hss_internal.scope_state',
        'hss_internal.result_keys',
        'hss_internal.image_baseline_daily_facts',
        'hss_internal.__drizzle_migrations',
      ]) {
        expect([internal, await attempt(`select 1 from ${internal}`)]).toEqual([internal, '42501']);
      }
      const writes = [
        `insert into hss_internal.sync_runs (run_id, started_at, status, trigger) values (gen_random_uuid(), now(), 'running', 'cli')`,
        `update hss_internal.image_baseline_history set severity = 'Low'`,
        'delete from hss_internal.sync_scope_runs',
        'truncate hss_internal.sync_runs cascade',
        'create table hss.evil (x int)',
        'drop view hss.image_baselines',
      ];
      for (const sql of writes) expect([sql, await attempt(sql)]).toEqual([sql, '42501']);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it('every table, view, column and function of schema hss carries a comment', async () => {
    const missing = await w.t.pool.query(
      `select c.relname, a.attname from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
         left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        where n.nspname = 'hss' and c.relkind in ('r', 'v', 'm', 'p') and c.relname <> '__drizzle_migrations'
          and (obj_description(c.oid, 'pg_class') is null or (a.attname is not null and col_description(c.oid, a.attnum) is null))
        order by 1, 2`,
    );
    expect(missing.rows).toEqual([]);
    const functions = await w.t.pool.query(
      `select p.proname, obj_description(p.oid, 'pg_proc') is not null as commented
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'hss' order by 1`,
    );
    expect(functions.rows).toEqual([
      { proname: 'image_baseline_rules_as_of', commented: true },
      { proname: 'image_baselines_as_of', commented: true },
      { proname: 'severity_rank', commented: true },
    ]);
  });

  it('the roles exist once, cluster-wide, and cannot log in', async () => {
    const r = await w.t.pool.query(
      `select rolname, rolcanlogin, rolsuper from pg_roles where rolname in ('hss_reader', 'hss_writer') order by 1`,
    );
    expect(r.rows).toEqual([
      { rolname: 'hss_reader', rolcanlogin: false, rolsuper: false },
      { rolname: 'hss_writer', rolcanlogin: false, rolsuper: false },
    ]);
  });
});
