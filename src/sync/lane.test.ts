import { describe, expect, it } from 'vitest';
import { Lane } from './lane.js';

/** A lane whose items finish when the test says so. */
function manual(concurrency: number) {
  const started: number[] = [];
  const finish = new Map<number, () => void>();
  let stop = false;
  const errors: unknown[] = [];
  const lane = new Lane<number>({
    concurrency,
    stopped: () => stop,
    failed: (err) => errors.push(err),
    work: (n) =>
      new Promise<void>((resolve, reject) => {
        started.push(n);
        finish.set(n, n < 0 ? () => reject(new Error(`item ${n}`)) : resolve);
      }),
  });
  const done = async (n: number) => {
    finish.get(n)?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { lane, started, done, errors, stopNow: () => (stop = true) };
}

describe('Lane', () => {
  it('works at most `concurrency` items at once, takes items pushed while it runs, idles once closed and empty', async () => {
    const m = manual(2);
    m.lane.push([1, 2, 3]);
    expect([m.started, m.lane.active, m.lane.queued]).toEqual([[1, 2], 2, 1]);
    let idle = false;
    void m.lane.idle().then(() => (idle = true));
    await m.done(1);
    m.lane.push([4]);
    expect(m.started).toEqual([1, 2, 3]);
    await m.done(2);
    await m.done(3);
    expect(m.started).toEqual([1, 2, 3, 4]);
    m.lane.close();
    await m.done(4);
    expect(idle).toBe(true);
  });

  it('once stopped starts nothing more: idle when the items in progress end, the queued ones left undone', async () => {
    const m = manual(1);
    m.lane.push([1, 2, 3]);
    let idle = false;
    void m.lane.idle().then(() => (idle = true));
    m.stopNow();
    m.lane.pump();
    expect(idle).toBe(false);
    await m.done(1);
    expect([m.started, idle]).toEqual([[1], true]);
    expect(m.lane.takeQueued()).toEqual([2, 3]);
    expect(m.lane.queued).toBe(0);
  });

  it('hands what an item threw to `failed` and goes on', async () => {
    const m = manual(1);
    m.lane.push([-1, 2]);
    await m.done(-1);
    expect(m.errors.map((e) => (e as Error).message)).toEqual(['item -1']);
    expect(m.started).toEqual([-1, 2]);
  });
});
