/**
 * The daily facts over several days through the simulator: dense (one row per day and key current
 * at the end of that day), days without a run filled from the history by the next run and
 * carried forward (values and observed_at), a retired image gone from the day it was retired,
 * rebuilding only what changed, and retention pruning whole days of facts and ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, planDailyRefresh, refreshDailyFacts, refreshDaysSql } from '../../src/db/daily.js';
import { refreshPostureSql } from '../../src/db/daily-posture.js';
import { applyRetention } from '../../src/db/retention.js';
import {
  DATA_TABLES,
  DAY_MS,
  dayOf,
  RESULT_COLUMNS,
  type ResultRow,
  type SyncWorld,
  sortRows,
  startSyncWorld,
  truthRows,
  tupleFingerprint,
} from '../helpers/sync-world.js';

const HOUR = 3_600_000;
const scope = (project: string) => ({
  projectId: project,
  enterpriseProjectId: '0',
  imageType: 'private_image' as const,
});

type DailyRow = ResultRow & { day: string; observed_at: Date };

async function dailyRows(w: SyncWorld, day: string): Promise<DailyRow[]> {
  const r = await w.t.pool.query<DailyRow>(
    `select day::text, ${RESULT_COLUMNS}, observed_at from hss.image_baseline_daily where day = $1`,
    [day],
  );
  return sortRows(r.rows);
}

const values = (rows: ResultRow[]) =>
  sortRows(
    rows.map(({ observed_at: _o, day: _d, ...r }: ResultRow & { observed_at?: Date; day?: string }) => r),
  );

describe('daily facts across days', () => {
  let w: SyncWorld;
  let day0: string;
  let t0: number;
  let truth0: ResultRow[];
  let truth3: ResultRow[];
  let rescanned: string[];
  let removed: string;

  beforeAll(async () => {
    // Noon UTC, five days ago: the test then walks forward to noon yesterday.
    const now = Date.now();
    const noon = Math.floor(now / DAY_MS) * DAY_MS + 12 * HOUR - 5 * DAY_MS;
    w = await startSyncWorld({ imagesPerScope: 14, offsetMs: noon - now });
    t0 = w.clock.now();
    day0 = dayOf(t0);
    await w.sync();
    truth0 = truthRows(w.sim);
  });

  afterAll(async () => {
    await w?.close();
  });

  it('a first sync builds today only, equal to the current rows', async () => {
    const days = await w.t.pool.query(
      `select day::text, count(*)::int as n from hss.image_baseline_daily group by 1`,
    );
    expect(days.rows).toEqual([{ day: day0, n: truth0.length }]);
    expect(values(await dailyRows(w, day0))).toEqual(truth0);
  });

  it('a sync three days later fills the two days without a run by carrying the facts forward', async () => {
    const facts0 = await dailyRows(w, day0);
    w.clock.advance(3 * DAY_MS);
    const sc = scope(w.project);
    rescanned = w.sim.world.rescan(sc, [...w.sim.world.groundTruth(sc).keys()].slice(0, 1));
    const t3 = w.clock.now();
    await w.sync();
    truth3 = truthRows(w.sim);
    const days = await w.t.pool.query(
      `select day::text, count(*)::int as n from hss.image_baseline_daily group by 1 order by 1`,
    );
    expect(days.rows).toEqual([0, 1, 2, 3].map((i) => ({ day: addDays(day0, i), n: truth0.length })));
    // Days 1 and 2 had no run: exactly day 0's rows, observed_at included.
    for (const i of [1, 2]) {
      const rows = await dailyRows(w, addDays(day0, i));
      expect(rows.map(({ day: _d, ...r }) => r)).toEqual(facts0.map(({ day: _d, ...r }) => r));
    }
    // Day 3 is now: the rescanned image's rows have the new values, observed by this sync.
    const rows3 = await dailyRows(w, addDays(day0, 3));
    expect(values(rows3)).toEqual(truth3);
    for (const r of rows3) {
      if (rescanned.includes(r.image_id)) expect(r.observed_at.getTime()).toBeGreaterThanOrEqual(t3);
      else expect(r.observed_at.getTime()).toBeLessThan(t0 + HOUR);
    }
  });

  it('every day equals the history as of the end of that day', async () => {
    for (const i of [0, 1, 2]) {
      const day = addDays(day0, i);
      const endOfDay = new Date(Date.parse(`${addDays(day, 1)}T00:00:00Z`) - 1);
      const asOf = await w.t.pool.query<ResultRow>(
        `select ${RESULT_COLUMNS} from hss.image_baselines_as_of($1)`,
        [endOfDay],
      );
      expect(values(await dailyRows(w, day))).toEqual(sortRows(asOf.rows));
    }
  });

  it('refreshing again changes nothing, and a re-sync the same day changes no tuple', async () => {
    const fingerprint = await tupleFingerprint(w.t, DATA_TABLES);
    expect(await refreshDailyFacts(w.app.db, new Date(w.clock.now()))).toEqual({
      inserted: 0,
      updated: 0,
      deleted: 0,
      keysAdded: 0,
      postureChanged: 0,
      days: 1,
    });
    w.clock.advance(HOUR);
    await w.sync();
    expect(await tupleFingerprint(w.t, DATA_TABLES)).toEqual(fingerprint);
  });

  it('pg_stat counts no inserted, updated or deleted tuple for a refresh that changes nothing', async () => {
    const today = dayOf(w.clock.now());
    const client = await w.t.pool.connect();
    try {
      await client.query('begin');
      await client.query(refreshDaysSql({ past: false, today: true }), [
        today,
        addDays(today, -1),
        today,
        today,
        today,
      ]);
      await client.query(refreshPostureSql(), [today, today]);
      const stats = await client.query(
        `select relname, n_tup_ins::int as ins, n_tup_upd::int as upd, n_tup_del::int as del
           from pg_stat_xact_user_tables where schemaname = 'hss_internal' and n_tup_ins + n_tup_upd + n_tup_del > 0`,
      );
      expect(stats.rows).toEqual([]);
      // The same probe sees a real change: one fact deleted is one fact inserted back.
      await client.query(
        'delete from hss_internal.image_baseline_daily_facts where day = $1 and ctid = (select min(ctid) from hss_internal.image_baseline_daily_facts where day = $1)',
        [today],
      );
      const back = await client.query(refreshDaysSql({ past: false, today: true }), [
        today,
        addDays(today, -1),
        today,
        today,
        today,
      ]);
      expect(back.rows[0]).toEqual({ inserted: 1, updated: 0, deleted: 0, keys_added: 0 });
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it('a run stopped by a signal leaves the daily facts to the next run', async () => {
    const today = dayOf(w.clock.now());
    const count = async () =>
      (
        await w.t.pool.query(`select count(*)::int as n from hss.image_baseline_daily where day = $1`, [
          today,
        ])
      ).rows[0].n;
    await w.t.pool.query('delete from hss_internal.image_baseline_daily_facts where day = $1', [today]);
    const stop = new AbortController();
    stop.abort();
    const report = await w.app.sync({ trigger: 'test', deadlineMs: null, signal: stop.signal });
    expect(report.status).toBe('aborted');
    expect(await count()).toBe(0);
    await w.sync();
    expect(await count()).toBe(truthRows(w.sim).length);
  });

  it('a retired image leaves the facts from the day of its retirement, not before', async () => {
    const sc = scope(w.project);
    removed = [...w.sim.world.groundTruth(sc).keys()].find((id) => !rescanned.includes(id))!;
    expect(w.sim.world.removeImage(sc, removed)).toBeGreaterThan(0);
    w.clock.advance(DAY_MS);
    const report = await w.sync();
    expect(report.counts.imagesRetired).toBe(1);
    const day3 = await dailyRows(w, addDays(day0, 3));
    const day4 = await dailyRows(w, addDays(day0, 4));
    expect(values(day3)).toEqual(truth3);
    expect(day3.some((r) => r.image_id === removed)).toBe(true);
    expect(values(day4)).toEqual(truthRows(w.sim));
    expect(day4.some((r) => r.image_id === removed)).toBe(false);
    expect(day4.length).toBeLessThan(day3.length);
  });

  it('a refresh after a day of no facts at all rebuilds from the history', async () => {
    const all = await w.t.pool.query(
      `select day::text, ${RESULT_COLUMNS}, observed_at from hss.image_baseline_daily`,
    );
    await w.t.pool.query('delete from hss_internal.image_baseline_daily_facts');
    const counts = await refreshDailyFacts(w.app.db, new Date(w.clock.now()));
    expect(counts.inserted).toBe(all.rows.length);
    expect(counts.days).toBe(5);
    const again = await w.t.pool.query(`select day::text, ${RESULT_COLUMNS} from hss.image_baseline_daily`);
    const strip = (rows: (ResultRow & { day: string; observed_at?: Date })[]) =>
      rows.map(({ observed_at: _o, ...r }) => JSON.stringify(r)).sort();
    expect(strip(again.rows)).toEqual(strip(all.rows));
  });

  it('the daily posture equals the daily facts summed, every day', async () => {
    const groups = `day::text, project_id, enterprise_project_id, image_type, check_name, check_type, standard, severity`;
    const fromFacts = await w.t.pool.query(
      `select ${groups}, count(*)::int as images, (count(*) filter (where failed_rule_num > 0))::int as images_failing,
              sum(failed_rule_num)::int as failed_items, sum(check_rule_num)::int as check_items
         from hss.image_baseline_daily group by ${groups} order by ${groups}`,
    );
    const posture = await w.t.pool.query(
      `select ${groups}, images, images_failing, failed_items::int, check_items::int
         from hss.posture_daily order by ${groups}`,
    );
    expect(posture.rows).toEqual(fromFacts.rows);
    expect(new Set(posture.rows.map((r) => r.day)).size).toBe(5);
  });

  it('retention deletes whole days of facts and the ledger before the cutoff, and nothing twice', async () => {
    const at = new Date(w.clock.now());
    const cutoffDay = addDays(dayOf(at.getTime()), -2);
    const runsBefore = await w.t.pool.query(
      `select count(*)::int as n from hss_internal.sync_runs where started_at < $1`,
      [`${cutoffDay}T00:00:00Z`],
    );
    expect(runsBefore.rows[0].n).toBeGreaterThan(0);
    const factsBefore = await w.t.pool.query(
      `select count(*)::int as n from hss_internal.image_baseline_daily_facts where day < $1`,
      [cutoffDay],
    );
    const postureBefore = await w.t.pool.query(
      `select count(*)::int as n from hss.posture_daily where day < $1`,
      [cutoffDay],
    );
    const versions = await w.t.pool.query(
      `select count(*)::int as n from hss_internal.image_baseline_history`,
    );
    const first = await applyRetention(w.app.db, at, { days: 2, historyDays: null });
    expect(first).toEqual({
      facts: factsBefore.rows[0].n,
      posture: postureBefore.rows[0].n,
      runs: runsBefore.rows[0].n,
      versions: 0,
    });
    const days = await w.t.pool.query(
      `select (select min(day)::text from hss.image_baseline_daily) as d, (select min(day)::text from hss.posture_daily) as p`,
    );
    expect(days.rows[0]).toEqual({ d: cutoffDay, p: cutoffDay });
    const scopeRuns = await w.t.pool.query(
      `select count(*)::int as n from hss_internal.sync_scope_runs s where not exists (select 1 from hss_internal.sync_runs r where r.run_id = s.run_id)`,
    );
    expect(scopeRuns.rows[0].n).toBe(0);
    expect(await applyRetention(w.app.db, at, { days: 2, historyDays: null })).toEqual({
      facts: 0,
      posture: 0,
      runs: 0,
      versions: 0,
    });
    const still = await w.t.pool.query(`select count(*)::int as n from hss_internal.image_baseline_history`);
    expect(still.rows[0].n).toBe(versions.rows[0].n);
  });

  it('history retention deletes only versions that ended before its cutoff', async () => {
    const at = new Date(w.clock.now());
    const closed = await w.t.pool.query(
      `select count(*)::int as n from hss_internal.image_baseline_history where valid_to is not null`,
    );
    expect(closed.rows[0].n).toBeGreaterThan(0);
    expect((await applyRetention(w.app.db, at, { days: null, historyDays: 30 })).versions).toBe(0);
    const r = await applyRetention(w.app.db, new Date(at.getTime() + 2 * DAY_MS), {
      days: null,
      historyDays: 1,
    });
    expect(r.versions).toBe(closed.rows[0].n);
    const open = await w.t.pool.query(
      `select count(*)::int as n from hss_internal.image_baseline_history where valid_to is null`,
    );
    expect(open.rows[0].n).toBe(truthRows(w.sim).length);
  });
});

describe('planDailyRefresh', () => {
  it('rebuilds from the last day with facts through today', () => {
    expect(
      planDailyRefresh({ lastDay: '2026-03-01', firstHistoryDay: null, openKeys: 100 }, '2026-03-04'),
    ).toEqual({ anchorDay: '2026-03-01', chunks: [{ from: '2026-03-01', to: '2026-03-04' }] });
  });

  it('starts at the first day of history, not before the retention horizon, when there are no facts', () => {
    const span = { lastDay: null, firstHistoryDay: '2025-01-01', openKeys: 100_000 };
    expect(planDailyRefresh(span, '2025-01-12')).toEqual({
      anchorDay: null,
      chunks: [
        { from: '2025-01-01', to: '2025-01-05' },
        { from: '2025-01-06', to: '2025-01-10' },
        { from: '2025-01-11', to: '2025-01-12' },
      ],
    });
    expect(planDailyRefresh(span, '2025-01-12', '2025-01-10').chunks).toEqual([
      { from: '2025-01-10', to: '2025-01-12' },
    ]);
  });

  it('rebuilds today only when the clock went back or nothing exists yet', () => {
    expect(
      planDailyRefresh({ lastDay: '2026-03-09', firstHistoryDay: null, openKeys: 1 }, '2026-03-04'),
    ).toEqual({
      anchorDay: '2026-03-09',
      chunks: [{ from: '2026-03-04', to: '2026-03-04' }],
    });
    expect(
      planDailyRefresh({ lastDay: null, firstHistoryDay: null, openKeys: 0 }, '2026-03-04').chunks,
    ).toEqual([{ from: '2026-03-04', to: '2026-03-04' }]);
  });
});
