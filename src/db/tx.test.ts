import { describe, expect, it } from 'vitest';
import { connectionRetryDelayMs } from './tx.js';

describe('connectionRetryDelayMs', () => {
  it('doubles from 100 ms to a 2 s bound, with equal jitter: half the bound plus up to half again', () => {
    const low = [0, 1, 2, 3, 4, 5].map((a) => connectionRetryDelayMs(a, () => 0));
    const high = [0, 1, 2, 3, 4, 5].map((a) => connectionRetryDelayMs(a, () => 0.999_999));
    expect(low).toEqual([50, 100, 200, 400, 800, 1_000]);
    expect(high).toEqual([99, 199, 399, 799, 1_599, 1_999]);
    expect(connectionRetryDelayMs(2, () => 0.5)).toBe(300);
  });
});
