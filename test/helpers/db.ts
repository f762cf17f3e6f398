/**
 * A fresh database per integration test file: `const t = useTestDatabase()` at the top of the file
 * or of a describe block (created in beforeAll, dropped in afterAll), or `await
 * createTestDatabase()` and `await t.drop()` by hand.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type DbHandle } from '../../src/db/pool.js';
import { perFile } from './per-file.js';

export interface TestDatabase {
  /** URL of the new database (holds the server password: do not print it). */
  url: string;
  name: string;
  handle: DbHandle;
  pool: pg.Pool;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** Runs `fn` with a short-lived connection to the admin database (roles, databases). */
export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates database `hss_test_<run>_<random>` on the server globalSetup chose, as a copy of the
 * template it migrated (test/helpers/global-setup.ts), or empty (UTF8, from template0) with
 * `migrate: false`, for tests of the migrations themselves. Returns a pool on it.
 */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `${inject('testDatabasePrefix')}${randomBytes(6).toString('hex')}`;
  const template = (opts.migrate ?? true) ? inject('templateDatabase') : 'template0';
  await withAdmin((c) =>
    c.query(`CREATE DATABASE ${name} TEMPLATE ${c.escapeIdentifier(template)} ENCODING 'UTF8'`),
  );
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${name}`;
  const handle = createDb(url.toString(), { maxConnections: 8 });
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    handle,
    pool: handle.pool,
    drop: () => {
      dropped ??= (async () => {
        await handle.close();
        await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      })();
      return dropped;
    },
  };
}

/**
 * A test database for the file or describe block it is called in: created in beforeAll (then
 * `setup` runs on it), dropped in afterAll.
 */
export function useTestDatabase(
  opts: { migrate?: boolean; setup?: (t: TestDatabase) => Promise<void> } = {},
): TestDatabase {
  return perFile(
    () => createTestDatabase(opts),
    (t) => t.drop(),
    opts.setup,
  );
}
