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

/** The health and metrics endpoints, when a port is set. */
async function startHttp(app: App, opts: DaemonOptions) {
  const metrics = opts.metrics;
  if (opts.httpPort <= 0) return null;
  const health = await startHealthServer({
    port: opts.httpPort,
    host: opts.httpHost,
    ready: () => app.assertMigrated(),
    metrics: metrics?.registry,
  });
  app.logger.info(
    { port: health.port, paths: metrics ? ['/healthz', '/readyz', '/metrics'] : ['/healthz', '/readyz'] },
    'http endpoints listening',
  );
  return health;
}

/** One run at a time: a tick that finds a run in flight is skipped (and counted). */
class Runs {
  inFlight: Promise<RunReport | null> | null = null;
  stopping = false;
  readonly abort = new AbortController();
  /** The scheduler's next run, once it is scheduled. */
  nextRun: () => Date | null = () => null;

  constructor(
    private readonly app: App,
    private readonly opts: DaemonOptions,
  ) {
    setMaxListeners(0, this.abort.signal);
  }

  readonly tick = (trigger: 'schedule' | 'demo'): Promise<RunReport | null> => {
    if (this.stopping) return Promise.resolve(null);
    if (this.inFlight) {
      this.opts.metrics?.tickSkipped();
      this.app.logger.warn('previous run still in progress: this tick is skipped');
      return Promise.resolve(null);
    }
    this.inFlight = this.run(trigger);
    return this.inFlight;
  };

  private async run(trigger: 'schedule' | 'demo'): Promise<RunReport | null> {
    const log = this.app.logger;
    try {
      await this.opts.beforeRun?.();
      const report = await this.app.sync({
        trigger,
        signal: this.abort.signal,
        schedule: { expression: this.opts.schedule, timezone: this.opts.timezone },
      });
      log.info({ summary: formatRunSummary(report), nextRun: this.nextRun()?.toISOString() }, 'run summary');
      await this.opts.afterRun?.(report);
      return report;
    } catch (err) {
      this.opts.metrics?.runCrashed();
      // Unexpected (a run records its own failures): the stack is what tells why.
      log.error({ err }, 'run failed to complete');
      return null;
    } finally {
      this.inFlight = null;
    }
  }
}

function scheduleRuns(app: App, opts: DaemonOptions, runs: Runs): ScheduledTask {
  const task: ScheduledTask = schedule(
    opts.schedule,
    // Returning the run keeps the replica's tick lock (the run coordinator) until it ends, so
    // two replicas never spend one credential's budget on the same tick.
    () => {
      opts.metrics?.setNextRun(runs.nextRun());
      return runs.tick('schedule');
    },
    {
      timezone: opts.timezone,
      name: 'hss-baseline-sync',
      noOverlap: true,
      distributed: true,
      runCoordinator: app.runCoordinator,
    },
  );
  runs.nextRun = () => task.getNextRun();
  return task;
}

export async function startDaemon(app: App, opts: DaemonOptions): Promise<Daemon> {
  if (opts.migrateOnStart) await app.migrate();
  else await app.assertMigrated();
  const health = await startHttp(app, opts);
  const runs = new Runs(app, opts);
  const task = scheduleRuns(app, opts, runs);
  opts.metrics?.setNextRun(runs.nextRun());
  app.logger.info(
    { schedule: opts.schedule, timezone: opts.timezone, next: runs.nextRun()?.toISOString() },
    'scheduler started',
  );
  if (opts.runOnStart) void runs.tick('schedule');

  return {
    health,
    tick: runs.tick,
    async stop() {
      if (runs.stopping) return;
      runs.stopping = true;
      await task.stop();
      await task.destroy();
      runs.abort.abort(new Error('daemon stopping'));
      if (runs.inFlight) await runs.inFlight;
      await health?.close();
    },
  };
}
