/**
 * The request executor: pacing, authentication, one undici exchange per attempt, the meaning of
 * each answer (answer.ts) and the retry policy of retry.ts. It returns parsed JSON; schemas are the caller's job.
 *
 * Every attempt (including retries) waits for the pacer, because every attempt counts against
 * HSS's per-user rate limit. A circuit breaker per (credential, API) stops calls after repeated
 * failures, and the caller's per-run retry budget bounds retries across requests. Error messages
 * carry API, method and path (no query), status, Huawei error_code and error_msg, and the request
 * id; never headers, tokens, signatures or keys.
 */
import type { Logger } from 'pino';
import { Agent, type Dispatcher } from 'undici';
import { type Clock, systemClock } from '../clock.js';
import type { HttpLimits } from '../config/types.js';
import type { ApiName } from '../domain.js';
import {
  AbortedError,
  HssApiError,
  type HssAuthError,
  HssBadResponseError,
  HssCircuitOpenError,
  type HssErrorContext,
  HssHostNotFoundError,
  HssNetworkError,
} from '../errors.js';
import { type AttemptResult, type HssResponse, interpret } from './answer.js';
import type { AuthProvider, UnauthorizedDecision } from './auth/provider.js';
import { BodyTooLargeError } from './body.js';
import type { BreakerVerdict, CircuitBreaker } from './breaker.js';
import { hostNotFoundCode, hostNotFoundProblem } from './dns.js';
import { splitEndpoint } from './endpoints.js';
import type { Pacer } from './pacer.js';
import { classifyOutcome, retryDelayMs } from './retry.js';
import { attemptSignal, exchange, header } from './transport.js';
import type { CallEvent, CallOptions } from './types.js';

export interface ExecutorDeps {
  /** HSS base URL (TargetConfig.endpoint); a path prefix is kept. */
  endpoint: string;
  limits: HttpLimits;
  pacer: Pacer;
  auth: AuthProvider;
  dispatcher: Dispatcher;
  /** Pacing, backoff and Retry-After waits. */
  clock: Clock;
  /**
   * The clock of the per-attempt deadline (limits.requestDeadlineMs). Default systemClock: the
   * deadline bounds real I/O, so it stays on real time when `clock` is a fake driven far faster
   * than sockets move; unit tests on scripted answers pass their fake clock here too.
   */
  deadlineClock?: Clock;
  /** [0, 1) source for backoff jitter. */
  random: () => number;
  /** App-wide breaker per (credential, API); none = never opens. */
  breaker?: CircuitBreaker;
  logger?: Logger;
}

export interface HssRequest {
  api: ApiName;
  method: 'GET' | 'POST';
  /** Pre-encoded path below the endpoint (encoding.ts buildPath). */
  path: string;
  /** Pre-encoded query without `?` (encoding.ts buildQuery); '' for none. */
  query: string;
  projectId: string;
  /** JSON body text for POST. */
  body?: string;
}

export type Executor = (req: HssRequest, options?: CallOptions) => Promise<HssResponse>;

/** The default dispatcher: an undici Agent with the connect/headers/body timeouts of HttpLimits. */
export function createDispatcher(limits: HttpLimits): Dispatcher {
  return new Agent({
    connectTimeout: limits.connectTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    bodyTimeout: limits.bodyTimeoutMs,
  });
}

/** The failure in a few words, for the breaker's reason (no path: the error has it). */
function shortFailure(failure: HssApiError): string {
  if (failure.status !== undefined) {
    return `HTTP ${failure.status}${failure.errorCode ? ` ${failure.errorCode}` : ''}`;
  }
  return failure.code === 'HSS_NETWORK' ? 'no answer (network error or timeout)' : failure.code;
}

function circuitOpen(base: HssErrorContext, v: Extract<BreakerVerdict, { open: true }>): HssCircuitOpenError {
  return new HssCircuitOpenError(
    base,
    `circuit open after ${v.failures} consecutive failed calls (last: ${v.lastFailure}); no ${base.api} calls until ${new Date(v.until).toISOString()}`,
  );
}

function networkProblem(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown network error';
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `${err.name} ${code}: ${err.message}` : `${err.name}: ${err.message}`;
}

/** Builds the executor for one target and credential. */
export function createExecutor(deps: ExecutorDeps): Executor {
  const { limits, pacer, auth, dispatcher, clock, random, breaker, logger } = deps;
  const deadlineClock = deps.deadlineClock ?? systemClock;
  const ep = splitEndpoint(deps.endpoint);
  const backoff = { baseMs: limits.backoffBaseMs, capMs: limits.backoffCapMs };
  const maxAttempts = Math.max(1, limits.maxAttempts);

  return async function execute(req, options = {}) {
    const { signal, onCall, retryBudget } = options;
    const inFlight = options.inFlightSignal ?? signal;
    const fullPath = `${ep.basePath}${req.path}`;
    const pathAndQuery = req.query === '' ? fullPath : `${fullPath}?${req.query}`;
    const base: HssErrorContext = { api: req.api, path: `${req.method} ${fullPath}` };
    const contentType = req.body !== undefined ? 'application/json;charset=utf8' : null;
    const aborted = () => new AbortedError(`${req.api} ${base.path}: aborted`, { cause: signal?.reason });
    const emit = (e: Omit<CallEvent, 'api'>) => onCall?.({ api: req.api, ...e });
    let attempt = 0;
    let backoffs = 0;
    let authRetries = 0;
    const gate = () => {
      const verdict = breaker?.check(auth.credentialId, req.api);
      if (verdict?.open) throw circuitOpen(base, verdict);
    };
    retryBudget?.onFirstAttempt();

    for (;;) {
      if (signal?.aborted) throw aborted();
      gate();
      // The slot is done when this attempt ends (answer read or failed): the pacer counts a
      // call's window from then.
      const slot = await pacer.acquire(auth.credentialId, req.api, signal);
      let started: number;
      let authHeaders: Record<string, string>;
      try {
        // The circuit may have opened while this call waited for its turn.
        gate();
        attempt++;
        started = clock.now();
        authHeaders = await auth.headers(
          {
            method: req.method,
            host: ep.host,
            pathAndQuery,
            body: req.body ?? '',
            projectId: req.projectId,
            contentType,
          },
          signal,
        );
      } catch (err) {
        slot.done();
        throw err;
      }
      const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders };
      if (contentType) headers['Content-Type'] = contentType;

      const deadline = attemptSignal(inFlight, limits.requestDeadlineMs, deadlineClock);
      let result: AttemptResult;
      try {
        const res = await exchange(dispatcher, {
          origin: ep.origin,
          path: pathAndQuery,
          method: req.method,
          headers,
          body: req.body,
          signal: deadline.signal,
          maxResponseBytes: limits.maxResponseBytes,
        });
        result = interpret(res, base, clock.now());
      } catch (err) {
        const event = { status: 0, errorCode: null, requestId: null, durationMs: clock.now() - started };
        if (inFlight?.aborted) {
          emit({ ...event, willRetry: false });
          throw aborted();
        }
        if (err instanceof BodyTooLargeError) {
          // The same request would bring the same oversized answer: not retryable.
          emit({ ...event, willRetry: false });
          throw new HssBadResponseError(base, `${base.path}: ${err.message} (maxResponseBytes)`, {
            cause: err,
            retryable: false,
          });
        }
        const notFound = deadline.timedOut ? null : hostNotFoundCode(err);
        if (notFound) {
          // A name that does not resolve will not resolve on the next attempt either.
          emit({ ...event, willRetry: false });
          throw new HssHostNotFoundError(
            base,
            hostNotFoundProblem(
              ep.host,
              notFound,
              'hss',
              "HSS_REGION (or the target's region) and HSS_ENDPOINT",
            ),
            { cause: err },
          );
        }
        const problem = deadline.timedOut
          ? `no complete answer within ${limits.requestDeadlineMs} ms`
          : networkProblem(err);
        result = {
          ok: false,
          failure: new HssNetworkError(base, `${base.path}: ${problem}`, { cause: err }),
          cls: classifyOutcome({ kind: deadline.timedOut ? 'timeout' : 'network' }),
          res: null,
          retryAfterMs: null,
        };
      } finally {
        deadline.dispose();
        slot.done();
      }

      const durationMs = clock.now() - started;
      if (result.ok) {
        breaker?.onSuccess(auth.credentialId, req.api);
        const { status, requestId } = result.response;
        emit({ status, errorCode: null, requestId, durationMs, willRetry: false });
        return result.response;
      }

      const { failure, cls, res, retryAfterMs } = result;
      // Transient failures count towards opening the circuit; an error answer (4xx) proves the
      // service is there; 429 and auth are handled by the pacer and the auth provider.
      if (cls === 'retry') breaker?.onFailure(auth.credentialId, req.api, shortFailure(failure));
      else if (cls === 'never') breaker?.onSuccess(auth.credentialId, req.api);
      const event = {
        status: res?.status ?? 0,
        errorCode: failure.errorCode ?? null,
        requestId: failure.requestId ?? null,
        durationMs,
      };
      if (cls === 'throttled') pacer.onThrottled(auth.credentialId, req.api, retryAfterMs);

      if (cls === 'auth') {
        let decision: UnauthorizedDecision;
        try {
          decision = await auth.onUnauthorized(failure as HssAuthError, {
            sentHeaders: authHeaders,
            serverDate: res ? header(res.headers, 'date') : null,
            authRetries,
          });
        } catch (err) {
          emit({ ...event, willRetry: false });
          throw err;
        }
        if (decision.action === 'retry' && attempt < maxAttempts) {
          authRetries++;
          emit({ ...event, willRetry: true });
          logger?.info(
            { api: req.api, ...event, reason: failure.message },
            'HSS rejected the credential; retrying once',
          );
          continue;
        }
        emit({ ...event, willRetry: false });
        throw decision.action === 'fail' ? decision.error : failure;
      }

      if (cls === 'never' || attempt >= maxAttempts) {
        emit({ ...event, willRetry: false });
        throw failure;
      }
      const delay = retryDelayMs(cls, backoffs, retryAfterMs, backoff, random);
      if (delay > limits.backoffCapMs) {
        // The server asks for a longer pause than one request may wait: give up now. The pacer
        // keeps the key blocked that long, so later calls respect it too.
        emit({ ...event, willRetry: false });
        throw failure;
      }
      if (retryBudget && !retryBudget.tryRetry()) {
        emit({ ...event, willRetry: false });
        throw new HssApiError(failure.context, {
          message: `${failure.message} (not retried: the run's retry budget of ${retryBudget.limit} retries is spent)`,
          cause: failure,
          retryable: false,
        });
      }
      emit({ ...event, willRetry: true });
      // The reason says why (network error, timeout, HTTP status and Huawei code): status 0 alone does not.
      logger?.warn(
        { api: req.api, ...event, attempt, delayMs: delay, reason: failure.message },
        'HSS call failed; retrying',
      );
      backoffs++;
      try {
        await clock.sleep(delay, signal);
      } catch {
        throw aborted();
      }
    }
  };
}
