/**
 * How a request gets its credentials. Three methods (static token, AK/SK signing, IAM password
 * tokens) behind one interface, so the executor neither knows nor cares which one is configured.
 */
import { createHash } from 'node:crypto';
import type { HssAuthError } from '../../errors.js';

/** What a provider may need to authenticate one request. */
export interface AuthRequest {
  method: string;
  /** `host[:port]` exactly as undici sends it in the Host header. */
  host: string;
  /** Pre-encoded `path?query` exactly as sent. */
  pathAndQuery: string;
  /** Request body ('' for none). */
  body: string;
  projectId: string;
  /** The Content-Type the executor sends, if any (signed by AK/SK when present). */
  contentType?: string | null;
}

/** What the executor knows about a request HSS rejected as unauthorised. */
export interface UnauthorizedContext {
  /** The headers the provider gave for the rejected attempt (to tell if a token changed since). */
  sentHeaders: Readonly<Record<string, string>>;
  /** The response's Date header, for clock-skew diagnosis. */
  serverDate: string | null;
  /** How many times this request was already retried after an auth failure. */
  authRetries: number;
}

/**
 * `retry`: the provider fixed something (new token); send the request again.
 * `fail`: give up with `error` (the original error or one with a better explanation).
 */
export type UnauthorizedDecision = { action: 'retry' } | { action: 'fail'; error: HssAuthError };

export interface AuthProvider {
  readonly kind: 'token' | 'aksk' | 'password';
  /** A stable, NON-secret identity of the credential, used to key pacing and logs. */
  readonly credentialId: string;
  /** The headers that authenticate this request. May call IAM (password method). */
  headers(req: AuthRequest, signal?: AbortSignal): Promise<Record<string, string>>;
  /** HSS answered 401 (or 403 HSS.0010/HSS.0013): retry once after a fix, or fail. */
  onUnauthorized(err: HssAuthError, ctx: UnauthorizedContext): Promise<UnauthorizedDecision>;
}

/** `token:` + the first 12 hex digits of the token's SHA-256: identifies without revealing. */
export function tokenCredentialId(token: string): string {
  return `token:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

/** `Name` lookup of a header in a plain record, case-insensitive. */
export function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
