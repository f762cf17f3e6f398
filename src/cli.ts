/**
 * The `hss-baseline-sync` command: a table of commands, each a module in src/commands/ loaded
 * only when it runs (so `status` never loads the demo or the simulator), each with its options
 * and help in src/commands/specs.ts. Before a command is loaded, `main` answers `--help` and
 * `--version`, parses the arguments (src/cli-args.ts) and checks the environment, so neither a
 * request for help nor a mistake touches a database or an HTTP endpoint. Exit codes follow one
 * rule (src/exit-codes.ts): 64 when the command line is wrong, 78 when the setup is (a variable,
 * a config file, a login's roles, a pending migration), each with one line; anything unexpected
 * is logged with its stack and ends with 1.
 */

import type { CommandSpec } from './cli-args.js';
import { helpOrVersion, parseCommandArgs, UsageError } from './cli-args.js';
import {
  commandHelp,
  DEMO,
  MIGRATE,
  REPORT,
  SIMULATE,
  START,
  STATUS,
  SYNC,
  VERIFY,
} from './commands/specs.js';
import type { CliIo, RunCommand } from './commands/types.js';
import { checkVariableNames } from './config/env-check.js';
import { loadLogSettings, processEnv } from './config/load.js';
import { configErrorIn, errorSummary, HssSyncError } from './errors.js';
import { EXIT, errorExitCode, isUsageError } from './exit-codes.js';
import { loginOf, permissionDeniedIn, permissionFix } from './permission.js';
import { didYouMean } from './suggest.js';
import { escapeControls } from './text.js';
import { packageVersion } from './version.js';

export type { CliIo } from './commands/types.js';
export { EXIT } from './exit-codes.js';

interface CommandEntry {
  spec: CommandSpec;
  load(): Promise<{ run: RunCommand }>;
}

/** Adding a command: one module exporting `run` (see commands/types.ts), its spec, one row here. */
const COMMANDS: Record<string, CommandEntry> = {
  migrate: { spec: MIGRATE, load: () => import('./commands/migrate.js') },
  sync: { spec: SYNC, load: () => import('./commands/sync.js') },
  start: { spec: START, load: () => import('./commands/start.js') },
  status: { spec: STATUS, load: () => import('./commands/status.js') },
  simulate: { spec: SIMULATE, load: () => import('./commands/simulate.js') },
  report: { spec: REPORT, load: () => import('./commands/report.js') },
  verify: { spec: VERIFY, load: () => import('./commands/verify.js') },
  demo: { spec: DEMO, load: () => import('./commands/demo.js') },
};

const COLUMN = 19;

const USAGE = `Usage: hss-baseline-sync <command> [options]

Commands:
${Object.values(COMMANDS)
  .map(({ spec }) => {
    const [first, ...more] = spec.summary.split('\n');
    return [
      `  ${spec.name.padEnd(COLUMN)}${first}`,
      ...more.map((l) => `${' '.repeat(COLUMN + 2)}${l}`),
    ].join('\n');
  })
  .join('\n')}

Options: -h, --help (also after a command: its own help; runs nothing), --version.
Exit codes: 64 the command line is wrong, 78 the setup is (README.md, "Commands").
Configuration is read from environment variables; see README.md, "Configuration".
`;

const versionLine = () => `hss-baseline-sync ${packageVersion()}\n`;

export async function main(
  argv: string[],
  io: CliIo = { env: processEnv(), stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr.write(USAGE);
    return EXIT.usage;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (command === '--version') {
    io.stdout.write(versionLine());
    return EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    const what = command.startsWith('-') ? 'option' : 'command';
    const known = what === 'option' ? ['--help', '--version'] : Object.keys(COMMANDS);
    io.stderr.write(
      `hss-baseline-sync: unknown ${what} ${JSON.stringify(command)}${didYouMean(command, known)}; see hss-baseline-sync --help\n`,
    );
    return EXIT.usage;
  }
  const asked = helpOrVersion(rest);
  if (asked === 'help') {
    io.stdout.write(commandHelp(entry.spec));
    return EXIT.ok;
  }
  if (asked === 'version') {
    io.stdout.write(versionLine());
    return EXIT.ok;
  }
  try {
    // The arguments first (64), then the environment (78), then the command.
    parseCommandArgs(entry.spec, rest);
    if (entry.spec.readsEnv) {
      for (const line of checkVariableNames(io.env)) io.stderr.write(`${line}\n`);
      loadLogSettings(io.env);
    }
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
    io.stderr.write(`configuration error: ${escapeControls(config.message)}\n`);
    return;
  }
  // A login without the role the command needs: the same fix wherever the query was refused.
  const denied = permissionDeniedIn(err);
  if (denied) {
    const fix = permissionFix(command, loginOf(io.env.DATABASE_URL));
    io.stderr.write(`hss-baseline-sync ${command}: ${escapeControls(denied)}: ${fix}\n`);
    return;
  }
  // Arguments the command cannot take, or embedded PostgreSQL that cannot run here: the message
  // is the whole story (what to do).
  if (
    isUsageError(err) ||
    err instanceof UsageError ||
    (err instanceof Error && err.name === 'EmbeddedUnavailableError')
  ) {
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
