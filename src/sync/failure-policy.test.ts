import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  DbError,
  HssApiError,
  HssAuthError,
  HssCircuitOpenError,
  HssNetworkError,
  isThrottled,
} from '../errors.js';
import { ImageQuarantinedError } from '../hss/quarantine.js';
import { classifyFailure, FailureStreak, MAX_CONSECUTIVE_FAILURES, stopReason } from './failure-policy.js';

const ctx = { api: 'ListImageRiskConfigs' as const, path: 'GET /x' };

describe('the failure policy', () => {
  it('classifies every kind of failure once, for every phase', () => {
    const table: [unknown, string][] = [
      [new AbortedError('deadline'), 'stopped'],
      [new ImageQuarantinedError(ctx, 'img', 1), 'item-problem'],
      [new HssNetworkError(ctx, 'reset'), 'retry'],
      [new HssApiError({ ...ctx, status: 503 }), 'retry'],
      [new HssApiError({ ...ctx, status: 404 }), 'item-failure'],
      [new HssAuthError({ ...ctx, status: 401 }), 'scope-failure'],
      [new HssCircuitOpenError(ctx, 'open'), 'scope-failure'],
      [new DbError('down'), 'scope-failure'],
      [new TypeError('bug'), 'defect'],
    ];
    expect(table.map(([err]) => classifyFailure(err, false))).toEqual(table.map(([, kind]) => kind));
    // While stopping, nothing is a failure.
    expect(table.map(([err]) => classifyFailure(err, true))).toEqual(table.map(() => 'stopped'));
  });

  it('names why a phase stopped', () => {
    expect(stopReason(new DbError('down'), 'rules', 'rule fetch')).toBe(
      'writing rules failed: DB_ERROR: down',
    );
    expect(stopReason(new HssAuthError({ ...ctx, status: 401 }), 'rules', 'rule fetch')).toBe(
      'HSS_AUTH_FAILED: ListImageRiskConfigs HTTP 401',
    );
    expect(stopReason(new TypeError('bug'), 'rules', 'rule fetch')).toBe(
      'rule fetch failed unexpectedly: TypeError: bug',
    );
  });

  it('stops after MAX_CONSECUTIVE_FAILURES failures in a row, a success breaking the streak', () => {
    const streak = new FailureStreak();
    const err = new HssApiError({ ...ctx, status: 404 });
    for (let i = 1; i < MAX_CONSECUTIVE_FAILURES; i++) expect(streak.failed(err, 'fetches')).toBeNull();
    streak.succeeded();
    for (let i = 1; i < MAX_CONSECUTIVE_FAILURES; i++) expect(streak.failed(err, 'fetches')).toBeNull();
    expect(streak.failed(err, 'fetches')).toBe(
      'stopped after 5 consecutive failed fetches; last: HSS_API_ERROR: ListImageRiskConfigs HTTP 404',
    );
  });

  it('has one throttle test: 429, or APIGW.0308 under any status', () => {
    expect([
      isThrottled({ status: 429, errorCode: null }),
      isThrottled({ status: 400, errorCode: 'APIGW.0308' }),
      isThrottled({ status: 503, errorCode: 'APIGW.0201' }),
      isThrottled({ status: 0 }),
    ]).toEqual([true, true, false, false]);
  });
});
