/**
 * The daily facts (hss_internal.image_baseline_daily_facts, read through the view hss.image_baseline_daily):
 * one row per UTC day and result key current at the end of that day (for today: the current
 * rows), dense, refreshed at the end of every run.
 *
 * A refresh recomputes, from the history, only the days that can have changed since the last
 * one: the last day that has facts (a run may have written after it was built) through today;
 * the days between had no run and are carried forward. It writes only the differences, so a
 * run that changed nothing changes no tuple, and a day's rows are inserted once.
 */
import { refreshPostureSql } from './daily-posture.js';
import { reconcileDaysSql } from './daily-reconcile.js';
import type { DbHandle } from './pool.js';
import { RESULT_KEY_COLUMNS } from './schema/index.js';
import { inTransaction, query } from './tx.js';

/** Rows one refresh statement may build at most; days are chunked to stay under it. */
export const MAX_ROWS_PER_CHUNK = 500_000;
/** Longest chunk in days. */
export const MAX_DAYS_PER_CHUNK = 31;
/** Hashed into the transaction advisory lock that serialises refreshes across processes. */
export const DAILY_LOCK_NAME = 'hss-baseline-sync:daily-facts';

const DAY_MS = 86_400_000;

/** The UTC calendar day of an instant, as `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `day` (`YYYY-MM-DD`) plus `n` days. */
export function addDays(day: string, n: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Whole days from `a` to `b` (both `YYYY-MM-DD`). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** What the database holds, for planning a refresh. */
export interface DailySpan {
  /** Latest day with facts; null when there are none. */
  lastDay: string | null;
  /** UTC day of the earliest version in the history (read only when there are no facts). */
  firstHistoryDay: string | null;
  /** Open versions (result keys current now). */
  openKeys: number;
}

export interface DailyChunk {
  from: string;
  to: string;
}

export interface DailyRefreshPlan {
  /** The day whose facts existed before this refresh: their observed_at carries forward. */
  anchorDay: string | null;
  chunks: DailyChunk[];
}

/**
 * Pure: which days to rebuild, in chunks of at most MAX_ROWS_PER_CHUNK rows. From the last day
 * with facts (or, with none, the first day of history, not before `earliestDay`) through
 * `today`. A clock that went back (last day after today) rebuilds today only.
 */
export function planDailyRefresh(
  span: DailySpan,
  today: string,
  earliestDay: string | null = null,
): DailyRefreshPlan {
  let from = span.lastDay ?? span.firstHistoryDay ?? today;
  if (span.lastDay === null && earliestDay !== null && from < earliestDay) from = earliestDay;
  if (from > today) from = today;
  const perChunk = Math.max(
    1,
    Math.min(MAX_DAYS_PER_CHUNK, Math.floor(MAX_ROWS_PER_CHUNK / Math.max(1, span.openKeys))),
  );
  const chunks: DailyChunk[] = [];
  for (let start = from; start <= today; start = addDays(start, perChunk)) {
    const end = addDays(start, perChunk - 1);
    chunks.push({ from: start, to: end < today ? end : today });
  }
  return { anchorDay: span.lastDay, chunks };
}

// The earliest history day is read only when there are no facts yet: an uncorrelated subquery in
// an untaken CASE branch is an init plan that never runs.
const SPAN_SQL = `
SELECT to_char(l.last_day, 'YYYY-MM-DD') AS last_day,
  CASE WHEN l.last_day IS NULL THEN to_char((
    SELECT min(valid_from) FROM hss_internal.image_baseline_history) AT TIME ZONE 'UTC', 'YYYY-MM-DD') END AS first_history_day,
  (SELECT count(*) FROM hss_internal.image_baseline_history WHERE valid_to IS NULL)::int AS open_keys
FROM (SELECT max(day) AS last_day FROM hss_internal.image_baseline_daily_facts) l`;

/** Reads what planDailyRefresh needs. */
export async function loadDailySpan(h: DbHandle): Promise<DailySpan> {
  const r = await query<{ last_day: string | null; first_history_day: string | null; open_keys: number }>(
    h,
    'loadDailySpan',
    SPAN_SQL,
    [],
  );
  const row = r.rows[0];
  return {
    lastDay: row?.last_day ?? null,
    firstHistoryDay: row?.first_history_day ?? null,
    openKeys: row?.open_keys ?? 0,
  };
}

const KEY_COLUMNS = RESULT_KEY_COLUMNS.join(', ');
const keyColumnsOf = (alias: string) => RESULT_KEY_COLUMNS.map((k) => `${alias}.${k}`).join(', ');
const VERSION_COLUMNS = `h.version_id, h.result_key, h.valid_from, h.severity, h.check_rule_num, h.failed_rule_num,
    ${keyColumnsOf('h')}`;

// Past days: the version in force at the end of the day, i.e. valid_from < end(D) <= valid_to.
// Expanded per version (days date(valid_from) .. date(valid_to) - 1), one pass over the versions
// that reach into the chunk. $1 = from, $2 = last past day of the chunk.
const PAST_DAYS = `
  SELECT $1::date + g.i AS day, (($1::date + g.i + 1)::timestamp AT TIME ZONE 'UTC') AS day_end, ${VERSION_COLUMNS}
  FROM hss_internal.image_baseline_history h
  CROSS JOIN LATERAL generate_series(
    greatest((h.valid_from AT TIME ZONE 'UTC')::date, $1::date) - $1::date,
    least(coalesce((h.valid_to AT TIME ZONE 'UTC')::date - 1, $2::date), $2::date) - $1::date) AS g(i)
  WHERE h.valid_from < (($2::date + 1)::timestamp AT TIME ZONE 'UTC')
    AND (h.valid_to IS NULL OR h.valid_to >= (($1::date + 1)::timestamp AT TIME ZONE 'UTC'))`;

// Today: the current rows, i.e. the open versions. $3 = today.
const TODAY = `
  SELECT $3::date AS day, NULL::timestamptz AS day_end, ${VERSION_COLUMNS}
  FROM hss_internal.image_baseline_history h
  WHERE h.valid_to IS NULL`;

/**
 * The statement that brings the facts of days [$1 .. $4] in line with the history: inserts the
 * missing rows, updates the differing ones, deletes the ones of keys no longer current, and
 * records new keys in result_keys. observed_at is the last confirmation known at the end of the
 * day: the image's last fetch if it happened before then, else what the anchor day ($5) knew,
 * never before the version opened. Returns the four counts.
 */
export function refreshDaysSql(part: { past: boolean; today: boolean }): string {
  const sources = [part.past ? PAST_DAYS : null, part.today ? TODAY : null].filter((s) => s !== null);
  if (sources.length === 0) throw new Error('refreshDaysSql: no days to refresh');
  // typed declares every parameter's type even when a part that uses it is left out
  return `
WITH typed AS (SELECT $1::date AS first_day, $2::date AS last_past, $3::date AS today, $4::date AS last_day,
  $5::date AS anchor_day),
v AS (${sources.join('\n  UNION ALL')}
),
want AS MATERIALIZED (
  SELECT v.day, v.result_key, v.version_id, v.severity, v.check_rule_num, v.failed_rule_num,
    greatest(
      v.valid_from,
      CASE WHEN c.outcome = 'fetched' AND (v.day_end IS NULL OR c.fetched_at < v.day_end) THEN c.fetched_at END,
      a.observed_at) AS observed_at,
    ${keyColumnsOf('v')}
  FROM v
  LEFT JOIN hss_internal.image_contents c
    ON c.project_id = v.project_id AND c.enterprise_project_id = v.enterprise_project_id
    AND c.image_type = v.image_type AND c.image_id = v.image_id
  LEFT JOIN hss_internal.image_baseline_daily_facts a ON a.day = $5::date AND a.result_key = v.result_key
),
new_keys AS (
  INSERT INTO hss_internal.result_keys (result_key, ${KEY_COLUMNS})
  SELECT DISTINCT ON (w.result_key) w.result_key, ${keyColumnsOf('w')}
  FROM want w
  WHERE NOT EXISTS (SELECT 1 FROM hss_internal.result_keys k WHERE k.result_key = w.result_key)
  ON CONFLICT (result_key) DO NOTHING
  RETURNING 1
),
${reconcileDaysSql({
  table: 'hss_internal.image_baseline_daily_facts',
  alias: 'f',
  from: '$1',
  to: '$4',
  key: 'result_key',
  values: ['version_id', 'severity', 'check_rule_num', 'failed_rule_num', 'observed_at'],
})}
SELECT (SELECT count(*) FROM inserted)::int AS inserted, (SELECT count(*) FROM updated)::int AS updated,
  (SELECT count(*) FROM deleted)::int AS deleted, (SELECT count(*) FROM new_keys)::int AS keys_added`;
}

/** Tuples a refresh changed: daily facts, new result keys, and rows of the daily posture. */
export interface DailyRefreshCounts {
  inserted: number;
  updated: number;
  deleted: number;
  keysAdded: number;
  postureChanged: number;
}

/**
 * Rebuilds the facts of days `from`..`to` (`YYYY-MM-DD`, `to` <= `today`), then their daily
 * posture, in one transaction serialised with other processes' refreshes by a transaction
 * advisory lock. Days before `today` get the state at their end; `today` gets the current rows.
 */
export async function refreshDailyChunk(
  h: DbHandle,
  chunk: DailyChunk,
  today: string,
  anchorDay: string | null,
): Promise<DailyRefreshCounts> {
  const lastPast = chunk.to < today ? chunk.to : addDays(today, -1);
  const sql = refreshDaysSql({ past: lastPast >= chunk.from, today: chunk.to === today });
  return inTransaction(h, { op: 'refreshDailyFacts' }, async (client) => {
    // The statement inserts into and updates the table it also reads. A nested loop that rescans
    // it (the plan an empty, freshly analysed table invites) would walk every tuple the statement
    // has added so far for every row: quadratic. Hash and merge joins read it once. The row
    // estimates of the per-version day expansion are rough, so JIT would only add compile time.
    await client.query(`SELECT set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)`);
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [DAILY_LOCK_NAME]);
    const r = await client.query<{ inserted: number; updated: number; deleted: number; keys_added: number }>(
      sql,
      [chunk.from, lastPast, today, chunk.to, anchorDay],
    );
    const row = r.rows[0];
    const p = await client.query<{ inserted: number; updated: number; deleted: number }>(
      refreshPostureSql(),
      [chunk.from, chunk.to],
    );
    const posture = p.rows[0];
    return {
      inserted: row?.inserted ?? 0,
      updated: row?.updated ?? 0,
      deleted: row?.deleted ?? 0,
      keysAdded: row?.keys_added ?? 0,
      postureChanged: (posture?.inserted ?? 0) + (posture?.updated ?? 0) + (posture?.deleted ?? 0),
    };
  });
}

export interface DailyRefreshOptions {
  /** With no facts yet, build nothing before this day (the retention horizon). Default: none. */
  earliestDay?: string | null;
}

/**
 * Brings the daily facts up to `at` (its UTC day is "today"): fills the days since the last
 * refresh from the history and makes today's rows equal the current rows. Returns the summed
 * counts; a run that changed nothing returns zeros and changed no tuple.
 */
export async function refreshDailyFacts(
  h: DbHandle,
  at: Date,
  opts: DailyRefreshOptions = {},
): Promise<DailyRefreshCounts & { days: number }> {
  const today = utcDay(at);
  const plan = planDailyRefresh(await loadDailySpan(h), today, opts.earliestDay ?? null);
  const total = { inserted: 0, updated: 0, deleted: 0, keysAdded: 0, postureChanged: 0, days: 0 };
  for (const chunk of plan.chunks) {
    const c = await refreshDailyChunk(h, chunk, today, plan.anchorDay);
    total.inserted += c.inserted;
    total.updated += c.updated;
    total.deleted += c.deleted;
    total.keysAdded += c.keysAdded;
    total.postureChanged += c.postureChanged;
    total.days += daysBetween(chunk.from, chunk.to) + 1;
  }
  return total;
}
