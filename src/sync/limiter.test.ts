import { describe, expect, it } from 'vitest';
import { createLimiter } from './limiter.js';

describe('createLimiter', () => {
  it('serves waiting high-priority tasks before low ones, each in FIFO order', async () => {
    const limiter = createLimiter(1);
    const order: string[] = [];
    let release: () => void = () => {};
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const tasks = [
      limiter.run(async () => void order.push('low-1'), 'low'),
      limiter.run(async () => void order.push('high-1')),
      limiter.run(async () => void order.push('low-2'), 'low'),
      limiter.run(async () => void order.push('high-2'), 'high'),
    ];
    expect([limiter.active, limiter.waiting, limiter.waitingHigh]).toEqual([1, 4, 2]);
    release();
    await Promise.all([first, ...tasks]);
    expect(order).toEqual(['high-1', 'high-2', 'low-1', 'low-2']);
    expect([limiter.active, limiter.waiting]).toEqual([0, 0]);
  });
});
