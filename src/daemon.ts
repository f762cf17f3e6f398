/**
 * The daemon (`start`): migrate, serve /healthz, /readyz and /metrics, sync once at boot, then on
 * SYNC_SCHEDULE with node-cron. Runs never overlap: a tick that finds a run in progress is skipped,
 * logged and counted.
 * `stop()` stops scheduling and aborts the run in flight (committed results are kept and the run
 * is recorded `aborted`); the `start` command (src/commands/start.ts) calls it on SIGTERM/SIGINT.
 */
import { setMaxListeners } from 'node:events';
import { type ScheduledTask, schedule } from 'node-cron';
import type { App } from './app.js';
import { type HealthServer, startHealthServer } from './health.js';
import type { SyncMetrics } from './metrics.js';
import type { RunReport } from './sync/engine.js';
import { formatRunSummary } from './sync/summary.js';

export interface Daemon {
  /** Resolves when the in-flight run (if any) finished. */
  stop(): Promise<void>;
  /** Runs a sync now unless one is running (then returns null). */
  tick(trigger: 'schedule' | 'demo'): Promise<RunReport | null>;
  readonly health: HealthServer | null;
}

export interface DaemonOptions {
  schedule: string;
  timezone: string;
  runOnStart: boolean;
  migrateOnStart: boolean;
  /** 0 = no HTTP endpoints. */
  httpPort: number;
  /** Default 0.0.0.0. */
  httpHost?: string;
  /** Served at /metrics; the daemon also reports the next run and skipped ticks on it. */
  metrics?: SyncMetrics;
  /** Called after each run (the demo prints answers). */
  afterRun?(report: RunReport): Promise<void> | void;
  /** Called before each scheduled run (the demo rescans a few simulator images). */
  beforeRun?(): Promise<void> | void;
}

export async function startDaemon(app: App, opts: DaemonOptions): Promise<Daemon> {
  const log = app.logger;
  if (opts.migrateOnStart) await app.migrate();
  else await app.assertMigrated();
  const metrics = opts.metrics;
  const health =
    opts.httpPort > 0
      ? await startHealthServer({
          port: opts.httpPort,
          host: opts.httpHost,
          ready: () => app.assertMigrated(),
          metrics: metrics?.registry,
        })
      : null;
  if (health) {
    log.info(
      { port: health.port, paths: metrics ? ['/healthz', '/readyz', '/metrics'] : ['/healthz', '/readyz'] },
      'http endpoints listening',
    );
  }

  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  let inFlight: Promise<RunReport | null> | null = null;
  let stopping = false;

  const tick = (trigger: 'schedule' | 'demo'): Promise<RunReport | null> => {
    if (stopping) return Promise.resolve(null);
    if (inFlight) {
      metrics?.tickSkipped();
      log.warn('previous run still in progress: this tick is skipped');
      return Promise.resolve(null);
    }
    inFlight = (async () => {
      try {
        await opts.beforeRun?.();
        const report = await app.sync({
          trigger,
          signal: abort.signal,
          schedule: { expression: opts.schedule, timezone: opts.timezone },
        });
        log.info({ summary: formatRunSummary(report), nextRun: nextRun()?.toISOString() }, 'run summary');
        await opts.afterRun?.(report);
        return report;
      } catch (err) {
        metrics?.runCrashed();
        // Unexpected (a run records its own failures): the stack is what tells why.
        log.error({ err }, 'run failed to complete');
        return null;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };

  const task: ScheduledTask = schedule(
    opts.schedule,
    // Returning the run keeps the replica's tick lock (the run coordinator) until it ends, so
    // two replicas never spend one credential's budget on the same tick.
    () => {
      metrics?.setNextRun(nextRun());
      return tick('schedule');
    },
    {
      timezone: opts.timezone,
      name: 'hss-baseline-sync',
      noOverlap: true,
      distributed: true,
      runCoordinator: app.runCoordinator,
    },
  );
  const nextRun = (): Date | null => task.getNextRun();
  metrics?.setNextRun(nextRun());
  log.info(
    { schedule: opts.schedule, timezone: opts.timezone, next: nextRun()?.toISOString() },
    'scheduler started',
  );
  if (opts.runOnStart) void tick('schedule');

  return {
    health,
    tick,
    async stop() {
      if (stopping) return;
      stopping = true;
      await task.stop();
      await task.destroy();
      abort.abort(new Error('daemon stopping'));
      if (inFlight) await inFlight;
      await health?.close();
    },
  };
}
