import { afterEach, describe, expect, it } from 'vitest';
import { type HealthServer, startHealthServer } from './health.js';
import { createMetrics } from './metrics.js';

let server: HealthServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function get(path: string, method = 'GET') {
  const res = await fetch(`http://127.0.0.1:${server!.port}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('startHealthServer', () => {
  it('answers /healthz without asking the database, and /readyz when ready', async () => {
    let readyCalls = 0;
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      ready: async () => {
        readyCalls++;
      },
    });
    expect(await get('/healthz')).toEqual({ status: 200, type: 'application/json', body: '{"status":"ok"}' });
    expect(readyCalls).toBe(0);
    expect(await get('/readyz?verbose=1')).toEqual({
      status: 200,
      type: 'application/json',
      body: '{"status":"ready"}',
    });
    expect(readyCalls).toBe(1);
  });

  it('answers 503 with the reason when not ready, or when the check hangs', async () => {
    let mode: 'fail' | 'hang' = 'fail';
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      readyTimeoutMs: 50,
      ready: () =>
        mode === 'fail'
          ? Promise.reject(new Error('the database has no hss schema yet'))
          : new Promise<void>(() => {}),
    });
    expect(await get('/readyz')).toEqual({
      status: 503,
      type: 'application/json',
      body: '{"status":"not ready","reason":"the database has no hss schema yet"}',
    });
    mode = 'hang';
    expect(await get('/readyz')).toEqual({
      status: 503,
      type: 'application/json',
      body: '{"status":"not ready","reason":"no answer within 50 ms"}',
    });
  });

  it('serves the registry at /metrics in the Prometheus text format', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.tickSkipped();
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      ready: async () => {},
      metrics: metrics.registry,
    });
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toContain(
      '# TYPE hss_sync_ticks_skipped_total counter\nhss_sync_ticks_skipped_total 1\n',
    );
  });

  it('answers 404 with the paths it serves, and 405 to anything but GET/HEAD', async () => {
    server = await startHealthServer({ port: 0, host: '127.0.0.1', ready: async () => {} });
    expect(await get('/metrics')).toEqual({
      status: 404,
      type: 'application/json',
      body: '{"error":"not found","paths":["/healthz","/readyz"]}',
    });
    expect((await get('/healthz', 'POST')).status).toBe(405);
    expect((await get('/healthz', 'HEAD')).status).toBe(200);
  });
});
