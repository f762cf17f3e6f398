/**
 * Per (identity, API) sliding-window rate limiting, on the injected clock: at most `limit` calls
 * in any window of `windowMs`. Throttled calls do not count.
 */

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export class SlidingWindowLimiter {
  private readonly windows = new Map<string, number[]>();

  /** `limit` null or 0 = off. */
  constructor(
    private limit: number | null,
    private readonly windowMs = 60_000,
  ) {}

  get perWindow(): number | null {
    return this.limit || null;
  }

  /** Changes the limit; switching off forgets every window. */
  setLimit(limit: number | null): void {
    this.limit = limit;
    if (!limit) this.windows.clear();
  }

  /**
   * Admits the call at `now` (and records it), or says how long until the oldest call in the
   * window leaves it. A call exactly `windowMs` after another no longer sees it.
   */
  tryAcquire(key: string, now: number): Admission {
    if (!this.limit) return { ok: true };
    const times = (this.windows.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length < this.limit) {
      times.push(now);
      this.windows.set(key, times);
      return { ok: true };
    }
    this.windows.set(key, times);
    // A slot frees when enough of the oldest calls have left for the count to drop below the limit
    // (more than one when the limit was lowered).
    const sorted = [...times].sort((a, b) => a - b);
    const freeing = sorted[sorted.length - this.limit] ?? now;
    return { ok: false, retryAfterMs: Math.max(1, freeing + this.windowMs - now) };
  }
}
