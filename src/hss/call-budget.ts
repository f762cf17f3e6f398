/**
 * The call budget shared by every process and replica using one credential. HSS counts calls per
 * user (credential) and API over a minute, whoever makes them, so the in-process pacer (pacer.ts)
 * alone lets a second replica, a restarted daemon or the next `sync` process start with an empty
 * log while the previous one's calls are still in HSS's window. A SharedCallLog is the authority
 * every process asks before a call: PostgreSQL in production (src/db/call-budget.ts, one row per
 * (credential fingerprint, API)), memory in unit tests (MemoryCallLog, on the injected clock).
 *
 * A credential is known there only by its fingerprint (credentialKey): never the secret, nor the
 * access key id or user name in clear.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ApiName } from '../domain.js';

/** A call admitted (token: hand it back to `finish`), or how long until one may be. */
export type Reservation = { ok: true; token: string } | { ok: false; waitMs: number };

export interface SharedCallLog {
  /**
   * Admits a call on (credentialKey, api) when fewer than `rate` calls are in the last `windowMs`
   * (in flight: from its start; answered: from its answer), recording it; else says how long
   * until enough of them leave the window. Atomic across processes.
   */
  reserve(credentialKey: string, api: ApiName, rate: number, windowMs: number): Promise<Reservation>;
  /** The admitted call ended (answered or failed): it is counted from now on. */
  finish(credentialKey: string, api: ApiName, token: string): Promise<void>;
}

/** Fixed label hashed with the credential id: the fingerprint is this product's, for this use only. */
const FINGERPRINT_LABEL = 'hss-baseline-sync/call-budget/v1\u0000';

/**
 * The credential's fingerprint in the shared log: `sha256:` + hex SHA-256 of a fixed label and
 * the credential id (the AK for AK/SK, `domain/user` for IAM passwords, `token:<hash>` for a
 * static token; src/hss/client.ts createAuthProvider). One-way: the log never holds the secret,
 * nor the access key id or user name in clear.
 */
export function credentialKey(credentialId: string): string {
  return `sha256:${createHash('sha256').update(FINGERPRINT_LABEL).update(credentialId).digest('hex')}`;
}

/** A SharedCallLog in memory, on `clock`: for unit tests (several pacers sharing one budget). */
export class MemoryCallLog implements SharedCallLog {
  private readonly rows = new Map<string, { token: string; at: number }[]>();
  private next = 0;
  /** Reservations made (admitted). */
  admitted = 0;

  constructor(private readonly clock: Clock) {}

  async reserve(key: string, api: ApiName, rate: number, windowMs: number): Promise<Reservation> {
    const now = this.clock.now();
    const id = `${key}\u0000${api}`;
    const kept = (this.rows.get(id) ?? []).filter((c) => c.at > now - windowMs).sort((a, b) => a.at - b.at);
    this.rows.set(id, kept);
    if (kept.length < rate) {
      const token = String(++this.next);
      kept.push({ token, at: now });
      this.admitted++;
      return { ok: true, token };
    }
    const leaving = kept[kept.length - rate] as { at: number };
    return { ok: false, waitMs: Math.max(1, leaving.at + windowMs - now) };
  }

  async finish(key: string, api: ApiName, token: string): Promise<void> {
    const id = `${key}\u0000${api}`;
    const rows = this.rows.get(id) ?? [];
    const entry = rows.find((c) => c.token === token);
    if (entry) entry.at = this.clock.now();
    else rows.push({ token, at: this.clock.now() });
    this.rows.set(id, rows);
  }
}
