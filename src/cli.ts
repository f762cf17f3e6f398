/**
 * The `hss-baseline-sync` command: a table of commands, each a module in src/commands/ loaded
 * only when it runs (so `status` never loads the demo or the simulator). Exit codes follow one
 * policy (src/exit-codes.ts): every configuration problem ends with 78 and one line naming the
 * variable; anything unexpected is logged with its stack and ends with 1.
 */
import type { CliIo, RunCommand } from './commands/types.js';
import { processEnv } from './config/load.js';
import { configErrorIn, errorSummary, HssSyncError } from './errors.js';
import { EXIT, errorExitCode, isUsageError } from './exit-codes.js';
import { escapeControls } from './text.js';

export type { CliIo } from './commands/types.js';
export { EXIT } from './exit-codes.js';

interface CommandEntry {
  /** Its lines of the usage text. */
  usage: string;
  load(): Promise<{ run: RunCommand }>;
}

/** Adding a command: one module exporting `run` (see commands/types.ts) and one row here. */
const COMMANDS: Record<string, CommandEntry> = {
  migrate: {
    usage: 'migrate            apply database migrations (DATABASE_URL)',
    load: () => import('./commands/migrate.js'),
  },
  sync: {
    usage: `sync               run one sync now; prints a one-line summary
                     exit 0 succeeded, 2 partial, 1 failed, 3 aborted`,
    load: () => import('./commands/sync.js'),
  },
  start: {
    usage: 'start              daemon: migrate, sync on SYNC_SCHEDULE, serve /healthz /readyz /metrics',
    load: () => import('./commands/start.js'),
  },
  status: {
    usage: `status [--json]    recent runs, per-scope freshness and the next scheduled run
                     (--runs N: how many runs, default 10)`,
    load: () => import('./commands/status.js'),
  },
  simulate: {
    usage: `simulate           serve the HSS simulator (--port 8080 --host 127.0.0.1 --seed 1
                     --images 40 per scope --rate-limit 0 --token sim-token
                     --cicd-risk-configs empty|seed); also accepts the test AK/SK it prints`,
    load: () => import('./commands/simulate.js'),
  },
  report: {
    usage: `report             evidence as of an instant: index.html, CSVs, manifest.json (DATABASE_URL)
                     (--as-of 2026-03-01T00:00:00Z --out DIR [--days 90] [--target …]
                     [--enterprise-project …] [--image-type …])`,
    load: () => import('./commands/report.js'),
  },
  verify: {
    usage: `verify             recompute the history hash chain; names every broken link (DATABASE_URL)
                     (--since 2026-03-01T00:00:00Z --json); exit 0 intact, 2 broken`,
    load: () => import('./commands/verify.js'),
  },
  demo: {
    usage: `demo [--once]      embedded PostgreSQL + simulator + sync, then every 20 s until Ctrl-C
                     (--use-database-url: use DATABASE_URL instead, an empty database or the demo's)`,
    load: () => import('./commands/demo.js'),
  },
};

const USAGE = `Usage: hss-baseline-sync <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join('\n')}

Configuration is read from environment variables; see README.md, "Configuration".
`;

export async function main(
  argv: string[],
  io: CliIo = { env: processEnv(), stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(USAGE);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    io.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const { run } = await entry.load();
    return await run(io, rest);
  } catch (err) {
    await reportError(io, command, err);
    return errorExitCode(err);
  }
}

/** One line on stderr; for an error the code did not expect, its stack too (a JSON log line). */
export async function reportError(io: CliIo, command: string, err: unknown): Promise<void> {
  // A wrong database setting may arrive wrapped ("migrate failed: …"): the setting is the news.
  const config = configErrorIn(err);
  if (config) {
    io.stderr.write(`configuration error: ${config.message}\n`);
    return;
  }
  // Arguments the command cannot take, or embedded PostgreSQL that cannot run here: the message
  // is the whole story (what to do).
  if (isUsageError(err) || (err instanceof Error && err.name === 'EmbeddedUnavailableError')) {
    io.stderr.write(`hss-baseline-sync ${command}: ${escapeControls(err.message)}\n`);
    return;
  }
  io.stderr.write(`hss-baseline-sync ${command}: ${escapeControls(errorSummary(err))}\n`);
  if (!(err instanceof HssSyncError)) {
    const { createLogger } = await import('./log.js');
    createLogger({ level: 'error', format: 'json', destination: io.stderr }).error(
      { err },
      'unexpected error',
    );
  }
}
