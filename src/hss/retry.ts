/**
 * Retry policy as data (pure). One table says what each outcome of an attempt means; the executor
 * applies it. Huawei's rules: never retry a 4xx except 429/APIGW.0308 (throttled) and the one token
 * refresh on APIGW.0307 (done by the auth provider); APIGW.0301 must never be retried because
 * repeated bad signatures lock the key pair.
 */
import { isThrottled } from '../errors.js';

/** What one attempt ended with, reduced to what the policy needs. */
export type AttemptOutcome =
  | { kind: 'network' }
  | { kind: 'timeout' }
  /** 2xx whose body was not usable JSON (HTML from a proxy, truncated JSON). */
  | { kind: 'bad_body' }
  | { kind: 'http'; status: number; errorCode: string | null };

/**
 * - `retry`: transient; wait a backoff delay and try again.
 * - `throttled`: wait Retry-After when given, else backoff; the pacer is told too.
 * - `auth`: ask the auth provider (it may renew a token once, or explain the failure).
 * - `never`: fail now.
 */
export type RetryClass = 'retry' | 'throttled' | 'auth' | 'never';

/** HSS codes that mean "this credential may not do that": handled as auth failures, never retried. */
export const PERMISSION_ERROR_CODES: readonly string[] = ['HSS.0010', 'HSS.0013'];

/** Older docs write `APIG.` for `APIGW.`: one spelling inside. */
export function normalizeErrorCode(code: string | null | undefined): string | null {
  if (code === undefined || code === null || code === '') return null;
  return code.startsWith('APIG.') ? `APIGW.${code.slice('APIG.'.length)}` : code;
}

/** The decision table. */
export function classifyOutcome(outcome: AttemptOutcome): RetryClass {
  switch (outcome.kind) {
    case 'network':
    case 'timeout':
    case 'bad_body':
      return 'retry';
    case 'http': {
      const { status, errorCode } = outcome;
      if (isThrottled(outcome)) return 'throttled';
      if (status === 401) return 'auth';
      if (
        (status === 403 || status === 400) &&
        errorCode !== null &&
        PERMISSION_ERROR_CODES.includes(errorCode)
      )
        return 'auth';
      if (status >= 500) return 'retry';
      return 'never';
    }
  }
}

export interface BackoffOptions {
  /** First delay bound in ms (HttpLimits.backoffBaseMs, default 1 000). */
  baseMs: number;
  /** Largest delay bound in ms (HttpLimits.backoffCapMs, default 60 000). */
  capMs: number;
}

/**
 * Capped exponential backoff with full jitter: `random() * min(cap, base * 2^attempt)`, where
 * `attempt` counts retries already made (0 for the first retry) and `random` returns [0, 1).
 * Rounded down to whole ms.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const bound = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * bound);
}

/**
 * Parses a Retry-After header: delta-seconds (`"5"`) or an HTTP date, relative to `nowMs`.
 * Returns ms to wait (0 for a date in the past), or null when absent or unparsable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === undefined || value === null) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only accept strings that look like an HTTP date, so that "-1" or "soon" are not parsed by Date.
  if (!/^[A-Za-z]{3},? /.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/**
 * How long to wait before the next attempt. Throttled: the server's Retry-After when given, else
 * backoff. Everything else retryable: backoff.
 */
export function retryDelayMs(
  cls: 'retry' | 'throttled',
  attempt: number,
  retryAfterMs: number | null,
  options: BackoffOptions,
  random: () => number,
): number {
  if (cls === 'throttled' && retryAfterMs !== null) return retryAfterMs;
  return backoffDelay(attempt, options, random);
}
