import { describe, expect, it } from 'vitest';
import { isRetryableSqlState, RETRYABLE_SQLSTATES, sqlStateOf } from './retry.js';

describe('retryable SQLSTATEs', () => {
  it('lists serialization failure and deadlock only', () => {
    expect([...RETRYABLE_SQLSTATES.keys()]).toEqual(['40001', '40P01']);
  });

  it('classifies errors by their SQLSTATE', () => {
    expect(isRetryableSqlState(Object.assign(new Error('x'), { code: '40001' }))).toBe(true);
    expect(isRetryableSqlState(Object.assign(new Error('x'), { code: '40P01' }))).toBe(true);
    expect(isRetryableSqlState(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
    expect(isRetryableSqlState(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isRetryableSqlState(new Error('x'))).toBe(false);
    expect(isRetryableSqlState(null)).toBe(false);
  });

  it('reads only five-character SQLSTATE codes', () => {
    expect(sqlStateOf({ code: '23P01' })).toBe('23P01');
    expect(sqlStateOf({ code: 'ECONNREFUSED' })).toBeNull();
    expect(sqlStateOf({ code: 40001 })).toBeNull();
    expect(sqlStateOf('40001')).toBeNull();
  });
});
