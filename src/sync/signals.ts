/** Abort signals of a run: the caller's (SIGTERM), the deadline's, a scope lock's loss. */
import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock.js';
import { AbortedError } from '../errors.js';

/**
 * Lifts Node's limit of 10 listeners on `signal` (and `more`): every call, pacer wait and
 * backoff in flight listens on the run's signals (each removes its listener when its wait ends),
 * and without this Node prints a "possible EventTarget memory leak" warning on busy runs.
 */
export function allowManyListeners<T extends AbortSignal>(signal: T, ...more: AbortSignal[]): T {
  setMaxListeners(0, signal, ...more);
  return signal;
}

/** A signal that aborts when any of `signals` does; undefined when none is given. */
export function abortOnAny(first: AbortSignal, ...more: (AbortSignal | null | undefined)[]): AbortSignal;
export function abortOnAny(...signals: (AbortSignal | null | undefined)[]): AbortSignal | undefined;
export function abortOnAny(...signals: (AbortSignal | null | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s != null);
  if (given.length === 0) return undefined;
  // A lone signal (a scope lock's `lost`) is listened to by every call in flight, too.
  return allowManyListeners(given.length === 1 ? (given[0] as AbortSignal) : AbortSignal.any(given));
}

/**
 * A signal the injected clock aborts `ms` from now (never when `ms` is undefined). `cancel` stops
 * the timer (the run ended first).
 */
export function deadlineSignal(clock: Clock, ms: number | undefined, cancel: AbortSignal): AbortSignal {
  const deadline = new AbortController();
  if (ms !== undefined) {
    clock.sleep(ms, cancel).then(
      () => deadline.abort(new AbortedError('run deadline reached')),
      () => {},
    );
  }
  return allowManyListeners(deadline.signal);
}
