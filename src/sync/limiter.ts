/**
 * A counting semaphore: at most `n` tasks run at once; the rest wait in FIFO order, `high`
 * priority before `low` (a low task starts only when no high one waits).
 */
export type Priority = 'high' | 'low';

export interface Limiter {
  run<T>(fn: () => Promise<T>, priority?: Priority): Promise<T>;
  readonly active: number;
  /** Tasks waiting, both priorities. */
  readonly waiting: number;
  /** High-priority tasks waiting. */
  readonly waitingHigh: number;
}

export function createLimiter(n: number): Limiter {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`limiter size must be a positive integer, got ${n}`);
  let active = 0;
  const high: (() => void)[] = [];
  const low: (() => void)[] = [];
  const release = () => {
    active--;
    const next = high.shift() ?? low.shift();
    if (next) {
      active++;
      next();
    }
  };
  return {
    async run<T>(fn: () => Promise<T>, priority: Priority = 'high'): Promise<T> {
      if (active >= n) await new Promise<void>((resolve) => (priority === 'high' ? high : low).push(resolve));
      else active++;
      try {
        return await fn();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return high.length + low.length;
    },
    get waitingHigh() {
      return high.length;
    },
  };
}
