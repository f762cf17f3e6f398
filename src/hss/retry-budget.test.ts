import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.js';

describe('RetryBudget', () => {
  it('allows minRetries plus ratio × first attempts, then refuses and counts the refusals', () => {
    const b = new RetryBudget({ minRetries: 2, ratio: 0.5 });
    expect(b.limit).toBe(2);
    expect([b.tryRetry(), b.tryRetry(), b.tryRetry()]).toEqual([true, true, false]);
    b.onFirstAttempt();
    expect(b.limit).toBe(2);
    b.onFirstAttempt();
    expect(b.limit).toBe(3);
    expect([b.tryRetry(), b.tryRetry()]).toEqual([true, false]);
    expect(b.used).toBe(3);
    expect(b.refusedCount).toBe(2);
  });

  it('defaults to 50 retries plus half the first attempts', () => {
    const b = new RetryBudget();
    for (let i = 0; i < 100; i++) b.onFirstAttempt();
    expect(b.limit).toBe(100);
  });
});
