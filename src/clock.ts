/**
 * Time is a parameter. Everything that waits or reads the time takes a Clock, so pacing,
 * backoff, token expiry and schedules are tested with a fake clock instead of sleeps.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` (or rejects with the signal's reason when aborted first). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface FakeClockOptions {
  /**
   * Every sleep ends at once and moves time forward by its length (the delays are still
   * recorded in `sleeps`). For tests of code that waits between real I/O (database retries):
   * they assert the scheduled delays without driving the clock.
   */
  instant?: boolean;
}

/**
 * A manual clock for tests: time moves only when `advance` is called, and pending sleeps
 * whose deadline has passed resolve in deadline order (or at once, see FakeClockOptions.instant).
 */
export class FakeClock implements Clock {
  private t: number;
  private sleepers: { at: number; resolve: () => void; seq: number }[] = [];
  private seq = 0;
  /** Every delay passed to sleep(), in call order: assert the scheduled delay, not wall time. */
  readonly sleeps: number[] = [];

  private readonly instant: boolean;

  constructor(start = Date.UTC(2026, 0, 1), options: FakeClockOptions = {}) {
    this.t = start;
    this.instant = options.instant ?? false;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.instant) {
      this.t += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = { at: this.t + Math.max(0, ms), resolve, seq: this.seq++ };
      this.sleepers.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== entry);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
  /** When the earliest sleep not yet resolved ends; null when none is pending. */
  get nextWakeAt(): number | null {
    let at: number | null = null;
    for (const s of this.sleepers) if (at === null || s.at < at) at = s.at;
    return at;
  }
  /** Number of sleeps not yet resolved. */
  get pending(): number {
    return this.sleepers.length;
  }
  /** Moves time forward by `ms`, resolving due sleeps one at a time and letting promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flushMicrotasks();
      this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.sleepers[0];
      if (!next || next.at > end) break;
      this.sleepers.shift();
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    this.t = end;
    await flushMicrotasks();
  }
  /** Sets the time directly (it may go backwards: code must cope). */
  set(t: number): void {
    this.t = t;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}
