/**
 * What `status` reads (src/commands/status.ts): recent runs, and per scope the images, how many
 * are fresh, how many are pending and the oldest result; the next scheduled run. It reads only
 * the public views of schema hss, so a login granted hss_reader is enough.
 */
import { createTask } from 'node-cron';
import type pg from 'pg';
import { DbError } from './errors.js';
import type { RunRow, ScopeRow } from './status-format.js';

/** Throws a clear error when the database has not been migrated (no ledger to read). */
export async function assertLedger(pool: pg.Pool): Promise<void> {
  const r = await pool.query<{ t: string | null }>(`select to_regclass('hss.sync_runs')::text as t`);
  if (!r.rows[0]?.t) {
    throw new DbError('the database has no hss schema yet: run `hss-baseline-sync migrate` first');
  }
}

/** The newest `limit` runs. */
export async function loadRecentRuns(pool: pg.Pool, limit: number): Promise<RunRow[]> {
  const r = await pool.query<RunRow>(
    `select run_id, status, trigger, started_at, finished_at,
            scopes_total, scopes_succeeded, scopes_partial, scopes_failed,
            images_listed, images_distinct, images_due, images_fetched, images_not_scanned,
            images_pending, images_retired, versions_opened, versions_closed,
            api_calls, throttled, retries, items_quarantined, error,
            rule_images_due, rule_images_fetched, rule_images_pending, api_backlog, coverage
       from hss.sync_runs
      order by started_at desc, run_id
      limit $1`,
    [limit],
  );
  return r.rows;
}

/**
 * Every scope the sync has seen, with its present contents (those with a present reference whose
 * results or "not scanned" were recorded; fresh = recorded after `freshSince`), the oldest stored
 * result, the pending count and outcome of its last finished scope run, and its present contents
 * per coverage state now (hss.image_coverage; states without one absent). Public views only.
 */
export async function loadScopeStatus(pool: pg.Pool, freshSince: Date): Promise<ScopeRow[]> {
  const r = await pool.query<ScopeRow>(
    `with contents as (
       select project_id, enterprise_project_id, image_type,
              count(last_verified_at)::int as images,
              count(*) filter (where last_verified_at > $1)::int as fresh
         from hss.image_posture
        group by project_id, enterprise_project_id, image_type
     ), last_run as (
       select distinct on (project_id, enterprise_project_id, image_type)
              project_id, enterprise_project_id, image_type, status, images_pending
         from hss.sync_scope_runs
        where status <> 'running'
        order by project_id, enterprise_project_id, image_type, started_at desc
     ), states as (
       select project_id, enterprise_project_id, image_type, coverage, count(*)::int as n,
              min(checked_at) as oldest_result_at
         from hss.image_coverage
        group by project_id, enterprise_project_id, image_type, coverage
     ), cov as (
       select project_id, enterprise_project_id, image_type, jsonb_object_agg(coverage, n) as coverage,
              min(oldest_result_at) as oldest_result_at
         from states
        group by project_id, enterprise_project_id, image_type
     )
     select s.target, s.project_id, s.enterprise_project_id, s.image_type,
            coalesce(c.images, 0) as images, coalesce(c.fresh, 0) as fresh,
            coalesce(r.images_pending, 0) as pending, v.oldest_result_at,
            r.status as last_status, s.last_success_at, coalesce(v.coverage, '{}'::jsonb) as coverage
       from hss.scope_status s
       left join contents c using (project_id, enterprise_project_id, image_type)
       left join last_run r using (project_id, enterprise_project_id, image_type)
       left join cov v using (project_id, enterprise_project_id, image_type)
      order by s.project_id, s.enterprise_project_id, s.image_type`,
    [freshSince],
  );
  return r.rows;
}

/** The schedule's next run from now (null when the expression has none). */
export function nextScheduledRun(schedule: string, timezone: string): Date | null {
  const task = createTask(schedule, () => {}, { timezone });
  try {
    // getNextRun() answers null on a task that was never started; getNextRuns() does not care.
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    void task.destroy();
  }
}

/**
 * The schedule the daemon recorded with its newest scheduled run (hss.sync_runs.schedule), or
 * null when no run recorded one. Reads the public view: a login granted hss_reader is enough.
 */
export async function loadRecordedSchedule(
  pool: pg.Pool,
): Promise<{ expression: string; timezone: string } | null> {
  const r = await pool.query<{ schedule: { expression?: unknown; timezone?: unknown } | null }>(
    `SELECT schedule FROM hss.sync_runs WHERE schedule IS NOT NULL ORDER BY started_at DESC LIMIT 1`,
  );
  const s = r.rows[0]?.schedule;
  if (!s || typeof s.expression !== 'string' || typeof s.timezone !== 'string') return null;
  return { expression: s.expression, timezone: s.timezone };
}
