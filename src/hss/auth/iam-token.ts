/**
 * IAM tokens that renew themselves (password login, optionally followed by assume_role into an
 * agency). One manager per target; every HSS request asks it for the current token.
 *
 * Renewal rule: a token is renewed once less than min(5 min, 10% of its lifetime) remains, so a
 * 24 h token is renewed 5 minutes before it expires and a 10-minute token at 9 minutes. The
 * lifetime is measured as expires_at - issued_at (both from IAM), and counted on the local clock
 * from the moment the answer arrived, so a skewed local clock does not shorten or stretch it.
 *
 * Concurrent callers share one renewal in flight (single flight). IAM failures become
 * IamTokenError with a message that names user and domain but never the password or a token.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { HttpLimits } from '../../config/types.js';
import { AbortedError, HssAuthError, IamTokenError } from '../../errors.js';
import { Secret } from '../../secret.js';
import { BodyTooLargeError } from '../body.js';
import { hostNotFoundCode, hostNotFoundProblem } from '../dns.js';
import { splitEndpoint } from '../endpoints.js';
import { backoffDelay } from '../retry.js';
import { attemptSignal, exchange, header, type RawResponse } from '../transport.js';
import { type AuthProvider, headerValue, type UnauthorizedDecision } from './provider.js';

/** Upper bound of the renewal margin. */
export const RENEW_MARGIN_CAP_MS = 5 * 60_000;
/** Assumed lifetime when IAM does not say (it always should): short, so we renew early. */
const FALLBACK_LIFETIME_MS = 60 * 60_000;

/** How long before expiry a token of this lifetime is renewed: min(5 min, 10% of the lifetime). */
export function renewMarginMs(lifetimeMs: number): number {
  return Math.min(RENEW_MARGIN_CAP_MS, Math.floor(Math.max(0, lifetimeMs) / 10));
}

export interface IamTokenOptions {
  /** IAM base URL, e.g. https://iam.cn-north-4.myhuaweicloud.com. */
  iamEndpoint: string;
  /** The HSS project the token is scoped to. */
  projectId: string;
  domain: string;
  user: string;
  password: Secret;
  /** assume_role into this agency after the password login, or null. */
  agency: { domain: string; name: string } | null;
  dispatcher: Dispatcher;
  clock: Clock;
  /** The clock of the per-call deadline; default systemClock (see ExecutorDeps.deadlineClock). */
  deadlineClock?: Clock;
  limits: HttpLimits;
  /** [0, 1) source for retry jitter. Default Math.random. */
  random?: () => number;
  logger?: Logger;
}

interface CachedToken {
  token: Secret;
  /** Local-clock instant from which the token is renewed before use. */
  renewAt: number;
  expiresAt: number;
}

const tokenBodySchema = z.looseObject({
  token: z
    .looseObject({
      expires_at: z.string().nullish(),
      issued_at: z.string().nullish(),
    })
    .nullish(),
});

/** Gets, caches and renews IAM tokens for one (domain, user, project[, agency]). */
export class IamTokenManager {
  private current: CachedToken | null = null;
  private inflight: Promise<CachedToken> | null = null;
  private calls = 0;
  private readonly random: () => number;
  private readonly who: string;

  constructor(private readonly options: IamTokenOptions) {
    this.random = options.random ?? Math.random;
    this.who = `user ${options.user} in domain ${options.domain}`;
  }

  /** HTTP requests sent to IAM so far (each attempt counts). */
  get iamCalls(): number {
    return this.calls;
  }

  /**
   * A token valid for at least the renewal margin: the cached one, or a new one from IAM (one
   * request for all concurrent callers). `signal` only stops this caller's wait.
   */
  async getToken(signal?: AbortSignal): Promise<string> {
    if (signal?.aborted)
      throw new AbortedError('aborted while waiting for an IAM token', { cause: signal.reason });
    const cached = this.current;
    if (cached && this.options.clock.now() < cached.renewAt) return cached.token.reveal();
    if (!this.inflight) {
      this.inflight = this.obtain().finally(() => {
        this.inflight = null;
      });
    }
    const fresh = await raceAbort(this.inflight, signal);
    return fresh.token.reveal();
  }

  /** Forgets `token` if it is still the cached one (a newer token is kept). */
  invalidate(token: string): void {
    if (this.current && this.current.token.reveal() === token) this.current = null;
  }

  private async obtain(): Promise<CachedToken> {
    const { agency, domain, user, password, projectId } = this.options;
    // An agency's project belongs to the delegating account, so the user's own token is scoped to
    // the user's domain and only the assumed-role token to the project.
    const login = await this.post(
      {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: user, password: password.reveal(), domain: { name: domain } } },
          },
          scope: agency ? { domain: { name: domain } } : { project: { id: projectId } },
        },
      },
      null,
      'password',
    );
    const final = agency
      ? await this.post(
          {
            auth: {
              identity: {
                methods: ['assume_role'],
                assume_role: { domain_name: agency.domain, agency_name: agency.name },
              },
              scope: { project: { id: projectId } },
            },
          },
          login.token,
          'assume_role',
        )
      : login;
    this.current = final;
    return final;
  }

  private describeStep(step: 'password' | 'assume_role'): string {
    const agency = this.options.agency;
    return step === 'password' || !agency
      ? `the password login for ${this.who}`
      : `assume_role into agency ${agency.name} of domain ${agency.domain} for ${this.who}`;
  }

  private rejected(step: 'password' | 'assume_role', status: number, code: string | null): IamTokenError {
    const detail = code ? `HTTP ${status}, ${code}` : `HTTP ${status}`;
    if (step === 'password' && (status === 400 || status === 401 || status === 403)) {
      return new IamTokenError(`IAM rejected the password login for ${this.who} (${detail})`, status);
    }
    if (status >= 400 && status < 500) {
      return new IamTokenError(`IAM rejected ${this.describeStep(step)} (${detail})`, status);
    }
    return new IamTokenError(`IAM failed ${this.describeStep(step)} (${detail})`, status);
  }

  /** One IAM token request with retries for network errors, 5xx and 429; 4xx fail at once. */
  private async post(
    body: unknown,
    authToken: Secret | null,
    step: 'password' | 'assume_role',
  ): Promise<CachedToken> {
    const { clock, limits, dispatcher } = this.options;
    const ep = splitEndpoint(this.options.iamEndpoint);
    const headers: Record<string, string> = { 'Content-Type': 'application/json;charset=utf8' };
    if (authToken) headers['X-Auth-Token'] = authToken.reveal();
    const payload = JSON.stringify(body);
    const maxAttempts = Math.max(1, limits.maxAttempts);
    let lastError: IamTokenError | null = null;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) {
        await clock.sleep(
          backoffDelay(
            attempt - 1,
            { baseMs: limits.backoffBaseMs, capMs: limits.backoffCapMs },
            this.random,
          ),
        );
      }
      let res: RawResponse;
      this.calls++;
      const deadline = attemptSignal(undefined, limits.requestDeadlineMs, this.options.deadlineClock);
      try {
        res = await exchange(dispatcher, {
          origin: ep.origin,
          // nocatalog: the service catalog can be hundreds of KB and we do not need it.
          path: `${ep.basePath}/v3/auth/tokens?nocatalog=true`,
          method: 'POST',
          headers,
          body: payload,
          signal: deadline.signal,
          maxResponseBytes: limits.maxResponseBytes,
        });
      } catch (err) {
        const notFound = deadline.timedOut ? null : hostNotFoundCode(err);
        if (notFound) {
          // A wrong region or IAM endpoint: the next attempt cannot resolve the name either.
          throw new IamTokenError(
            `IAM at ${ep.origin} cannot complete ${this.describeStep(step)}: ${hostNotFoundProblem(ep.host, notFound, 'iam', "HSS_REGION (or the target's region) and HSS_IAM_ENDPOINT")}`,
            undefined,
            { cause: err },
          );
        }
        // Only the error's name and code: undici errors carry no request body, but be strict.
        const problem =
          err instanceof BodyTooLargeError
            ? err.message
            : deadline.timedOut
              ? `no answer within ${limits.requestDeadlineMs} ms`
              : describeNetworkError(err);
        lastError = new IamTokenError(
          `IAM at ${ep.origin} did not complete ${this.describeStep(step)}: ${problem}`,
          undefined,
        );
        this.options.logger?.warn(
          { attempt: attempt + 1, step, reason: lastError.message },
          attempt + 1 < maxAttempts ? 'IAM token request failed, will retry' : 'IAM token request failed',
        );
        continue;
      } finally {
        deadline.dispose();
      }
      if (res.status === 200 || res.status === 201) return this.accept(res, step);
      const code = iamErrorCode(res.text);
      const error = this.rejected(step, res.status, code);
      if (res.status !== 429 && res.status < 500) throw error;
      lastError = error;
      this.options.logger?.warn(
        { attempt: attempt + 1, step, status: res.status, reason: error.message },
        attempt + 1 < maxAttempts ? 'IAM token request failed, will retry' : 'IAM token request failed',
      );
    }
    throw lastError ?? new IamTokenError(`IAM failed ${this.describeStep(step)}`);
  }

  private accept(res: RawResponse, step: 'password' | 'assume_role'): CachedToken {
    const token = header(res.headers, 'x-subject-token');
    if (!token) {
      throw new IamTokenError(
        `IAM answered HTTP ${res.status} without an X-Subject-Token header to ${this.describeStep(step)}`,
        res.status,
      );
    }
    const now = this.options.clock.now();
    const lifetime = tokenLifetimeMs(res.text, now);
    return {
      token: new Secret(token),
      renewAt: now + lifetime - renewMarginMs(lifetime),
      expiresAt: now + lifetime,
    };
  }
}

/** Lifetime from the answer: expires_at - issued_at, else expires_at - now, else a 1 h fallback. */
function tokenLifetimeMs(text: string, nowMs: number): number {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return FALLBACK_LIFETIME_MS;
  }
  const parsed = tokenBodySchema.safeParse(json);
  if (!parsed.success) return FALLBACK_LIFETIME_MS;
  const expires = Date.parse(parsed.data.token?.expires_at ?? '');
  if (Number.isNaN(expires)) return FALLBACK_LIFETIME_MS;
  const issued = Date.parse(parsed.data.token?.issued_at ?? '');
  const lifetime = expires - (Number.isNaN(issued) ? nowMs : issued);
  return Math.max(lifetime, 0);
}

/** IAM's string error code (`IAM.0001`-style) from `error_code` or `error.code`, if any. */
function iamErrorCode(text: string): string | null {
  try {
    const json = JSON.parse(text) as { error_code?: unknown; error?: { code?: unknown } };
    if (typeof json?.error_code === 'string') return json.error_code.slice(0, 64);
    if (typeof json?.error?.code === 'string') return json.error.code.slice(0, 64);
  } catch {
    // not JSON: no code
  }
  return null;
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${err.name} ${code}` : err.name;
  }
  return 'unknown error';
}

async function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(new AbortedError('aborted while waiting for an IAM token', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * An AuthProvider sending IAM tokens as X-Auth-Token. On a 401 it renews the token once (unless
 * another request already did) and asks for one retry; a 401 on that retry is final.
 */
export function createIamTokenProvider(manager: IamTokenManager, credentialId: string): AuthProvider {
  return {
    kind: 'password',
    credentialId,
    async headers(_req, signal) {
      return { 'X-Auth-Token': await manager.getToken(signal) };
    },
    async onUnauthorized(err, ctx): Promise<UnauthorizedDecision> {
      if (err.status !== 401) return { action: 'fail', error: err };
      if (ctx.authRetries >= 1) {
        const code = err.errorCode ?? `HTTP ${err.status}`;
        return {
          action: 'fail',
          error: new HssAuthError(err.context, {
            cause: err,
            message: `${err.message}: HSS rejected a freshly issued IAM token too (${code}); check that the user may use HSS in this project and region`,
          }),
        };
      }
      const sent = headerValue(ctx.sentHeaders, 'x-auth-token');
      if (sent !== undefined) manager.invalidate(sent);
      await manager.getToken();
      return { action: 'retry' };
    },
  };
}
