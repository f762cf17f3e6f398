/**
 * Retention: HSS_RETENTION_DAYS prunes the daily facts and the run ledger; the history is kept
 * unless HSS_HISTORY_RETENTION_DAYS is set. Cutoffs fall on UTC midnights, so the runs of one
 * day prune at most once and every other run of that day deletes nothing.
 */
import { addDays, utcDay } from './daily.js';
import type { DbHandle } from './pool.js';
import { query } from './tx.js';

/** How long to keep things, in days; null = for ever. */
export interface RetentionPolicy {
  /** Daily facts and run ledger (HSS_RETENTION_DAYS). */
  days: number | null;
  /** Closed history versions (HSS_HISTORY_RETENTION_DAYS). */
  historyDays: number | null;
}

export interface RetentionCutoffs {
  /** Daily facts of days before this (`YYYY-MM-DD`) go. */
  factsBeforeDay: string | null;
  /** Runs (and their scope runs) started before this go. */
  runsBefore: Date | null;
  /** History versions that ended before this go. */
  historyBefore: Date | null;
}

const midnight = (day: string) => new Date(`${day}T00:00:00Z`);

/**
 * Pure: with N days, everything older than the UTC day N days before `at`'s day goes; that day
 * and the N days after it (today included) stay.
 */
export function retentionCutoffs(at: Date, policy: RetentionPolicy): RetentionCutoffs {
  const today = utcDay(at);
  const day = (n: number | null) => (n === null || n <= 0 ? null : addDays(today, -n));
  const facts = day(policy.days);
  const history = day(policy.historyDays);
  return {
    factsBeforeDay: facts,
    runsBefore: facts === null ? null : midnight(facts),
    historyBefore: history === null ? null : midnight(history),
  };
}

/** Deletes the daily facts of days before `beforeDay`. Returns how many rows went. */
export async function pruneDailyFacts(h: DbHandle, beforeDay: string): Promise<number> {
  const r = await query(
    h,
    'pruneDailyFacts',
    'DELETE FROM hss_internal.image_baseline_daily_facts WHERE day < $1::date',
    [beforeDay],
  );
  return r.rowCount ?? 0;
}

/** Deletes the daily posture of days before `beforeDay`. Returns how many rows went. */
export async function prunePostureDaily(h: DbHandle, beforeDay: string): Promise<number> {
  const r = await query(
    h,
    'prunePostureDaily',
    'DELETE FROM hss_internal.posture_daily_facts WHERE day < $1::date',
    [beforeDay],
  );
  return r.rowCount ?? 0;
}

/**
 * Deletes finished runs started before `before`; their scope runs go with them (ON DELETE
 * CASCADE). A run still `running` is left to the reaper. Returns how many runs went.
 */
export async function pruneRunLedger(h: DbHandle, before: Date): Promise<number> {
  const r = await query(
    h,
    'pruneRunLedger',
    `DELETE FROM hss_internal.sync_runs WHERE started_at < $1 AND status <> 'running'`,
    [before],
  );
  return r.rowCount ?? 0;
}

/**
 * Deletes history versions that ended before `before`, recording per key the chain hash of the
 * last one deleted as the start of the chain left (`at`: when), through the owner's
 * hss_internal.prune_history (migrations/surface/): the worker's login holds no DELETE on the
 * histories and no write on the anchors (docs/audit.md). Open versions are never touched; the
 * versions left still never overlap (deleting cannot create an overlap), but what happened before
 * the cutoff is no longer known. Returns how many versions went.
 */
export async function pruneHistory(h: DbHandle, before: Date, at: Date): Promise<number> {
  const r = await query<{ n: number }>(
    h,
    'pruneHistory',
    'SELECT hss_internal.prune_history($1::timestamptz, $2::timestamptz) AS n',
    [before, at],
  );
  return r.rows[0]?.n ?? 0;
}

/** Rows each prune deleted. */
export interface RetentionCounts {
  facts: number;
  posture: number;
  runs: number;
  versions: number;
}

/** Applies `policy` as of `at`: each prune its own statement, only those configured. */
export async function applyRetention(
  h: DbHandle,
  at: Date,
  policy: RetentionPolicy,
): Promise<RetentionCounts> {
  const cut = retentionCutoffs(at, policy);
  return {
    facts: cut.factsBeforeDay === null ? 0 : await pruneDailyFacts(h, cut.factsBeforeDay),
    posture: cut.factsBeforeDay === null ? 0 : await prunePostureDaily(h, cut.factsBeforeDay),
    runs: cut.runsBefore === null ? 0 : await pruneRunLedger(h, cut.runsBefore),
    versions: cut.historyBefore === null ? 0 : await pruneHistory(h, cut.historyBefore, at),
  };
}
