/**
 * The exit-code policy of every command (docs/operations.md, "Commands and exit codes"), in one table. A command answers
 * with one of these; `main` maps what it throws (a configuration error, anything else).
 */
import { configErrorIn, MigrationPendingError } from './errors.js';
import { permissionDeniedIn } from './permission.js';
import { failedOnConfiguration } from './sync/diagnose.js';
import type { RunReport } from './sync/engine.js';

export const EXIT = {
  /** Done: the command did what it was asked (a run succeeded; a daemon stopped in time). */
  ok: 0,
  /** Failed: a run failed, or the command could not do its work (database, HSS, a bug). */
  failed: 1,
  /** A run ended partial: some scopes or images are left for the next run. */
  partial: 2,
  /** `verify`: a link of the history hash chain is broken (the record was altered). */
  broken: 2,
  /**
   * Stopped: a run was aborted by SIGTERM/SIGINT, or a stop was forced (a second signal, or a
   * stop that took longer than the shutdown bound), whatever the command.
   */
  aborted: 3,
  /**
   * The command line is wrong (EX_USAGE): an unknown command or option, a bad or missing option
   * value. Nothing was touched.
   */
  usage: 64,
  /**
   * `report`: nothing to report (EX_NOINPUT): no chosen scope had finished a run by the instant,
   * or the filters match no scope. `report` and `verify --as-of`: retention deleted a version in
   * force at the instant, so its history is no longer whole. Nothing was written.
   */
  noData: 66,
  /**
   * `report`, `verify --as-of`: the record of the instant is not complete yet (EX_TEMPFAIL, try
   * again later): a sync run that started at or before it is still open (src/verify/stable.ts).
   * Nothing was written.
   */
  tempFail: 75,
  /**
   * The setup is wrong (EX_CONFIG): an environment variable (unknown but close to a known one,
   * or a bad value), a config file, a login that lacks the role the command needs, a migration
   * pending that this process does not apply; or every scope failed on a wrong setting.
   */
  config: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Exit code of a finished run (`sync`, `demo --once`): 0 succeeded, 2 partial, 3 aborted,
 * 1 failed, and 78 when every scope failed on a wrong setting (an HSS or IAM host that does not
 * resolve).
 */
export function runExitCode(report: RunReport): ExitCode {
  if (report.status === 'failed' && failedOnConfiguration(report.scopes)) return EXIT.config;
  switch (report.status) {
    case 'succeeded':
      return EXIT.ok;
    case 'partial':
      return EXIT.partial;
    case 'aborted':
      return EXIT.aborted;
    default:
      return EXIT.failed;
  }
}

/**
 * A command line the command cannot take: src/cli-args.ts's UsageError (and report's), or
 * node:util parseArgs's own errors.
 */
export function isUsageError(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  if (err.name === 'UsageError') return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/**
 * Whether the setup, not the command line, is wrong: a setting (even wrapped), a login that
 * lacks a role, or a migration pending that this process does not apply.
 */
export function isSetupError(err: unknown): boolean {
  return (
    configErrorIn(err) !== null || permissionDeniedIn(err) !== null || err instanceof MigrationPendingError
  );
}

/**
 * Exit code of a command that threw, by one rule: 64 when the command line is wrong (fix the
 * arguments), 78 when the setup is (an environment variable, a config file, the login's roles, a
 * migration to run first: fix it and run the same command again), else 1.
 */
export function errorExitCode(err: unknown): ExitCode {
  if (isUsageError(err)) return EXIT.usage;
  return isSetupError(err) ? EXIT.config : EXIT.failed;
}
