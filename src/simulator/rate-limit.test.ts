import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { createSimulator, type Simulator } from './server.js';

describe('SlidingWindowLimiter', () => {
  it('admits N per window, then says when the oldest call leaves', () => {
    const l = new SlidingWindowLimiter(2);
    expect(l.tryAcquire('k', 1_000)).toEqual({ ok: true });
    expect(l.tryAcquire('k', 21_000)).toEqual({ ok: true });
    expect(l.tryAcquire('k', 30_000)).toEqual({ ok: false, retryAfterMs: 31_000 });
    expect(l.tryAcquire('other', 30_000)).toEqual({ ok: true });
    expect(l.tryAcquire('k', 60_999)).toEqual({ ok: false, retryAfterMs: 1 });
    expect(l.tryAcquire('k', 61_000)).toEqual({ ok: true });
    expect(l.tryAcquire('k', 61_000)).toEqual({ ok: false, retryAfterMs: 20_000 });
  });

  it('after lowering the limit waits for enough calls to leave; off admits everything', () => {
    const l = new SlidingWindowLimiter(3);
    for (const t of [0, 10_000, 20_000]) l.tryAcquire('k', t);
    l.setLimit(1);
    expect(l.tryAcquire('k', 30_000)).toEqual({ ok: false, retryAfterMs: 50_000 });
    l.setLimit(null);
    for (let i = 0; i < 100; i++) expect(l.tryAcquire('k', 30_000).ok).toBe(true);
    expect(l.perWindow).toBeNull();
  });

  it('copes with the clock going backwards', () => {
    const l = new SlidingWindowLimiter(1);
    expect(l.tryAcquire('k', 100_000).ok).toBe(true);
    expect(l.tryAcquire('k', 90_000)).toEqual({ ok: false, retryAfterMs: 70_000 });
  });
});

describe('rate limiting over HTTP', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  let sim: Simulator;
  let base: string;
  beforeAll(async () => {
    sim = createSimulator({
      imagesPerScope: 3,
      imageTypes: ['cicd'],
      clock,
      rateLimitPerMinute: 3,
      auth: { tokens: ['t1', 't2'] },
    });
    base = (await sim.listen()).url;
  });
  afterAll(() => sim.close());

  const call = async (token = 't1', path = 'image/baseline/risk-configs?image_type=cicd') => {
    const r = await fetch(`${base}/v5/proj-demo/${path}`, { headers: { 'X-Auth-Token': token } });
    return {
      status: r.status,
      retryAfter: r.headers.get('retry-after'),
      requestId: r.headers.get('x-request-id'),
      json: (await r.json()) as Record<string, unknown>,
    };
  };

  it('passes N calls, throttles the N+1th with the exact Retry-After, and passes again when a slot frees', async () => {
    sim.resetStats();
    expect((await call()).status).toBe(200);
    await clock.advance(10_000);
    expect((await call()).status).toBe(200);
    await clock.advance(10_000);
    expect((await call()).status).toBe(200);
    await clock.advance(5_000);
    const throttled = await call();
    expect(throttled).toEqual({
      status: 429,
      retryAfter: '35',
      requestId: throttled.requestId,
      json: {
        error_code: 'APIGW.0308',
        error_msg: 'policy user over ratelimit,limit:3,time:1 minute',
        request_id: throttled.requestId,
      },
    });
    // Other APIs and other callers have their own windows.
    expect((await call('t1', 'image/cicd/images')).status).toBe(200);
    expect((await call('t2')).status).toBe(200);

    await clock.advance(34_999);
    expect((await call()).retryAfter).toBe('1');
    await clock.advance(1);
    expect((await call()).status).toBe(200);
    // The throttled calls did not count: the next slot frees when the 2nd call (t0 + 10 s) leaves.
    expect((await call()).retryAfter).toBe('10');
    expect(sim.stats()).toMatchObject({
      throttled: 3,
      calls: { ListImageRiskConfigs: { '200': 5, '429': 3 }, ListCicdImages: { '200': 1 } },
    });
  });

  it('omits Retry-After when configured so, and switches off', async () => {
    await clock.advance(120_000);
    sim.setRateLimit(1, false);
    expect((await call()).status).toBe(200);
    const t = await call();
    expect([t.status, t.retryAfter, t.json.error_msg]).toEqual([
      429,
      null,
      'policy user over ratelimit,limit:1,time:1 minute',
    ]);
    sim.setRateLimit(null);
    for (let i = 0; i < 5; i++) expect((await call()).status).toBe(200);
  });

  it('does not rate-limit IAM', async () => {
    sim.setRateLimit(1, true);
    const body = JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'sim-user', password: 'sim-password', domain: { name: 'sim-domain' } } },
        },
      },
    });
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${base}/v3/auth/tokens`, { method: 'POST', body });
      expect(r.status).toBe(201);
      await r.arrayBuffer();
    }
  });
});
