/**
 * The exit-code policy of every command (README "Commands"), in one table. A command answers
 * with one of these; `main` maps what it throws (a configuration error, anything else).
 */
import { configErrorIn } from './errors.js';
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
  /** Unknown or missing command, or an option the command does not take (EX_USAGE). */
  usage: 64,
  /** Configuration error, or every scope failed on a wrong setting (EX_CONFIG). */
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

/** A command's arguments it does not know or cannot take (node:util parseArgs). */
export function isUsageError(err: unknown): err is Error {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/**
 * Exit code of a command that threw: 78 for a configuration error (even wrapped), 64 for
 * arguments it cannot take, else 1.
 */
export function errorExitCode(err: unknown): ExitCode {
  if (configErrorIn(err)) return EXIT.config;
  return isUsageError(err) ? EXIT.usage : EXIT.failed;
}
