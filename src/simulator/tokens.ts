/**
 * X-Auth-Token bookkeeping: static tokens (never expire) and tokens IAM issued, with the identity
 * each one stands for. Tokens are random, never derived from the world seed.
 */
import { randomBytes } from 'node:crypto';

export interface TokenInfo {
  /** The caller identity (rate-limit key): 'static:<n>', 'user:<domain>/<name>', 'agency:<domain>/<name>'. */
  identity: string;
  kind: 'static' | 'user' | 'agency';
  /** epoch ms; null = never */
  expiresAt: number | null;
}

export type TokenLookup =
  | { status: 'valid'; info: TokenInfo }
  | { status: 'expired' }
  | { status: 'unknown' };

/** A new token shaped like Huawei's (a long base64 string starting 'MII'). */
export function randomToken(): string {
  return `MIIsim${randomBytes(96).toString('base64url')}`;
}

export class TokenStore {
  private readonly tokens = new Map<string, TokenInfo>();

  constructor(
    staticTokens: readonly string[],
    private readonly newToken: () => string = randomToken,
  ) {
    staticTokens.forEach((t, i) => {
      this.tokens.set(t, { identity: `static:${i + 1}`, kind: 'static', expiresAt: null });
    });
  }

  /** Issues a token for `identity`, valid until `expiresAt`. */
  issue(identity: string, kind: 'user' | 'agency', expiresAt: number): string {
    const token = this.newToken();
    this.tokens.set(token, { identity, kind, expiresAt });
    return token;
  }

  /** Makes every token IAM issued expire at `now` (static tokens never expire); returns how many. */
  expireIssued(now: number): number {
    let n = 0;
    for (const info of this.tokens.values()) {
      if (info.kind === 'static' || (info.expiresAt !== null && info.expiresAt <= now)) continue;
      info.expiresAt = now;
      n++;
    }
    return n;
  }

  /** Valid when known and `now` is before its expiry. */
  lookup(token: string, now: number): TokenLookup {
    const info = this.tokens.get(token);
    if (!info) return { status: 'unknown' };
    if (info.expiresAt !== null && now >= info.expiresAt) return { status: 'expired' };
    return { status: 'valid', info };
  }
}
