import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from './exit-codes.js';
import { listenForStop, SHUTDOWN_BOUND_MS, withStopSignal } from './lifecycle.js';

function recorder() {
  const events: string[] = [];
  return {
    events,
    reporter: {
      stopping: (name: string) => events.push(`stopping ${name}`),
      forced: (why: string) => events.push(`forced ${why}`),
    },
  };
}

describe('listenForStop', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the first signal aborts, resolves the request and is reported once', async () => {
    const source = new EventEmitter();
    const { events, reporter } = recorder();
    const stop = listenForStop(reporter, source);
    expect(stop.signal.aborted).toBe(false);
    source.emit('SIGTERM');
    expect(stop.signal.aborted).toBe(true);
    expect((stop.signal.reason as Error).message).toBe('received SIGTERM');
    expect(await stop.requested).toBe('SIGTERM');
    // Without an exit (a test's emitter), a second signal forces nothing.
    source.emit('SIGINT');
    expect(events).toEqual(['stopping SIGTERM']);
    stop.dispose();
    expect(source.listenerCount('SIGTERM') + source.listenerCount('SIGINT')).toBe(0);
  });

  it('a second signal exits at once with EXIT.aborted', () => {
    const source = new EventEmitter();
    const { events, reporter } = recorder();
    const exits: number[] = [];
    const stop = listenForStop(reporter, source, (code) => exits.push(code));
    source.emit('SIGINT');
    source.emit('SIGINT');
    expect(events).toEqual(['stopping SIGINT', 'forced received SIGINT again: exiting now']);
    expect(exits).toEqual([EXIT.aborted]);
    stop.dispose();
  });

  it('a stop still going after the bound exits with EXIT.aborted, whatever the command', () => {
    vi.useFakeTimers();
    const source = new EventEmitter();
    const { events, reporter } = recorder();
    const exits: number[] = [];
    const stop = listenForStop(reporter, source, (code) => exits.push(code));
    source.emit('SIGTERM');
    vi.advanceTimersByTime(SHUTDOWN_BOUND_MS - 1);
    expect(exits).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['stopping SIGTERM', 'forced stopping took longer than 9 s: exiting now']);
    expect(exits).toEqual([3]);
    stop.dispose();
  });

  it('withStopSignal stops listening when the work ends', async () => {
    const source = new EventEmitter();
    const { reporter } = recorder();
    const seen = await withStopSignal(reporter, source, async (signal) => {
      expect(source.listenerCount('SIGTERM')).toBe(1);
      source.emit('SIGTERM');
      return signal.aborted;
    });
    expect(seen).toBe(true);
    expect(source.listenerCount('SIGTERM')).toBe(0);
  });
});
