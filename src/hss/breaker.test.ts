import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { CircuitBreaker } from './breaker.js';

const T0 = Date.UTC(2026, 0, 1);
const API = 'ListImageRiskConfigs' as const;

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, for the cool-down, per (credential, API)', async () => {
    const clock = new FakeClock(T0);
    const b = new CircuitBreaker({ clock, failureThreshold: 3, cooldownMs: 10_000 });
    b.onFailure('ak1', API, 'HTTP 503');
    b.onFailure('ak1', API, 'HTTP 503');
    expect(b.check('ak1', API)).toEqual({ open: false });
    b.onFailure('ak1', API, 'HTTP 502 APIGW.0202');
    expect(b.check('ak1', API)).toEqual({
      open: true,
      until: T0 + 10_000,
      failures: 3,
      lastFailure: 'HTTP 502 APIGW.0202',
    });
    expect(b.check('ak2', API)).toEqual({ open: false });
    expect(b.check('ak1', 'ListRegistryImages')).toEqual({ open: false });
    await clock.advance(9_999);
    expect(b.check('ak1', API).open).toBe(true);
    await clock.advance(1);
    expect(b.check('ak1', API)).toEqual({ open: false });
    expect(b.snapshot()).toEqual([
      { credentialId: 'ak1', api: API, state: 'half_open', consecutiveFailures: 3, opened: 1 },
    ]);
  });

  it('a success resets the count; a failed probe after the cool-down re-opens for twice as long (capped)', async () => {
    const clock = new FakeClock(T0);
    const b = new CircuitBreaker({ clock, failureThreshold: 2, cooldownMs: 1_000, maxCooldownMs: 3_000 });
    b.onFailure('ak1', API, 'x');
    b.onSuccess('ak1', API);
    b.onFailure('ak1', API, 'x');
    expect(b.check('ak1', API).open).toBe(false);
    b.onFailure('ak1', API, 'x');
    expect(b.check('ak1', API)).toMatchObject({ open: true, until: T0 + 1_000 });
    await clock.advance(1_000);
    b.onFailure('ak1', API, 'probe failed');
    expect(b.check('ak1', API)).toMatchObject({ open: true, until: T0 + 3_000, lastFailure: 'probe failed' });
    await clock.advance(2_000);
    b.onFailure('ak1', API, 'again');
    expect(b.check('ak1', API)).toMatchObject({ open: true, until: T0 + 6_000 });
    await clock.advance(3_000);
    b.onSuccess('ak1', API);
    expect(b.snapshot()[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0, opened: 3 });
    // Closed again: the cool-down starts over from the first value.
    b.onFailure('ak1', API, 'x');
    b.onFailure('ak1', API, 'x');
    expect(b.check('ak1', API)).toMatchObject({ open: true, until: clock.now() + 1_000 });
  });

  it('reset() closes every circuit', () => {
    const clock = new FakeClock(T0);
    const b = new CircuitBreaker({ clock, failureThreshold: 1 });
    b.onFailure('ak1', API, 'x');
    expect(b.check('ak1', API).open).toBe(true);
    b.reset();
    expect(b.check('ak1', API)).toEqual({ open: false });
    expect(b.snapshot()).toEqual([]);
  });
});
