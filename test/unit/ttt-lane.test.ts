/**
 * The time-to-truth model's lane (bench/ttt-lane.ts): the pacer's window, the deadline, the order
 * of ready items, items that become ready later, and superseded items dropped without a call.
 */
import { describe, expect, it } from 'vitest';
import { ItemHeap, type LaneItem, PacedApi, runLane, WINDOW_MS } from '../../bench/ttt-lane.js';

const item = (payload: string, readyAt: number, rank: number[], seq: number): LaneItem<string> => ({
  payload,
  readyAt,
  rank,
  seq,
});

describe('the time-to-truth lane', () => {
  it('starts at most `rate` calls in any window, the best ranked first, none at or after the deadline', () => {
    const api = new PacedApi(2);
    const ready = new ItemHeap<string>();
    for (const [i, r] of [3, 1, 2, 1, 0].entries()) ready.push(item(`r${r}-${i}`, 0, [r], i));
    const started: [string, number][] = [];
    runLane(api, ready, [], 0, 2 * WINDOW_MS, (it, at) => started.push([it.payload, at]));
    expect(started).toEqual([
      ['r0-4', 0],
      ['r1-1', 0],
      ['r1-3', WINDOW_MS],
      ['r2-2', WINDOW_MS],
    ]);
    expect(ready.size).toBe(1);
    expect(ready.pop()?.payload).toBe('r3-0');
    expect(api.calls).toBe(4);
  });

  it('waits for items that become ready later, keeps those not reached, drops superseded ones', () => {
    const api = new PacedApi(5);
    const ready = new ItemHeap<string>();
    ready.push(item('stale', 0, [0], 0));
    const later = [
      item('late', 30_000, [0], 2),
      item('early', 10_000, [1], 1),
      item('never', 99_000, [0], 3),
    ];
    const started: [string, number][] = [];
    runLane(
      api,
      ready,
      later,
      0,
      60_000,
      (it, at) => started.push([it.payload, at]),
      (it) => it.payload !== 'stale',
    );
    expect(started).toEqual([
      ['early', 10_000],
      ['late', 30_000],
    ]);
    expect(ready.drain().map((i) => i.payload)).toEqual(['never']);
    expect(api.calls).toBe(2);
  });
});
