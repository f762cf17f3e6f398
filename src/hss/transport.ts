/** One HTTP exchange on an undici Dispatcher, body read with a byte limit. No policy here. */
import type { Dispatcher } from 'undici';
import { type Clock, systemClock } from '../clock.js';
import { readBodyLimited } from './body.js';

export interface RawRequest {
  origin: string;
  /** Pre-encoded path and query, sent byte for byte. */
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  maxResponseBytes: number;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Sends the request and reads the whole body (at most maxResponseBytes, else BodyTooLargeError).
 * Network errors, timeouts and aborts are thrown as undici/DOM errors for the caller to classify.
 */
export async function exchange(dispatcher: Dispatcher, req: RawRequest): Promise<RawResponse> {
  const res = await dispatcher.request({
    origin: req.origin,
    path: req.path,
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal: req.signal,
  });
  const text = await readBodyLimited(res.body, req.maxResponseBytes, res.headers['content-length']);
  return { status: res.statusCode, headers: res.headers, text };
}

/** The first value of a response header (names are lower-case in undici), or null. */
export function header(headers: RawResponse['headers'], name: string): string | null {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** A per-attempt signal: the caller's abort or an overall deadline, whichever comes first. */
export interface AttemptSignal {
  signal: AbortSignal;
  /** True when the deadline (not the caller) aborted it. */
  readonly timedOut: boolean;
  /** Clears the timer and detaches from the caller's signal. */
  dispose(): void;
}

/**
 * Combines the caller's signal with a deadline of `ms` on `clock`. Not AbortSignal.any: on Node 20
 * every signal derived from a long-lived one (a run's signal) stays attached to it, so a daemon
 * would accumulate them; here the listener is removed when the attempt ends.
 */
export function attemptSignal(
  caller: AbortSignal | undefined,
  ms: number,
  clock: Clock = systemClock,
): AttemptSignal {
  const controller = new AbortController();
  const ended = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(caller?.reason);
  clock.sleep(ms, ended.signal).then(
    () => {
      if (controller.signal.aborted) return;
      timedOut = true;
      controller.abort(new DOMException(`no complete answer within ${ms} ms`, 'TimeoutError'));
    },
    () => {
      // disposed before the deadline
    },
  );
  if (caller?.aborted) onAbort();
  else caller?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      ended.abort();
      caller?.removeEventListener('abort', onAbort);
    },
  };
}
