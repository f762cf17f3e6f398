/**
 * A circuit breaker per (credentialId, API), app-wide like the pacer. After `failureThreshold`
 * consecutive failed attempts (network errors, timeouts, 5xx, unusable bodies) on one key, calls
 * on that key stop for `cooldownMs`: the executor throws HssCircuitOpenError without calling, so
 * an HSS outage costs a few calls and a clear reason instead of every image's full retry ladder.
 * After the cool-down calls go through again (half-open): one success closes the circuit, one
 * failure opens it again for twice as long (up to `maxCooldownMs`).
 *
 * Answers that prove the service works are not failures: 2xx, 4xx (parameter, auth) and 429
 * (the pacer handles throttling).
 */
import type { Clock } from '../clock.js';
import type { ApiName } from '../domain.js';

export interface BreakerOptions {
  clock: Clock;
  /** Consecutive failed attempts that open the circuit. Default 10. */
  failureThreshold?: number;
  /** First open period in ms. Default 60 000. */
  cooldownMs?: number;
  /** Longest open period in ms after repeated re-opening. Default 600 000. */
  maxCooldownMs?: number;
}

/** Whether a call on a key may go out now. */
export type BreakerVerdict =
  | { open: false }
  | {
      open: true;
      /** Epoch ms from which calls go through again. */
      until: number;
      /** Consecutive failures that opened it. */
      failures: number;
      /** Short, secret-free description of the last failure. */
      lastFailure: string;
    };

/** Per-key state for logs and metrics. */
export interface BreakerKeySnapshot {
  credentialId: string;
  api: ApiName;
  state: 'closed' | 'open' | 'half_open';
  consecutiveFailures: number;
  /** Times this key's circuit opened since the breaker was created or reset. */
  opened: number;
}

interface KeyState {
  credentialId: string;
  api: ApiName;
  failures: number;
  openUntil: number | null;
  /** The next open period (doubles on each re-open from half-open). */
  cooldown: number;
  lastFailure: string;
  opened: number;
}

export class CircuitBreaker {
  private readonly clock: Clock;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly maxCooldownMs: number;
  private readonly keys = new Map<string, KeyState>();

  constructor(options: BreakerOptions) {
    this.clock = options.clock;
    this.threshold = Math.max(1, Math.floor(options.failureThreshold ?? 10));
    this.cooldownMs = Math.max(0, options.cooldownMs ?? 60_000);
    this.maxCooldownMs = Math.max(this.cooldownMs, options.maxCooldownMs ?? 600_000);
  }

  /** Whether a call on (credentialId, api) may go out now. */
  check(credentialId: string, api: ApiName): BreakerVerdict {
    const s = this.keys.get(key(credentialId, api));
    if (!s || s.openUntil === null || this.clock.now() >= s.openUntil) return { open: false };
    return { open: true, until: s.openUntil, failures: s.failures, lastFailure: s.lastFailure };
  }

  /** The service answered usefully on this key: the circuit closes. */
  onSuccess(credentialId: string, api: ApiName): void {
    const s = this.keys.get(key(credentialId, api));
    if (!s) return;
    s.failures = 0;
    s.openUntil = null;
    s.cooldown = this.cooldownMs;
  }

  /**
   * One failed attempt on this key. Opens the circuit at the threshold, and at once again when a
   * probe after the cool-down fails.
   */
  onFailure(credentialId: string, api: ApiName, description: string): void {
    const s = this.state(credentialId, api);
    const now = this.clock.now();
    s.failures++;
    s.lastFailure = description.slice(0, 300);
    const probeFailed = s.openUntil !== null && now >= s.openUntil;
    if (probeFailed) {
      s.cooldown = Math.min(this.maxCooldownMs, s.cooldown * 2);
      this.open(s, now);
    } else if (s.openUntil === null && s.failures >= this.threshold) {
      this.open(s, now);
    }
  }

  /** Closes every circuit (a new run starts with a clean slate). */
  reset(): void {
    this.keys.clear();
  }

  snapshot(): BreakerKeySnapshot[] {
    const now = this.clock.now();
    return [...this.keys.values()].map((s) => ({
      credentialId: s.credentialId,
      api: s.api,
      state: s.openUntil === null ? 'closed' : now < s.openUntil ? 'open' : 'half_open',
      consecutiveFailures: s.failures,
      opened: s.opened,
    }));
  }

  private open(s: KeyState, now: number): void {
    s.openUntil = now + s.cooldown;
    s.opened++;
  }

  private state(credentialId: string, api: ApiName): KeyState {
    const k = key(credentialId, api);
    let s = this.keys.get(k);
    if (!s) {
      s = {
        credentialId,
        api,
        failures: 0,
        openUntil: null,
        cooldown: this.cooldownMs,
        lastFailure: '',
        opened: 0,
      };
      this.keys.set(k, s);
    }
    return s;
  }
}

function key(credentialId: string, api: ApiName): string {
  return `${credentialId}\u0000${api}`;
}
