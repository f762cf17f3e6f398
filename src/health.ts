/**
 * The daemon's HTTP endpoints on HTTP_PORT: /healthz (the process is alive and serving),
 * /readyz (the database answers and is migrated) and /metrics (Prometheus text format).
 * Liveness never touches the database, so a database outage makes the pod unready, not restarted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export interface HealthServerOptions {
  port: number;
  /** Interface to listen on. Default `0.0.0.0` (all: probes come from outside the container). */
  host?: string;
  /** Resolves when the service can do its work; its error message is the /readyz reason. */
  ready(): Promise<void>;
  /** Served at /metrics when given. */
  metrics?: Registry;
  /** /readyz answers 503 when `ready` takes longer than this. Default 5 000 ms. */
  readyTimeoutMs?: number;
}

const PATHS = ['/healthz', '/readyz', '/metrics'];

/** Resolves with `p`, or rejects after `ms` (the timer never keeps the process alive). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Starts the endpoints; `close()` drops open connections and stops listening. */
export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const readyTimeout = opts.readyTimeoutMs ?? 5_000;
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method not allowed' });
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') {
      within(opts.ready(), readyTimeout).then(
        () => send(200, { status: 'ready' }),
        (err: unknown) =>
          send(503, { status: 'not ready', reason: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    if (path === '/metrics' && opts.metrics) {
      const registry = opts.metrics;
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
        (err: unknown) => send(500, { error: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    send(404, { error: 'not found', paths: opts.metrics ? PATHS : PATHS.slice(0, 2) });
  });
  // Probes and scrapes are small: a stuck client must not hold a socket for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
