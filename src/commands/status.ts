/**
 * `status [--json] [--runs N]`: recent runs with outcome, duration and counts; per scope the
 * images, how many are fresh, how many are pending and the age of the oldest result; the next
 * scheduled run. Reads the ledger only; needs DATABASE_URL and no HSS credentials.
 */
import { parseCommandArgs } from '../cli-args.js';
import { type Clock, systemClock } from '../clock.js';
import { loadStatusConfig } from '../config/load.js';
import { createDb } from '../db/pool.js';
import { EXIT } from '../exit-codes.js';
import { buildStatusReport, formatStatusText } from '../status-format.js';
import {
  assertLedger,
  loadRecentRuns,
  loadRecordedSchedule,
  loadScopeStatus,
  nextScheduledRun,
} from '../status-queries.js';
import { STATUS } from './specs.js';
import type { CliIo } from './types.js';

/** `status`: prints the report as text, or as JSON with `--json`. */
export async function run(io: CliIo, args: string[], clock: Clock = systemClock): Promise<number> {
  const values = parseCommandArgs(STATUS, args);
  const limit = values.runs ?? 10;
  const config = loadStatusConfig(io.env);
  const db = createDb(config.databaseUrl, { maxConnections: 1, applicationName: 'hss-baseline-sync-status' });
  try {
    await assertLedger(db.pool);
    const nowMs = clock.now();
    const runs = await loadRecentRuns(db.pool, limit);
    const scopes = await loadScopeStatus(db.pool, new Date(nowMs - config.maxResultAgeMs));
    // SYNC_SCHEDULE where status runs wins; else the schedule the daemon recorded with its runs.
    const recorded = config.scheduleSet ? null : await loadRecordedSchedule(db.pool);
    const schedule = recorded ?? { expression: config.schedule, timezone: config.timezone };
    const report = buildStatusReport({
      nowMs,
      maxResultAgeMs: config.maxResultAgeMs,
      schedule: {
        ...schedule,
        nextRun: nextScheduledRun(schedule.expression, schedule.timezone),
        source: config.scheduleSet ? 'SYNC_SCHEDULE' : recorded ? 'recorded' : 'default',
      },
      runs,
      scopes,
    });
    io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatusText(report));
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
