import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import type { ApiName } from '../domain.js';
import { AbortedError } from '../errors.js';
import { Pacer } from './pacer.js';

const T0 = Date.UTC(2026, 0, 1);

/** Starts `n` acquires and records the clock time at which each resolves. */
function startMany(pacer: Pacer, clock: FakeClock, n: number, api = 'ListImageRiskConfigs' as const) {
  const startedAt: number[] = [];
  const promises = Array.from({ length: n }, (_, i) =>
    take(pacer, 'ak1', api).then(() => {
      startedAt[i] = clock.now();
    }),
  );
  return { startedAt, promises };
}

/** Acquires a slot and finishes the call at once (the answer came back instantly). */
function take(pacer: Pacer, credentialId: string, api: ApiName, signal?: AbortSignal): Promise<void> {
  return pacer.acquire(credentialId, api, signal).then((slot) => slot.done());
}

describe('Pacer', () => {
  it('lets R calls start at once and schedules call R+1 exactly window + margin after the first', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 5 });
    const { startedAt } = startMany(pacer, clock, 6);
    await clock.advance(0);
    expect(startedAt).toEqual([T0, T0, T0, T0, T0]);
    expect(clock.sleeps).toEqual([60_250]);
    await clock.advance(60_249);
    expect(startedAt).toHaveLength(5);
    await clock.advance(1);
    expect(startedAt[5]).toBe(T0 + 60_250);
  });

  it('never lets more than R starts into any sliding window (no burst of 2R-1)', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 3, marginMs: 0 });
    // Spread three calls over the first 30 s, then ask for six more at once.
    for (const at of [0, 10_000, 30_000]) {
      clock.set(T0 + at);
      await take(pacer, 'ak1', 'ListImageRiskConfigs');
    }
    const { startedAt } = startMany(pacer, clock, 6);
    await clock.advance(200_000);
    expect(startedAt.map((t) => t - T0)).toEqual([60_000, 70_000, 90_000, 120_000, 130_000, 150_000]);
    const all = [0, 10_000, 30_000, ...startedAt.map((t) => t - T0)];
    for (const s of all) expect(all.filter((t) => t >= s && t < s + 60_000).length).toBeLessThanOrEqual(3);
  });

  it('keeps different APIs and different credentials independent', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 1 });
    await take(pacer, 'ak1', 'ListImageRiskConfigs');
    await take(pacer, 'ak1', 'ListRegistryImages');
    await take(pacer, 'ak2', 'ListImageRiskConfigs');
    expect(clock.sleeps).toEqual([]);
    expect(pacer.snapshot().map((s) => [s.credentialId, s.api, s.callsStarted])).toEqual([
      ['ak1', 'ListImageRiskConfigs', 1],
      ['ak1', 'ListRegistryImages', 1],
      ['ak2', 'ListImageRiskConfigs', 1],
    ]);
  });

  it('applies per-API overrides', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 5, overrides: { ListRegistryImages: 2 } });
    const done: number[] = [];
    for (let i = 0; i < 3; i++) void take(pacer, 'ak1', 'ListRegistryImages').then(() => done.push(i));
    await clock.advance(0);
    expect(done).toEqual([0, 1]);
    expect(pacer.snapshot()[0]?.ratePerMinute).toBe(2);
  });

  it('serves waiters on one key in FIFO order', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 1, marginMs: 0 });
    const order: string[] = [];
    for (const name of ['a', 'b', 'c', 'd'])
      void take(pacer, 'ak1', 'ListImageRiskConfigs').then(() => order.push(name));
    await clock.advance(0);
    expect(order).toEqual(['a']);
    await clock.advance(60_000);
    expect(order).toEqual(['a', 'b']);
    await clock.advance(120_000);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('onThrottled with Retry-After blocks the key that long and lowers its rate by 20%', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 5 });
    await take(pacer, 'ak1', 'ListImageRiskConfigs');
    pacer.onThrottled('ak1', 'ListImageRiskConfigs', 7_000);
    let started = false;
    void take(pacer, 'ak1', 'ListImageRiskConfigs').then(() => {
      started = true;
    });
    await clock.advance(0);
    expect(clock.sleeps).toEqual([7_000]);
    await clock.advance(6_999);
    expect(started).toBe(false);
    await clock.advance(1);
    expect(started).toBe(true);
    expect(pacer.snapshot()).toEqual([
      {
        credentialId: 'ak1',
        api: 'ListImageRiskConfigs',
        ratePerMinute: 4,
        callsStarted: 2,
        throttles: 1,
        waiting: 0,
        inFlight: 0,
      },
    ]);
  });

  it('onThrottled without Retry-After waits a full window + margin + jitter; rate never below 1', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 2, random: () => 0.5, throttleJitterMs: 2_000 });
    pacer.onThrottled('ak1', 'ListRegistryImages', null);
    pacer.onThrottled('ak1', 'ListRegistryImages', null);
    pacer.onThrottled('ak1', 'ListRegistryImages', null);
    void take(pacer, 'ak1', 'ListRegistryImages');
    await clock.advance(0);
    expect(clock.sleeps).toEqual([61_250]);
    const [snap] = pacer.snapshot();
    expect(snap?.ratePerMinute).toBe(1);
    expect(snap?.throttles).toBe(3);
  });

  it('beginRun restores the configured rates (lowered by 429s) but keeps a Retry-After block', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({
      clock,
      ratePerMinute: 10,
      overrides: { ListRegistryImages: 5 },
      marginMs: 0,
    });
    pacer.onThrottled('ak1', 'ListImageRiskConfigs', 0);
    pacer.onThrottled('ak1', 'ListImageRiskConfigs', 0);
    pacer.onThrottled('ak1', 'ListRegistryImages', 30_000);
    expect(pacer.snapshot().map((s) => [s.api, s.ratePerMinute])).toEqual([
      ['ListImageRiskConfigs', 6],
      ['ListRegistryImages', 4],
    ]);
    pacer.beginRun();
    expect(pacer.snapshot().map((s) => [s.api, s.ratePerMinute, s.throttles])).toEqual([
      ['ListImageRiskConfigs', 10, 2],
      ['ListRegistryImages', 5, 1],
    ]);
    void take(pacer, 'ak1', 'ListRegistryImages');
    await clock.advance(0);
    expect(clock.sleeps).toEqual([30_000]);
  });

  it('429s of one episode (calls in flight together) lower the rate once; a later episode again', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 100, random: () => 0, marginMs: 0 });
    const rate = () => pacer.snapshot()[0]?.ratePerMinute;
    pacer.onThrottled('ak1', 'ListImageRiskConfigs', null);
    pacer.onThrottled('ak1', 'ListImageRiskConfigs', null);
    pacer.onThrottled('ak1', 'ListImageRiskConfigs', 5_000);
    expect(rate()).toBe(80);
    expect(pacer.snapshot()[0]?.throttles).toBe(3);
    await clock.advance(60_000);
    pacer.onThrottled('ak1', 'ListImageRiskConfigs', null);
    expect(rate()).toBe(64);
  });

  it('a lowered rate applies to the sliding window at once', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 5, marginMs: 0 });
    for (let i = 0; i < 4; i++) await take(pacer, 'ak1', 'ListImageRiskConfigs');
    pacer.onThrottled('ak1', 'ListImageRiskConfigs', 0); // rate 5 → 4: the 4 starts fill the window
    let started = false;
    void take(pacer, 'ak1', 'ListImageRiskConfigs').then(() => {
      started = true;
    });
    await clock.advance(0);
    expect(started).toBe(false);
    expect(clock.sleeps).toEqual([60_000]);
  });

  it('rejects with AbortedError when aborted while waiting, and the queue moves on', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 1, marginMs: 0 });
    await take(pacer, 'ak1', 'ListImageRiskConfigs');
    const controller = new AbortController();
    const waiting = take(pacer, 'ak1', 'ListImageRiskConfigs', controller.signal);
    let nextStarted = -1;
    void take(pacer, 'ak1', 'ListImageRiskConfigs').then(() => {
      nextStarted = clock.now();
    });
    await clock.advance(1_000);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    await expect(waiting).rejects.toThrow('aborted while waiting for the ListImageRiskConfigs rate limit');
    await clock.advance(59_000);
    expect(nextStarted).toBe(T0 + 60_000);
    expect(pacer.snapshot()[0]?.callsStarted).toBe(2);
  });

  it('rejects at once with an already aborted signal and cancels its wake-up when nobody waits', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 1 });
    await expect(take(pacer, 'ak1', 'ListCicdImages', AbortSignal.abort())).rejects.toBeInstanceOf(
      AbortedError,
    );
    await take(pacer, 'ak1', 'ListCicdImages');
    const controller = new AbortController();
    const waiting = take(pacer, 'ak1', 'ListCicdImages', controller.signal);
    await clock.advance(0);
    expect(clock.pending).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    await clock.advance(0);
    expect(clock.pending).toBe(0);
  });
});

/** Asks for a slot of `ak1` now; `at` becomes the fake time it was granted (the call ends at once). */
function acquireLater(pacer: Pacer, clock: FakeClock, api: ApiName): { at: number | null } {
  const granted: { at: number | null } = { at: null };
  void pacer.acquire('ak1', api).then((slot) => {
    granted.at = clock.now();
    slot.done();
  });
  return granted;
}

describe('Pacer counts a call from its answer', () => {
  it('a call in flight holds its slot until it is done, then for one window + margin', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 2 });
    const a = await pacer.acquire('ak1', 'ListImageRiskConfigs');
    const b = await pacer.acquire('ak1', 'ListImageRiskConfigs');
    const third = acquireLater(pacer, clock, 'ListImageRiskConfigs');
    await clock.advance(70_000);
    expect(third.at).toBeNull();
    a.done();
    await clock.advance(60_249);
    expect(third.at).toBeNull();
    await clock.advance(1);
    expect(third.at).toBe(T0 + 70_000 + 60_250);
    b.done();
    b.done();
  });

  it('a slow first call delays the next one by its latency (the server counted it on arrival)', async () => {
    const clock = new FakeClock(T0);
    const pacer = new Pacer({ clock, ratePerMinute: 1 });
    const slow = await pacer.acquire('ak1', 'ListRegistryImages');
    await clock.advance(5_000);
    slow.done();
    const next = acquireLater(pacer, clock, 'ListRegistryImages');
    await clock.advance(60_249);
    expect(next.at).toBeNull();
    await clock.advance(1);
    expect(next.at).toBe(T0 + 5_000 + 60_250);
  });
});
