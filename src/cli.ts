/**
 * The `hss-baseline-sync` command. Each subcommand loads only the config it needs, and every
 * configuration problem ends with exit code 78 and one line naming the variable.
 */
import { createApp } from './app.js';
import { type Env, loadConfig, loadDatabaseUrl } from './config/load.js';
import { migrate } from './db/migrate.js';
import { createDb } from './db/pool.js';
import { configErrorIn, errorSummary } from './errors.js';
import { createLogger } from './log.js';
import { createProgressReporter, progressMode } from './progress.js';
import { failedOnConfiguration } from './sync/diagnose.js';
import { type RunReport, scopesOf } from './sync/engine.js';
import { allowManyListeners } from './sync/signals.js';
import { formatRunSummary } from './sync/summary.js';
import { escapeControls } from './text.js';

export interface CliIo {
  env: Env;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Where SIGTERM/SIGINT come from; default the process. */
  signals?: NodeJS.EventEmitter;
}

/** Exit codes (documented in the README). */
export const EXIT = {
  ok: 0,
  failed: 1,
  partial: 2,
  aborted: 3,
  usage: 64,
  config: 78,
} as const;

const USAGE = `Usage: hss-baseline-sync <command> [options]

Commands:
  migrate            apply database migrations (DATABASE_URL)
  sync               run one sync now; prints a one-line summary
                     exit 0 succeeded, 2 partial, 1 failed, 3 aborted
  start              daemon: migrate, sync on SYNC_SCHEDULE, serve /healthz /readyz /metrics
  status [--json]    recent runs, per-scope freshness and the next scheduled run
                     (--runs N: how many runs, default 10)
  simulate           serve the HSS simulator (--port 8080 --host 127.0.0.1 --seed 1
                     --images 40 --rate-limit 0 --token sim-token)
  demo [--once]      embedded PostgreSQL + simulator + sync, then every 20 s until Ctrl-C
                     (--use-database-url: use DATABASE_URL instead, an empty database or the demo's)

Configuration is read from environment variables; see README.md, "Configuration".
`;

function levelFromEnv(env: Env, fallback: string): string {
  return env.LOG_LEVEL?.trim() || fallback;
}

function logFormat(env: Env, stream: NodeJS.WritableStream): 'json' | 'pretty' {
  const f = env.LOG_FORMAT?.trim();
  if (f === 'pretty' || f === 'json') return f;
  return (stream as NodeJS.WriteStream).isTTY ? 'pretty' : 'json';
}

/** How long a stop may take after SIGTERM/SIGINT before the process exits regardless. */
export const SHUTDOWN_BOUND_MS = 9_000;

/**
 * Runs `fn` with an AbortSignal that fires on SIGTERM/SIGINT; a second signal exits at once.
 * For the real process, the first signal also arms an unref'd timer that exits after
 * SHUTDOWN_BOUND_MS, so a stop is bounded even if something (a dead database) hangs.
 */
async function withSignals<T>(io: CliIo, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const source = io.signals ?? process;
  const ctrl = new AbortController();
  allowManyListeners(ctrl.signal);
  let count = 0;
  const onSignal = (name: string) => {
    count++;
    if (count === 1) {
      io.stderr.write(`received ${name}: stopping (committed results are kept)\n`);
      ctrl.abort(new Error(`received ${name}`));
      if (source === process) {
        setTimeout(() => {
          io.stderr.write(`stopping took longer than ${SHUTDOWN_BOUND_MS / 1000} s: exiting now\n`);
          process.exit(EXIT.aborted);
        }, SHUTDOWN_BOUND_MS).unref();
      }
    } else {
      io.stderr.write(`received ${name} again: exiting now\n`);
      process.exit(EXIT.aborted);
    }
  };
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');
  source.on('SIGTERM', onTerm);
  source.on('SIGINT', onInt);
  try {
    return await fn(ctrl.signal);
  } finally {
    source.off('SIGTERM', onTerm);
    source.off('SIGINT', onInt);
  }
}

export async function main(
  argv: string[],
  io: CliIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'migrate':
        return await cmdMigrate(io);
      case 'sync':
        return await cmdSync(io);
      case 'start': {
        const { cmdStart } = await import('./daemon.js');
        return await cmdStart(io);
      }
      case 'status': {
        const { cmdStatus } = await import('./status.js');
        return await cmdStatus(io, rest);
      }
      case 'simulate': {
        const { cmdSimulate } = await import('./simulate-cli.js');
        return await cmdSimulate(io, rest);
      }
      case 'demo': {
        const { cmdDemo } = await import('./demo.js');
        return await cmdDemo(io, rest);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        io.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
        return EXIT.usage;
    }
  } catch (err) {
    // A wrong database setting may arrive wrapped ("migrate failed: …"): the setting is the news.
    const config = configErrorIn(err);
    if (config) {
      io.stderr.write(`configuration error: ${config.message}\n`);
      return EXIT.config;
    }
    // Embedded PostgreSQL that cannot run here: the message is the whole story (what to do).
    if (err instanceof Error && err.name === 'EmbeddedUnavailableError') {
      io.stderr.write(`hss-baseline-sync ${command}: ${escapeControls(err.message)}\n`);
      return EXIT.failed;
    }
    io.stderr.write(`hss-baseline-sync ${command}: ${escapeControls(errorSummary(err))}\n`);
    return EXIT.failed;
  }
}

async function cmdMigrate(io: CliIo): Promise<number> {
  const url = loadDatabaseUrl(io.env);
  const logger = createLogger({
    level: levelFromEnv(io.env, 'info'),
    format: logFormat(io.env, io.stderr),
    destination: io.stderr,
  });
  const db = createDb(url, { logger });
  try {
    await migrate(db, logger);
    io.stdout.write('migrations applied\n');
    return EXIT.ok;
  } finally {
    await db.close();
  }
}

async function cmdSync(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const format = logFormat(io.env, io.stderr);
  // A live bar on a terminal (log lines pass through it), plain lines or nothing elsewhere.
  const progress = createProgressReporter({
    out: io.stderr,
    mode: progressMode(io.stderr, format),
    scopes: scopesOf(config.targets).length,
    // Each target normally has its own credential, and so its own pace.
    fetchRatePerMinute:
      (config.rateLimitOverrides.ListImageRiskConfigs ?? config.rateLimitPerMinute) * config.targets.length,
  });
  const logger = createLogger({ level: config.logLevel, format, destination: progress.logDestination });
  const app = createApp(config, { logger });
  try {
    await app.assertMigrated();
    const report = await withSignals(io, (signal) =>
      app.sync({ trigger: 'cli', signal, onProgress: progress.onProgress }),
    );
    progress.finish();
    io.stdout.write(`${formatRunSummary(report)}\n`);
    const skipped = report.scopes.filter((s) => s.status === 'skipped').map((s) => s.label);
    if (skipped.length > 0) {
      // Not a failure: another worker holds these scopes and syncs them (one writer per scope).
      io.stderr.write(
        `skipped ${skipped.length} scope(s) another worker is syncing: ${skipped.join(', ')}\n`,
      );
    }
    // A succeeded run's notes are warnings, already at the end of the summary line. The reasons
    // may quote upstream text (a request id): escaped for the terminal.
    if (report.error && report.status !== 'succeeded') {
      io.stderr.write(`problems: ${escapeControls(report.error)}\n`);
    }
    return syncExitCode(report);
  } finally {
    progress.finish();
    await app.close();
  }
}

/**
 * Exit code of `sync` (README "Commands"): 0 succeeded, 2 partial, 3 aborted, 1 failed, and 78
 * when every scope failed on a wrong setting (an HSS or IAM host that does not resolve).
 */
export function syncExitCode(report: RunReport): number {
  if (report.status === 'failed' && failedOnConfiguration(report.scopes)) return EXIT.config;
  return report.status === 'succeeded'
    ? EXIT.ok
    : report.status === 'partial'
      ? EXIT.partial
      : report.status === 'aborted'
        ? EXIT.aborted
        : EXIT.failed;
}
