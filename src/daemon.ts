/**
 * The daemon (`start`): migrate, serve /healthz, /readyz and /metrics, sync once at boot, then on
 * SYNC_SCHEDULE with node-cron. Runs never overlap: a tick that finds a run in progress is skipped,
 * logged and counted.
 * SIGTERM/SIGINT stop scheduling, abort the run in flight (committed results are kept and the run
 * is recorded `aborted`), close the pool and exit 0.
 */
import { type ScheduledTask, schedule } from 'node-cron';
import { type App, createApp } from './app.js';
import type { CliIo } from './cli.js';
import { loadConfig } from './config/load.js';
import { errorSummary } from './errors.js';
import { type HealthServer, startHealthServer } from './health.js';
import { createLogger, resolveLogFormat } from './log.js';
import { createMetrics, type SyncMetrics } from './metrics.js';
import type { RunReport } from './sync/engine.js';
import { allowManyListeners } from './sync/signals.js';
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
  allowManyListeners(abort.signal);
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
        const report = await app.sync({ trigger, signal: abort.signal });
        log.info({ summary: formatRunSummary(report), nextRun: nextRun()?.toISOString() }, 'run summary');
        await opts.afterRun?.(report);
        return report;
      } catch (err) {
        metrics?.runCrashed();
        log.error({ err: errorSummary(err) }, 'run failed to complete');
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

/** `start`: the daemon until SIGTERM/SIGINT, then exit 0 within the shutdown bound. */
export async function cmdStart(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const format = resolveLogFormat(config.logFormat, io.stdout);
  const logger = createLogger({ level: config.logLevel, format, destination: io.stdout });
  const metrics = createMetrics();
  const app = createApp(config, { logger, observer: metrics.observer });
  metrics.watchPacer(app.pacer);
  // Listen before booting: a SIGTERM during the boot migration then stops the daemon cleanly
  // instead of killing the process mid-way.
  const source = io.signals ?? process;
  let detach = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    const onSignal = (name: string) => {
      logger.info({ signal: name }, 'shutting down');
      detach();
      // Bound the shutdown of the real process: whatever hangs (a migration lock, a dead
      // database), it ends within 9 s.
      if (source === process) {
        setTimeout(() => {
          logger.error('shutdown took longer than 9 s: exiting anyway');
          process.exit(0);
        }, 9_000).unref();
      }
      resolve();
    };
    const onTerm = () => onSignal('SIGTERM');
    const onInt = () => onSignal('SIGINT');
    source.on('SIGTERM', onTerm);
    source.on('SIGINT', onInt);
    detach = () => {
      source.off('SIGTERM', onTerm);
      source.off('SIGINT', onInt);
    };
  });
  let daemon: Daemon;
  try {
    daemon = await startDaemon(app, {
      schedule: config.schedule,
      timezone: config.timezone,
      runOnStart: config.runOnStart,
      migrateOnStart: config.migrateOnStart,
      httpPort: config.httpPort,
      httpHost: config.httpHost,
      metrics,
    });
  } catch (err) {
    detach();
    await app.close();
    throw err;
  }
  await stopRequested;
  await daemon.stop();
  await app.close();
  logger.info('stopped');
  return 0;
}
