/**
 * Test support (not a test file): a scripted HSS/IAM on undici's MockAgent. Each reply is a one-shot
 * interceptor used in registration order, and every request that reached a reply is recorded
 * exactly as it was dispatched (pre-encoded path, headers, body).
 */
import { MockAgent } from 'undici';
import { expect } from 'vitest';
import { FakeClock } from '../clock.js';
import type { HttpLimits, TargetConfig } from '../config/types.js';
import type { Scope } from '../domain.js';
import { HssBadResponseError } from '../errors.js';
import { Secret } from '../secret.js';
import type { CircuitBreaker } from './breaker.js';
import { createAuthProvider, createHssClient } from './client.js';
import { Pacer } from './pacer.js';
import type { CallEvent } from './types.js';

export const HSS_ORIGIN = 'https://hss.cn-north-4.myhuaweicloud.com';
export const IAM_ORIGIN = 'https://iam.cn-north-4.myhuaweicloud.com';

/** A token-auth target on the mock origins, project `proj1`. */
export const TEST_TARGET: TargetConfig = {
  name: 't',
  region: 'cn-north-4',
  projectId: 'proj1',
  endpoint: HSS_ORIGIN,
  iamEndpoint: IAM_ORIGIN,
  auth: { method: 'token', token: new Secret('static-token') },
  enterpriseProjectIds: ['0'],
  imageTypes: ['private_image'],
};

/** TEST_TARGET with another authentication. */
export function targetWith(auth: TargetConfig['auth']): TargetConfig {
  return { ...TEST_TARGET, auth };
}

/** The private_image scope of TEST_TARGET's default enterprise project. */
export const TEST_SCOPE: Scope = {
  target: 't',
  projectId: 'proj1',
  enterpriseProjectId: '0',
  imageType: 'private_image',
};

export const TEST_LIMITS: HttpLimits = {
  connectTimeoutMs: 1_000,
  headersTimeoutMs: 1_000,
  bodyTimeoutMs: 1_000,
  requestDeadlineMs: 5_000,
  maxResponseBytes: 1 << 20,
  maxAttempts: 4,
  backoffBaseMs: 1_000,
  backoffCapMs: 60_000,
};

export interface SeenRequest {
  origin: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface Reply {
  status: number;
  /** Serialised with JSON.stringify unless `text` is given. */
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  /** Real milliseconds before the answer (to exercise deadlines); keep it short. */
  delayMs?: number;
}

/** A 200 answer holding one page of `rows`; total_num is the number of rows unless given. */
export function okPage(rows: unknown[], total: number = rows.length, requestId?: string): Reply {
  const json = { total_num: total, data_list: rows };
  return requestId === undefined
    ? { status: 200, json }
    : { status: 200, headers: { 'x-request-id': requestId }, json };
}

export class MockHss {
  readonly agent = new MockAgent();
  readonly requests: SeenRequest[] = [];
  private closed = false;

  constructor() {
    this.agent.disableNetConnect();
  }

  /** Queues `times` identical replies on `origin`. */
  reply(reply: Reply, times = 1, origin = HSS_ORIGIN): this {
    const scope = this.agent
      .get(origin)
      .intercept({ path: () => true, method: () => true })
      .reply((opts) => {
        this.requests.push({
          origin,
          method: opts.method,
          path: opts.path,
          headers: { ...(opts.headers as Record<string, string>) },
          body: typeof opts.body === 'string' ? opts.body : null,
        });
        const data = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
        return {
          statusCode: reply.status,
          data,
          responseOptions: { headers: { 'content-type': 'application/json', ...reply.headers } },
        };
      })
      .times(times);
    if (reply.delayMs) scope.delay(reply.delayMs);
    return this;
  }

  /** Queues a connection-level failure on `origin` (not recorded in `requests`). */
  fail(error: Error, origin = HSS_ORIGIN): this {
    this.agent
      .get(origin)
      .intercept({ path: () => true, method: () => true })
      .replyWithError(error);
    return this;
  }

  /** Closes the agent once (safe to call from afterEach even when a test made no new mock). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.agent.close();
  }

  /** Paths (with query) of the recorded requests to `origin`. */
  paths(origin = HSS_ORIGIN): string[] {
    return this.requests.filter((r) => r.origin === origin).map((r) => r.path);
  }
}

/** Advances the fake clock in steps until `promise` settles (so backoff and pacing sleeps resolve). */
export async function drive<T>(
  clock: { advance(ms: number): Promise<void> },
  promise: Promise<T>,
  stepMs = 1_000,
  maxSteps = 10_000,
): Promise<T> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < maxSteps && !settled; i++) await clock.advance(stepMs);
  return promise;
}

/**
 * Asserts that `call` fails after one request, not retried: a non-retryable HssBadResponseError
 * (the same request would bring the same answer) saying exactly `message`.
 */
export async function expectRefused(mock: MockHss, call: Promise<unknown>, message: string): Promise<void> {
  const err = await call.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HssBadResponseError);
  expect((err as HssBadResponseError).retryable).toBe(false);
  expect((err as Error).message).toBe(message);
  expect(mock.requests).toHaveLength(1);
}

export interface MockClientOptions {
  /** Default TEST_TARGET; the auth provider is the one its method calls for (createAuthProvider). */
  target?: TargetConfig;
  /** Default a FakeClock at 2026-01-01. */
  clock?: FakeClock;
  limits?: Partial<HttpLimits>;
  /** The pacer's rate. Default 1 000 a minute. */
  ratePerMinute?: number;
  breaker?: CircuitBreaker;
  pageSize?: number;
  /** The per-attempt deadline runs on the fake clock too (default: real time). */
  fakeDeadline?: boolean;
}

/**
 * An HssClient on `mock`'s agent, with its auth provider, fake clock and pacer; jitter is fixed
 * at 0.5. `onCall` collects the call events in `events`.
 */
export function mockClient(mock: MockHss, o: MockClientOptions = {}) {
  const clock = o.clock ?? new FakeClock();
  const target = o.target ?? TEST_TARGET;
  const limits = { ...TEST_LIMITS, ...o.limits };
  const random = () => 0.5;
  const auth = createAuthProvider(target, { dispatcher: mock.agent, clock, limits, random });
  const pacer = new Pacer({ clock, ratePerMinute: o.ratePerMinute ?? 1_000, random });
  const client = createHssClient({
    target,
    limits,
    pacer,
    auth,
    dispatcher: mock.agent,
    clock,
    random,
    ...(o.breaker ? { breaker: o.breaker } : {}),
    ...(o.pageSize ? { pageSize: o.pageSize } : {}),
    ...(o.fakeDeadline ? { deadlineClock: clock } : {}),
  });
  const events: CallEvent[] = [];
  return { client, auth, clock, pacer, events, onCall: (e: CallEvent) => events.push(e) };
}
