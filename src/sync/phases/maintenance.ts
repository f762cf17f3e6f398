/**
 * The maintenance phase, the run's last: the daily facts brought up to date, then the retention
 * policy applied (store.maintain). Timed, logged and recorded in the run's ledger row
 * (hss_internal.sync_runs.maintenance). Its failure leaves the run's status as it is: the next
 * run repairs the facts. A run stopped by SIGTERM skips it, so that it ends within seconds.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { MaintenanceReport } from '../../domain.js';
import { errorSummary } from '../../errors.js';
import type { SyncStore } from '../store.js';

/** Whether a run that ended `status` maintains: every run but one stopped by its signal. */
export function maintains(status: string): boolean {
  return status !== 'aborted';
}

export async function runMaintenance(
  deps: { store: Pick<SyncStore, 'maintain'>; clock: Clock },
  log: Logger,
): Promise<MaintenanceReport> {
  const start = deps.clock.now();
  const startedAt = new Date(start);
  log.info('maintenance started');
  let report: MaintenanceReport;
  try {
    const done = await deps.store.maintain(startedAt);
    report = { startedAt, durationMs: deps.clock.now() - start, ...done, error: null };
    log.info(
      { durationMs: report.durationMs, dailyDays: report.dailyDays, pruned: report.pruned },
      'maintenance finished',
    );
  } catch (err) {
    const error = errorSummary(err);
    const none = { facts: 0, posture: 0, runs: 0, versions: 0 };
    report = { startedAt, durationMs: deps.clock.now() - start, dailyDays: 0, pruned: none, error };
    log.warn(
      { durationMs: report.durationMs, err: error },
      'daily facts or retention failed after the run; the next run repairs them',
    );
  }
  return report;
}
