/**
 * Test support (not a test file): a scripted HSS/IAM on undici's MockAgent. Each reply is a one-shot
 * interceptor used in registration order, and every request that reached a reply is recorded
 * exactly as it was dispatched (pre-encoded path, headers, body).
 */
import { MockAgent } from 'undici';
import type { HttpLimits, TargetConfig } from '../config/types.js';
import type { Scope } from '../domain.js';
import { Secret } from '../secret.js';

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
