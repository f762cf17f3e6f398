/**
 * vitest globalSetup of the integration project: finds a PostgreSQL server, migrates one template
 * database there, and provides both to every test file, which then creates its own database as a
 * copy of the template (test/helpers/db.ts): the migrations run once per test run, not per file.
 * The server: TEST_DATABASE_URL, else as TEST_POSTGRES says (auto: a testcontainers postgres:17
 * when a container engine answers and the container starts, else an embedded PostgreSQL 17; see
 * ./pg-server.ts).
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrate.js';
import { createDb } from '../../src/db/pool.js';
import { type Server, selectServer, TestServerError } from './pg-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    /** Prefix of every test database of this run (`hss_test_<run>_`), dropped at teardown. */
    testDatabasePrefix: string;
    /** The migrated database every test database of this run is copied from. */
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startServer();
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

async function startServer(): Promise<Server> {
  try {
    return await selectServer(process.env);
  } catch (err) {
    if (err instanceof TestServerError) {
      // One line that says what to do, instead of `spawn …/initdb EACCES` and a stack trace.
      process.stderr.write(`[integration] ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
