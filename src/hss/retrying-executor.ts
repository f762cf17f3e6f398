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

type Failed = Extract<AttemptResult, { ok: false }>;
/** What an attempt reports to onCall, but for the API and whether it is retried. */
type AttemptEvent = Omit<CallEvent, 'api' | 'willRetry'>;

/** What every call of one executor shares: its dependencies and the settings derived from them. */
interface ExecutorContext {
  deps: ExecutorDeps;
  deadlineClock: Clock;
  ep: ReturnType<typeof splitEndpoint>;
  backoff: { baseMs: number; capMs: number };
  maxAttempts: number;
}

/** The error an exchange that brought no usable answer throws, or its failed result when retryable. */
function exchangeFailure(
  x: ExecutorContext,
  base: HssErrorContext,
  err: unknown,
  deadline: { timedOut: boolean },
): { fatal: Error } | Failed {
  if (err instanceof BodyTooLargeError) {
    // The same request would bring the same oversized answer: not retryable.
    return {
      fatal: new HssBadResponseError(base, `${base.path}: ${err.message} (maxResponseBytes)`, {
        cause: err,
        retryable: false,
      }),
    };
  }
  const notFound = deadline.timedOut ? null : hostNotFoundCode(err);
  if (notFound) {
    // A name that does not resolve will not resolve on the next attempt either.
    const problem = hostNotFoundProblem(
      x.ep.host,
      notFound,
      'hss',
      "HSS_REGION (or the target's region) and HSS_ENDPOINT",
    );
    return { fatal: new HssHostNotFoundError(base, problem, { cause: err }) };
  }
  const problem = deadline.timedOut
    ? `no complete answer within ${x.deps.limits.requestDeadlineMs} ms`
    : networkProblem(err);
  return {
    ok: false,
    failure: new HssNetworkError(base, `${base.path}: ${problem}`, { cause: err }),
    cls: classifyOutcome({ kind: deadline.timedOut ? 'timeout' : 'network' }),
    res: null,
    retryAfterMs: null,
  };
}

/** One request through its attempts: pacing, auth, exchange, and the retry decision after each. */
class Call {
  private attempt = 0;
  private backoffs = 0;
  private authRetries = 0;
  private readonly pathAndQuery: string;
  private readonly base: HssErrorContext;
  private readonly contentType: string | null;
  private readonly inFlight: AbortSignal | undefined;

  constructor(
    private readonly x: ExecutorContext,
    private readonly req: HssRequest,
    private readonly options: CallOptions,
  ) {
    const fullPath = `${x.ep.basePath}${req.path}`;
    this.pathAndQuery = req.query === '' ? fullPath : `${fullPath}?${req.query}`;
    this.base = { api: req.api, path: `${req.method} ${fullPath}` };
    this.contentType = req.body !== undefined ? 'application/json;charset=utf8' : null;
    this.inFlight = options.inFlightSignal ?? options.signal;
  }

  private aborted(): AbortedError {
    return new AbortedError(`${this.req.api} ${this.base.path}: aborted`, {
      cause: this.options.signal?.reason,
    });
  }

  private emit(e: Omit<CallEvent, 'api'>): void {
    this.options.onCall?.({ api: this.req.api, ...e });
  }

  private gate(): void {
    const verdict = this.x.deps.breaker?.check(this.x.deps.auth.credentialId, this.req.api);
    if (verdict?.open) throw circuitOpen(this.base, verdict);
  }

  async run(): Promise<HssResponse> {
    const { clock, breaker, auth } = this.x.deps;
    this.options.retryBudget?.onFirstAttempt();
    for (;;) {
      if (this.options.signal?.aborted) throw this.aborted();
      this.gate();
      const { started, authHeaders, result } = await this.attemptOnce();
      const durationMs = clock.now() - started;
      if (result.ok) {
        breaker?.onSuccess(auth.credentialId, this.req.api);
        const { status, requestId } = result.response;
        this.emit({ status, errorCode: null, requestId, durationMs, willRetry: false });
        return result.response;
      }
      await this.afterFailure(result, durationMs, authHeaders);
    }
  }

  /** Waits for the pacer, signs, and makes one exchange; the slot is done when it ends. */
  private async attemptOnce() {
    const { pacer, auth, clock, limits } = this.x.deps;
    // The slot is done when this attempt ends (answer read or failed): the pacer counts a
    // call's window from then.
    const slot = await pacer.acquire(auth.credentialId, this.req.api, this.options.signal);
    let started: number;
    let authHeaders: Record<string, string>;
    try {
      // The circuit may have opened while this call waited for its turn.
      this.gate();
      this.attempt++;
      started = clock.now();
      authHeaders = await this.signedHeaders();
    } catch (err) {
      slot.done();
      throw err;
    }
    const deadline = attemptSignal(this.inFlight, limits.requestDeadlineMs, this.x.deadlineClock);
    let result: AttemptResult;
    try {
      result = await this.exchangeOnce(authHeaders, deadline.signal);
    } catch (err) {
      if (this.inFlight?.aborted) {
        this.emitNoAnswer(started, false);
        throw this.aborted();
      }
      const failed = exchangeFailure(this.x, this.base, err, deadline);
      if ('fatal' in failed) {
        this.emitNoAnswer(started, false);
        throw failed.fatal;
      }
      result = failed;
    } finally {
      deadline.dispose();
      slot.done();
    }
    return { started, authHeaders, result };
  }

  private emitNoAnswer(started: number, willRetry: boolean): void {
    const durationMs = this.x.deps.clock.now() - started;
    this.emit({ status: 0, errorCode: null, requestId: null, durationMs, willRetry });
  }

  private signedHeaders(): Promise<Record<string, string>> {
    const { req } = this;
    return this.x.deps.auth.headers(
      {
        method: req.method,
        host: this.x.ep.host,
        pathAndQuery: this.pathAndQuery,
        body: req.body ?? '',
        projectId: req.projectId,
        contentType: this.contentType,
      },
      this.options.signal,
    );
  }

  private async exchangeOnce(
    authHeaders: Record<string, string>,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    const { dispatcher, limits, clock } = this.x.deps;
    const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders };
    if (this.contentType) headers['Content-Type'] = this.contentType;
    const res = await exchange(dispatcher, {
      origin: this.x.ep.origin,
      path: this.pathAndQuery,
      method: this.req.method,
      headers,
      body: this.req.body,
      signal,
      maxResponseBytes: limits.maxResponseBytes,
    });
    return interpret(res, this.base, clock.now());
  }

  /** Returns when the failed attempt is to be retried (after its wait); throws when not. */
  private async afterFailure(
    result: Failed,
    durationMs: number,
    authHeaders: Record<string, string>,
  ): Promise<void> {
    const { breaker, auth, pacer } = this.x.deps;
    const { failure, cls, res, retryAfterMs } = result;
    // Transient failures count towards opening the circuit; an error answer (4xx) proves the
    // service is there; 429 and auth are handled by the pacer and the auth provider.
    if (cls === 'retry') breaker?.onFailure(auth.credentialId, this.req.api, shortFailure(failure));
    else if (cls === 'never') breaker?.onSuccess(auth.credentialId, this.req.api);
    const event: AttemptEvent = {
      status: res?.status ?? 0,
      errorCode: failure.errorCode ?? null,
      requestId: failure.requestId ?? null,
      durationMs,
    };
    if (cls === 'throttled') pacer.onThrottled(auth.credentialId, this.req.api, retryAfterMs);
    if (cls === 'auth') return this.afterUnauthorized(result, event, authHeaders);
    const delay = this.retryDelay(result, cls, event);
    this.emit({ ...event, willRetry: true });
    // The reason says why (network error, timeout, HTTP status and Huawei code): status 0 alone does not.
    this.x.deps.logger?.warn(
      { api: this.req.api, ...event, attempt: this.attempt, delayMs: delay, reason: failure.message },
      'HSS call failed; retrying',
    );
    this.backoffs++;
    try {
      await this.x.deps.clock.sleep(delay, this.options.signal);
    } catch {
      throw this.aborted();
    }
  }

  /** The auth provider decides: retry once with fresh credentials, or fail. */
  private async afterUnauthorized(result: Failed, event: AttemptEvent, authHeaders: Record<string, string>) {
    const { failure, res } = result;
    let decision: UnauthorizedDecision;
    try {
      decision = await this.x.deps.auth.onUnauthorized(failure as HssAuthError, {
        sentHeaders: authHeaders,
        serverDate: res ? header(res.headers, 'date') : null,
        authRetries: this.authRetries,
      });
    } catch (err) {
      this.emit({ ...event, willRetry: false });
      throw err;
    }
    if (decision.action === 'retry' && this.attempt < this.x.maxAttempts) {
      this.authRetries++;
      this.emit({ ...event, willRetry: true });
      this.x.deps.logger?.info(
        { api: this.req.api, ...event, reason: failure.message },
        'HSS rejected the credential; retrying once',
      );
      return;
    }
    this.emit({ ...event, willRetry: false });
    throw decision.action === 'fail' ? decision.error : failure;
  }

  /** The wait before the next attempt; throws the failure when the policy, the cap or the budget says stop. */
  private retryDelay(result: Failed, cls: Exclude<Failed['cls'], 'auth'>, event: AttemptEvent): number {
    const { failure, retryAfterMs } = result;
    const { limits, random } = this.x.deps;
    const { retryBudget } = this.options;
    const stop = (err: Error) => {
      this.emit({ ...event, willRetry: false });
      return err;
    };
    if (cls === 'never' || this.attempt >= this.x.maxAttempts) throw stop(failure);
    const delay = retryDelayMs(cls, this.backoffs, retryAfterMs, this.x.backoff, random);
    // The server asks for a longer pause than one request may wait: give up now. The pacer
    // keeps the key blocked that long, so later calls respect it too.
    if (delay > limits.backoffCapMs) throw stop(failure);
    if (retryBudget && !retryBudget.tryRetry()) {
      throw stop(
        new HssApiError(failure.context, {
          message: `${failure.message} (not retried: the run's retry budget of ${retryBudget.limit} retries is spent)`,
          cause: failure,
          retryable: false,
        }),
      );
    }
    return delay;
  }
}

/** Builds the executor for one target and credential. */
export function createExecutor(deps: ExecutorDeps): Executor {
  const x: ExecutorContext = {
    deps,
    deadlineClock: deps.deadlineClock ?? systemClock,
    ep: splitEndpoint(deps.endpoint),
    backoff: { baseMs: deps.limits.backoffBaseMs, capMs: deps.limits.backoffCapMs },
    maxAttempts: Math.max(1, deps.limits.maxAttempts),
  };
  return (req, options = {}) => new Call(x, req, options).run();
}
