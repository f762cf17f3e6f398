import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';

describe('FakeClock', () => {
  it('resolves sleeps only when advanced past their end, in deadline order', async () => {
    const clock = new FakeClock(0);
    const woke: string[] = [];
    void clock.sleep(30).then(() => woke.push(`b@${clock.now()}`));
    void clock.sleep(10).then(() => woke.push(`a@${clock.now()}`));
    await clock.advance(9);
    expect([woke, clock.pending, clock.nextWakeAt]).toEqual([[], 2, 10]);
    await clock.advance(21);
    expect([woke, clock.pending, clock.sleeps]).toEqual([['a@10', 'b@30'], 0, [30, 10]]);
  });

  it('an aborted sleep rejects with the reason and is no longer pending', async () => {
    const clock = new FakeClock(0);
    const stop = new AbortController();
    const sleeping = clock.sleep(10, stop.signal);
    stop.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
    await expect(clock.sleep(10, stop.signal)).rejects.toThrow('stop');
  });

  it('instant: every sleep ends at once and moves time by its length', async () => {
    const clock = new FakeClock(1_000, { instant: true });
    await clock.sleep(75);
    await clock.sleep(-5);
    expect([clock.now(), clock.sleeps, clock.pending]).toEqual([1_075, [75, -5], 0]);
  });
});
