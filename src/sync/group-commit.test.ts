import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('GroupCommit', () => {
  it('writes the first item at once and groups the ones that arrive during a write', async () => {
    const batches: number[][] = [];
    const gates = [deferred(), deferred()];
    const gc = new GroupCommit<number>({
      write: async (b) => {
        batches.push(b);
        await gates[batches.length - 1]?.promise;
      },
    });
    await gc.add(1);
    expect(batches).toEqual([[1]]);
    await gc.add(2);
    await gc.add(3);
    expect(batches).toEqual([[1]]);
    gates[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1], [2, 3]]);
    gates[1]!.resolve();
    await gc.drain();
    expect(gc.queued).toBe(0);
  });

  it('caps a batch at maxBatch', async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const gc = new GroupCommit<number>({
      maxBatch: 2,
      write: async (b) => {
        batches.push(b);
        if (batches.length === 1) await gate.promise;
      },
    });
    for (let i = 0; i < 6; i++) await gc.add(i);
    gate.resolve();
    await gc.drain();
    expect(batches).toEqual([[0], [1, 2], [3, 4], [5]]);
  });

  it('surfaces a write failure to drain and later adds', async () => {
    const gc = new GroupCommit<number>({
      write: async () => {
        throw new Error('db down');
      },
    });
    await gc.add(1);
    await expect(gc.drain()).rejects.toThrow('db down');
    await expect(gc.add(2)).rejects.toThrow('db down');
  });
});
