import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { attemptSignal, header } from './transport.js';

describe('attemptSignal', () => {
  it('follows the caller’s abort and is not a timeout', () => {
    const caller = new AbortController();
    const s = attemptSignal(caller.signal, 60_000);
    caller.abort(new Error('stop'));
    expect(s.signal.aborted).toBe(true);
    expect((s.signal.reason as Error).message).toBe('stop');
    expect(s.timedOut).toBe(false);
    s.dispose();
  });

  it('is aborted at once for an already aborted caller', () => {
    const s = attemptSignal(AbortSignal.abort(), 60_000);
    expect(s.signal.aborted).toBe(true);
    s.dispose();
  });

  it('times out after the deadline on its clock, not before', async () => {
    const clock = new FakeClock();
    const s = attemptSignal(undefined, 5, clock);
    await clock.advance(4);
    expect(s.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(s.signal.aborted).toBe(true);
    expect(s.timedOut).toBe(true);
    expect((s.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('after dispose, neither the caller nor the timer reach it', async () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    const s = attemptSignal(caller.signal, 5, clock);
    s.dispose();
    expect(clock.pending).toBe(0);
    caller.abort();
    await clock.advance(20);
    expect(s.signal.aborted).toBe(false);
    expect(s.timedOut).toBe(false);
  });

  it('a caller’s abort before the deadline is not turned into a timeout later', async () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    const s = attemptSignal(caller.signal, 5, clock);
    caller.abort(new Error('stop'));
    await clock.advance(5);
    expect(s.timedOut).toBe(false);
    expect((s.signal.reason as Error).message).toBe('stop');
    s.dispose();
  });

  it('runs on real time by default', async () => {
    const s = attemptSignal(undefined, 5);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.timedOut).toBe(true);
  });
});

describe('header', () => {
  it('returns the first value of a (lower-case) header, or null', () => {
    expect(header({ 'x-request-id': 'a' }, 'X-Request-Id')).toBe('a');
    expect(header({ 'set-cookie': ['a', 'b'] }, 'set-cookie')).toBe('a');
    expect(header({}, 'date')).toBeNull();
  });
});
