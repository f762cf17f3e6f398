/** `status [--json]`: recent runs, per-scope freshness and the next scheduled run. */
import { parseArgs } from 'node:util';
import { createTask } from 'node-cron';
import type { CliIo } from './cli.js';
import { DEFAULT_SCHEDULE, loadDatabaseUrl } from './config/load.js';
import { createDb } from './db/pool.js';
import { formatTable } from './demo.js';

const RUNS_SQL = `select run_id, status, trigger, started_at, finished_at,
       round(extract(epoch from (coalesce(finished_at, now()) - started_at))::numeric, 1)::float8 as duration_s,
       images_listed, images_due, images_fetched, images_pending, versions_opened, versions_closed,
       api_calls, throttled, error
  from hss.sync_runs order by started_at desc limit $1`;

const SCOPES_SQL = `select s.project_id, s.enterprise_project_id, s.image_type,
       s.last_inventory_at, s.last_complete_inventory_at,
       (select count(*)::int from hss.image_contents c
         where c.project_id = s.project_id and c.enterprise_project_id = s.enterprise_project_id
           and c.image_type = s.image_type and c.removed_at is null) as images,
       (select count(*)::int from hss.image_contents c
         where c.project_id = s.project_id and c.enterprise_project_id = s.enterprise_project_id
           and c.image_type = s.image_type and c.removed_at is null and c.fetched_at > now() - interval '1 day') as fresh_1d,
       (select r.images_pending from hss.sync_scope_runs r
         where r.project_id = s.project_id and r.enterprise_project_id = s.enterprise_project_id
           and r.image_type = s.image_type order by r.started_at desc limit 1) as pending,
       (select round(extract(epoch from now() - min(c.fetched_at)) / 3600)::int from hss.image_contents c
         where c.project_id = s.project_id and c.enterprise_project_id = s.enterprise_project_id
           and c.image_type = s.image_type and c.removed_at is null and c.outcome = 'fetched') as oldest_result_h
  from hss.scope_state s
 order by s.project_id, s.enterprise_project_id, s.image_type`;

function nextRun(schedule: string, timezone: string): string | null {
  try {
    const task = createTask(schedule, () => {}, { timezone });
    const next = task.getNextRun();
    void task.destroy();
    return next ? next.toISOString() : null;
  } catch {
    return null;
  }
}

export async function cmdStatus(io: CliIo, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean', default: false }, runs: { type: 'string', default: '10' } },
    strict: true,
  });
  const limit = Math.min(200, Math.max(1, Number(values.runs) || 10));
  const db = createDb(loadDatabaseUrl(io.env));
  try {
    const runs = (await db.pool.query(RUNS_SQL, [limit])).rows;
    const scopes = (await db.pool.query(SCOPES_SQL)).rows;
    const schedule = io.env.SYNC_SCHEDULE?.trim() || DEFAULT_SCHEDULE;
    const next = nextRun(schedule, io.env.SYNC_TIMEZONE?.trim() || 'UTC');
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ runs, scopes, schedule, nextRun: next }, null, 2)}\n`);
    } else {
      io.stdout.write(
        `Recent runs:\n${formatTable(runs.map(({ error, ...r }) => ({ ...r, error: error ?? '' })))}`,
      );
      io.stdout.write(`\nScopes:\n${formatTable(scopes)}`);
      io.stdout.write(`\nSchedule: ${schedule}; next run ${next ?? 'unknown'} (if the daemon is running)\n`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
