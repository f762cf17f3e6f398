import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyOutcome, normalizeErrorCode, parseRetryAfter, retryDelayMs } from './retry.js';

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('5', NOW)).toBe(5_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });
  it('reads an HTTP date relative to now, and 0 for a date in the past', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', NOW)).toBe(0);
  });
  it('returns null for absent or garbage values', () => {
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
    expect(parseRetryAfter('', NOW)).toBeNull();
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter('-1', NOW)).toBeNull();
    expect(parseRetryAfter('1.5', NOW)).toBeNull();
    expect(parseRetryAfter('Foo, 99 Bar 2026 99:99:99 GMT', NOW)).toBeNull();
  });
});

describe('backoffDelay', () => {
  const opts = { baseMs: 1_000, capMs: 60_000 };
  it('is random() * min(cap, base * 2^attempt), floored', () => {
    expect(backoffDelay(0, opts, () => 0.5)).toBe(500);
    expect(backoffDelay(1, opts, () => 0.5)).toBe(1_000);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(4_000);
    expect(backoffDelay(3, opts, () => 0.999)).toBe(7_992);
  });
  it('never exceeds the cap, and is 0 with random() = 0', () => {
    expect(backoffDelay(10, opts, () => 0.999999)).toBe(59_999);
    expect(backoffDelay(50, opts, () => 0.5)).toBe(30_000);
    expect(backoffDelay(4, opts, () => 0)).toBe(0);
  });
});

describe('retryDelayMs', () => {
  const opts = { baseMs: 1_000, capMs: 60_000 };
  it('uses Retry-After for throttling when given, else backoff', () => {
    expect(retryDelayMs('throttled', 2, 7_000, opts, () => 0.5)).toBe(7_000);
    expect(retryDelayMs('throttled', 2, null, opts, () => 0.5)).toBe(2_000);
    expect(retryDelayMs('retry', 0, 7_000, opts, () => 0.5)).toBe(500);
  });
});

describe('classifyOutcome: the decision table', () => {
  const http = (status: number, errorCode: string | null = null) =>
    classifyOutcome({ kind: 'http', status, errorCode });
  it.each([
    ['network error', classifyOutcome({ kind: 'network' }), 'retry'],
    ['timeout', classifyOutcome({ kind: 'timeout' }), 'retry'],
    ['2xx not JSON', classifyOutcome({ kind: 'bad_body' }), 'retry'],
    ['500', http(500), 'retry'],
    ['503', http(503), 'retry'],
    ['504 APIGW.0201', http(504, 'APIGW.0201'), 'retry'],
    ['429', http(429), 'throttled'],
    ['429 APIGW.0308', http(429, 'APIGW.0308'), 'throttled'],
    ['APIGW.0308 with another status', http(400, 'APIGW.0308'), 'throttled'],
    ['401 APIGW.0307', http(401, 'APIGW.0307'), 'auth'],
    ['401 APIGW.0301', http(401, 'APIGW.0301'), 'auth'],
    ['403 HSS.0010', http(403, 'HSS.0010'), 'auth'],
    ['400 HSS.0013', http(400, 'HSS.0013'), 'auth'],
    ['403 without code', http(403), 'never'],
    ['400 HSS.0001', http(400, 'HSS.0001'), 'never'],
    ['404 APIGW.0101', http(404, 'APIGW.0101'), 'never'],
    ['413 APIGW.0201', http(413, 'APIGW.0201'), 'never'],
  ])('%s → %s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe('normalizeErrorCode', () => {
  it('accepts APIG. as APIGW.', () => {
    expect(normalizeErrorCode('APIG.0308')).toBe('APIGW.0308');
    expect(normalizeErrorCode('APIGW.0307')).toBe('APIGW.0307');
    expect(normalizeErrorCode('HSS.0001')).toBe('HSS.0001');
    expect(normalizeErrorCode('')).toBeNull();
    expect(normalizeErrorCode(undefined)).toBeNull();
  });
});
