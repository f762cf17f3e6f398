/**
 * /healthz (the process is alive), /readyz (the database answers and is migrated) on HTTP_PORT.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from './app.js';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(
  app: Pick<App, 'assertMigrated'>,
  port: number,
  host = '0.0.0.0',
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, { error: 'method not allowed' });
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') {
      app.assertMigrated().then(
        () => send(200, { status: 'ready' }),
        (err: unknown) =>
          send(503, { status: 'not ready', reason: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    send(404, { error: 'not found', paths: ['/healthz', '/readyz'] });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
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
