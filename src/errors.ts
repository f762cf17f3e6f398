/**
 * One small error hierarchy for the whole product. Every error has a stable `code` that logs,
 * the run ledger and tests rely on, the context a person needs, and keeps its `cause`.
 * Messages never contain secrets: callers pass only non-secret context.
 */
import type { ApiName } from './domain.js';
import { replaceNul } from './text.js';

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'HSS_API_ERROR'
  | 'HSS_AUTH_FAILED'
  | 'HSS_THROTTLED'
  | 'HSS_NETWORK'
  | 'HSS_HOST_NOT_FOUND'
  | 'HSS_BAD_RESPONSE'
  | 'HSS_CIRCUIT_OPEN'
  | 'IAM_TOKEN_FAILED'
  | 'DB_ERROR'
  | 'DB_MIGRATION_PENDING'
  | 'DB_PERMISSION_DENIED'
  | 'ABORTED';

export abstract class HssSyncError extends Error {
  abstract readonly code: ErrorCode;
  /** Whether the same call may succeed if tried again later. */
  readonly retryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** A short, secret-free description for the run ledger (NUL policy applied: see text.ts). */
  toLedger(): string {
    return replaceNul(`${this.code}: ${this.message}`.slice(0, 1000));
  }
}

/** A configuration value is missing or wrong. `variable` names the env var or file path. */
export class ConfigError extends HssSyncError {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    readonly problem: string,
    readonly allowed?: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${problem}${allowed ? ` (allowed: ${allowed})` : ''}`, options);
  }
}

/** Context every HSS error carries. */
export interface HssErrorContext {
  api: ApiName;
  /** HTTP method and path without query string or credentials. */
  path: string;
  status?: number;
  errorCode?: string;
  errorMsg?: string;
  requestId?: string | null;
}

function describe(ctx: HssErrorContext): string {
  const parts = [`${ctx.api}`];
  if (ctx.status !== undefined) parts.push(`HTTP ${ctx.status}`);
  if (ctx.errorCode) parts.push(ctx.errorCode);
  if (ctx.errorMsg) parts.push(JSON.stringify(ctx.errorMsg.slice(0, 300)));
  if (ctx.requestId) parts.push(`request_id=${ctx.requestId}`);
  return parts.join(' ');
}

/** HSS answered with an error body (4xx/5xx other than the special cases below). */
export class HssApiError extends HssSyncError {
  readonly code: ErrorCode = 'HSS_API_ERROR';
  override readonly retryable: boolean;
  constructor(
    readonly context: HssErrorContext,
    options?: { cause?: unknown; retryable?: boolean; message?: string },
  ) {
    super(options?.message ?? describe(context), options);
    this.retryable = options?.retryable ?? (context.status !== undefined && context.status >= 500);
  }
  get status(): number | undefined {
    return this.context.status;
  }
  get errorCode(): string | undefined {
    return this.context.errorCode;
  }
  get requestId(): string | null | undefined {
    return this.context.requestId;
  }
}

/** 401/403 for credentials: APIGW.0301 (never retried), APIGW.0307 (renew once), HSS.0010/0013. */
export class HssAuthError extends HssApiError {
  override readonly code: ErrorCode = 'HSS_AUTH_FAILED';
  constructor(context: HssErrorContext, options?: { cause?: unknown; message?: string }) {
    super(context, { ...options, retryable: false });
  }
}

/**
 * Whether an HSS answer says "throttled": HTTP 429, or the gateway's APIGW.0308 under any status.
 * The one test of it: the retry table, the run's tallies and the metrics all ask here.
 */
export function isThrottled(answer: { status?: number; errorCode?: string | null }): boolean {
  return answer.status === 429 || answer.errorCode === 'APIGW.0308';
}

/** 429 / APIGW.0308 (isThrottled). `retryAfterMs` is set when the server said how long to wait. */
export class HssThrottledError extends HssApiError {
  override readonly code: ErrorCode = 'HSS_THROTTLED';
  constructor(
    context: HssErrorContext,
    readonly retryAfterMs: number | null,
    options?: { cause?: unknown },
  ) {
    super(context, { ...options, retryable: true });
  }
}

/** The response was not what the API documents (HTML, truncated JSON, schema mismatch, too large). */
export class HssBadResponseError extends HssApiError {
  override readonly code: ErrorCode = 'HSS_BAD_RESPONSE';
  constructor(context: HssErrorContext, problem: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(context, {
      ...options,
      retryable: options?.retryable ?? true,
      message: `${describe(context)}: ${problem}`,
    });
  }
}

/** The connection failed, was reset, or no answer came in time. */
export class HssNetworkError extends HssApiError {
  override readonly code: ErrorCode = 'HSS_NETWORK';
  constructor(context: HssErrorContext, problem: string, options?: { cause?: unknown }) {
    super(context, { ...options, retryable: true, message: `${describe(context)}: ${problem}` });
  }
}

/** The HSS host name does not resolve (ENOTFOUND): a wrong region or endpoint, never retried. */
export class HssHostNotFoundError extends HssApiError {
  override readonly code: ErrorCode = 'HSS_HOST_NOT_FOUND';
  constructor(context: HssErrorContext, problem: string, options?: { cause?: unknown }) {
    super(context, { ...options, retryable: false, message: `${describe(context)}: ${problem}` });
  }
}

/** Too many consecutive failures for one (credential, API): calls stop for a while. */
export class HssCircuitOpenError extends HssApiError {
  override readonly code: ErrorCode = 'HSS_CIRCUIT_OPEN';
  constructor(context: HssErrorContext, problem: string) {
    super(context, { retryable: false, message: `${describe(context)}: ${problem}` });
  }
}

/** Getting a token from IAM failed. Never includes the password or the token. */
export class IamTokenError extends HssSyncError {
  readonly code = 'IAM_TOKEN_FAILED';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The run or a call was aborted (SIGTERM, deadline). */
export class AbortedError extends HssSyncError {
  readonly code = 'ABORTED';
}

/** A database operation failed after its retries. */
export class DbError extends HssSyncError {
  readonly code = 'DB_ERROR';
}

/**
 * The database schema is older than this version, and this process will not (it was told not to
 * migrate) or may not (its login does not own the schema) apply the migrations. The message names
 * them and who should run `migrate`; nothing was changed.
 */
export class MigrationPendingError extends HssSyncError {
  readonly code = 'DB_MIGRATION_PENDING';
  constructor(
    message: string,
    /** Tags of the pending migrations, oldest first. */
    readonly pending: readonly string[],
  ) {
    super(message);
  }
}

/**
 * Starts the message of an upstream failure that is a wrong setting (a host name that does not
 * resolve): `sync` exits 78 when every scope failed with one.
 */
export const CONFIGURATION_PROBLEM = 'configuration problem:';

/** The first ConfigError in `err` or its cause chain (a DbError may wrap one), or null. */
export function configErrorIn(err: unknown): ConfigError | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    if (e instanceof ConfigError) return e;
  }
  return null;
}

/**
 * A short, secret-free, one-line description of any thrown value, for ledgers and logs. Error
 * messages may quote upstream text (a request id, a server's message): the NUL policy applies.
 */
export function errorSummary(err: unknown): string {
  if (err instanceof HssSyncError) return err.toLedger();
  if (err instanceof Error) return replaceNul(`${err.name}: ${err.message}`.slice(0, 1000));
  return replaceNul(String(err).slice(0, 1000));
}
