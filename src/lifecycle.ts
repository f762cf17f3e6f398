/**
 * Signals and shutdown, for every command that runs until stopped (`sync`, `start`, `demo`,
 * `simulate`). The first SIGTERM/SIGINT asks for a stop: the command's AbortSignal fires and it
 * winds down (committed results are kept). The stop is bounded: a second signal, or a stop still
 * going SHUTDOWN_BOUND_MS after the first, exits the process at once with EXIT.aborted, whatever
 * the command (a hung database must not keep a container from stopping).
 */
import { setMaxListeners } from 'node:events';
import { EXIT } from './exit-codes.js';

/** How long a stop may take after SIGTERM/SIGINT before the process exits regardless. */
export const SHUTDOWN_BOUND_MS = 9_000;

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface StopReporter {
  /** The first signal: the command starts stopping. */
  stopping(signal: string): void;
  /** The process is about to exit with EXIT.aborted; `why` is one line for people. */
  forced(why: string): void;
}

export interface StopListener {
  /** Aborted at the first signal (its reason names it). */
  readonly signal: AbortSignal;
  /** Resolves with the signal's name at the first signal. */
  readonly requested: Promise<string>;
  /** Stops listening (the bound armed by a signal stays armed). */
  dispose(): void;
}

/**
 * Listens for SIGTERM/SIGINT on `source` (default the process). The forced exits are armed for
 * the process itself, or when an `exit` is given; a test's emitter alone gets the stop only.
 */
export function listenForStop(
  reporter: StopReporter,
  source: NodeJS.EventEmitter = process,
  exit: ((code: number) => void) | null = source === process ? (code) => process.exit(code) : null,
): StopListener {
  const ctrl = new AbortController();
  // Every call, wait and backoff of a run listens on this signal.
  setMaxListeners(0, ctrl.signal);
  let resolveRequested: (name: string) => void = () => {};
  const requested = new Promise<string>((resolve) => {
    resolveRequested = resolve;
  });
  const force = (why: string) => {
    reporter.forced(why);
    exit?.(EXIT.aborted);
  };
  const onSignal = (name: string) => {
    if (ctrl.signal.aborted) {
      if (exit) force(`received ${name} again: exiting now`);
      return;
    }
    reporter.stopping(name);
    ctrl.abort(new Error(`received ${name}`));
    resolveRequested(name);
    if (exit) {
      setTimeout(
        () => force(`stopping took longer than ${SHUTDOWN_BOUND_MS / 1000} s: exiting now`),
        SHUTDOWN_BOUND_MS,
      ).unref();
    }
  };
  const handlers = STOP_SIGNALS.map((name) => [name, () => onSignal(name)] as const);
  for (const [name, h] of handlers) source.on(name, h);
  return {
    signal: ctrl.signal,
    requested,
    dispose() {
      for (const [name, h] of handlers) source.off(name, h);
    },
  };
}

/** Runs `fn` with a signal that fires at the first SIGTERM/SIGINT; stops listening after. */
export async function withStopSignal<T>(
  reporter: StopReporter,
  source: NodeJS.EventEmitter | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const stop = listenForStop(reporter, source);
  try {
    return await fn(stop.signal);
  } finally {
    stop.dispose();
  }
}
