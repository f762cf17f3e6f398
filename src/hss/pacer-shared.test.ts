/**
 * The pacer with a shared call log (several processes on one credential), on a fake clock: the
 * in-process log is the fast path, the shared one the authority.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import type { ApiName } from '../domain.js';
import { AbortedError } from '../errors.js';
import { credentialKey, MemoryCallLog, type SharedCallLog } from './call-budget.js';
import { Pacer } from './pacer.js';

const T0 = Date.UTC(2026, 0, 1);
const API: ApiName = 'ListImageRiskConfigs';

/** `n` calls through `pacer`, each answered at once; the instants they start at. */
function calls(
  pacer: Pacer,
  clock: FakeClock,
  n: number,
  credentialId = 'ak1',
): { at: number[]; all: Promise<void> } {
  const at: number[] = [];
  const all = Promise.all(
    Array.from({ length: n }, () =>
      pacer.acquire(credentialId, API).then((slot) => {
        at.push(clock.now() - T0);
        slot.done();
      }),
    ),
  ).then(() => {});
  return { at, all };
}

describe('Pacer with a shared call log', () => {
  it('a second process starting right after the first waits for the first one’s calls to leave the window', async () => {
    const clock = new FakeClock(T0);
    const log = new MemoryCallLog(clock);
    const first = new Pacer({ clock, ratePerMinute: 5, shared: log });
    const a = calls(first, clock, 5);
    await clock.advance(0);
    await a.all;
    expect(a.at).toEqual([0, 0, 0, 0, 0]);
    // A new process (an empty in-process log) on the same credential, 10 s later.
    await clock.advance(10_000);
    const second = new Pacer({ clock, ratePerMinute: 5, shared: log });
    const b = calls(second, clock, 6);
    await clock.advance(200_000);
    await b.all;
    // Its own log would have let 5 start at 10 s: the shared one makes them wait for the window.
    expect(b.at).toEqual([60_250, 60_250, 60_250, 60_250, 60_250, 120_500]);
    expect(log.admitted).toBe(11);
    expect(second.snapshot()[0]?.sharedWaits).toBe(5);
    // Without the shared log the same second process would have started 5 calls at once.
    const alone = new Pacer({ clock, ratePerMinute: 5 });
    const c = calls(alone, clock, 5);
    await clock.advance(0);
    await c.all;
    expect(new Set(c.at).size).toBe(1);
  });

  it('two pacers at once on one credential never have more than R calls in a window together', async () => {
    const clock = new FakeClock(T0);
    const log = new MemoryCallLog(clock);
    const p1 = new Pacer({ clock, ratePerMinute: 3, marginMs: 0, shared: log });
    const p2 = new Pacer({ clock, ratePerMinute: 3, marginMs: 0, shared: log });
    const a = calls(p1, clock, 4);
    const b = calls(p2, clock, 4);
    await clock.advance(300_000);
    await Promise.all([a.all, b.all]);
    const all = [...a.at, ...b.at].sort((x, y) => x - y);
    expect(all).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000, 120_000]);
    // Other credentials are not held back.
    const other = calls(p1, clock, 3, 'ak2');
    await clock.advance(0);
    await other.all;
    expect(other.at).toEqual([420_000, 420_000, 420_000].map((t) => t - 120_000));
  });

  it('a failing shared log leaves the call to the in-process log, counted and reported', async () => {
    const clock = new FakeClock(T0);
    const errors: unknown[] = [];
    const broken: SharedCallLog = {
      reserve: () => Promise.reject(new Error('connection refused')),
      finish: () => Promise.reject(new Error('connection refused')),
    };
    const pacer = new Pacer({
      clock,
      ratePerMinute: 2,
      shared: broken,
      onSharedError: (e) => errors.push(e),
    });
    const a = calls(pacer, clock, 3);
    await clock.advance(100_000);
    await a.all;
    expect(a.at).toEqual([0, 0, 60_250]);
    // Three reservations failed; no finish was attempted for calls the shared log never admitted.
    expect(pacer.sharedErrors).toBe(3);
    expect(errors.map((e) => (e as Error).message)).toEqual(Array(3).fill('connection refused'));
  });

  it('an abort while waiting for the shared budget rejects and frees the in-process slot', async () => {
    const clock = new FakeClock(T0);
    const log = new MemoryCallLog(clock);
    const other = new Pacer({ clock, ratePerMinute: 1, shared: log });
    await calls(other, clock, 1).all;
    const pacer = new Pacer({ clock, ratePerMinute: 1, shared: log });
    const controller = new AbortController();
    const waiting = pacer.acquire('ak1', API, controller.signal);
    await clock.advance(1_000);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(pacer.snapshot()[0]).toMatchObject({ inFlight: 0, sharedWaits: 1 });
  });

  it('knows a credential by a one-way fingerprint only', () => {
    const k = credentialKey('AKIDEXAMPLE123');
    expect(k).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(k).not.toContain('AKIDEXAMPLE123');
    expect(credentialKey('AKIDEXAMPLE123')).toBe(k);
    expect(credentialKey('AKIDEXAMPLE124')).not.toBe(k);
  });
});
