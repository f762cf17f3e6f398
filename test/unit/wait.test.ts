import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { when } from '../helpers/wait.js';

const source = (e: EventEmitter) => (notify: () => void) => {
  e.on('change', notify);
  return () => e.off('change', notify);
};

afterEach(() => vi.useRealTimers());

describe('when', () => {
  it('resolves at once when the condition already holds, and unsubscribes', async () => {
    const e = new EventEmitter();
    await when('nothing', source(e), () => true);
    expect(e.listenerCount('change')).toBe(0);
  });

  it('checks again on each event only, and resolves at the first event after which it holds', async () => {
    const e = new EventEmitter();
    let n = 0;
    let checks = 0;
    const done = when('n = 2', source(e), () => {
      checks++;
      return n >= 2;
    });
    n = 1;
    e.emit('change');
    n = 2;
    e.emit('change');
    await done;
    expect(checks).toBe(3);
    expect(e.listenerCount('change')).toBe(0);
  });

  it('fails after its bound naming what it waited for, and unsubscribes', async () => {
    vi.useFakeTimers();
    const e = new EventEmitter();
    const done = when('the third call', source(e), () => false, 500);
    const failed = expect(done).rejects.toThrow('timed out after 500 ms waiting for the third call');
    await vi.advanceTimersByTimeAsync(500);
    await failed;
    expect(e.listenerCount('change')).toBe(0);
  });

  it('passes on an error the condition throws', async () => {
    const e = new EventEmitter();
    const done = when('a bad check', source(e), () => {
      throw new Error('the check broke');
    });
    await expect(done).rejects.toThrow('the check broke');
  });
});
