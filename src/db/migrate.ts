/**
 * Applies migrations/ (drizzle-kit output) to the database, one process at a time.
 */
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate as drizzleMigrate } from 'drizzle-orm/node-postgres/migrator';
import type { PoolClient } from 'pg';
import { type DbLogger, silentDbLogger } from './logger.js';
import type { DbHandle } from './pool.js';
import { toDbError } from './tx.js';

/** Where the migration journal lives: schema hss_internal, table __drizzle_migrations. */
export const MIGRATIONS_SCHEMA = 'hss_internal';
/**
 * Where it lived before the internal tables left schema hss (migration 0008), and where a new
 * database starts it: the migrations before 0008 grant on it there.
 */
export const LEGACY_MIGRATIONS_SCHEMA = 'hss';
export const MIGRATIONS_TABLE = '__drizzle_migrations';
/** Name hashed into the advisory lock key that serialises migrations across processes. */
export const MIGRATION_LOCK_NAME = 'hss-baseline-sync:migrate';

/**
 * migrations/ at the package root: two levels above this file both as src/db/migrate.ts (vitest,
 * tsx) and as dist/db/migrate.js (after tsc).
 */
export function defaultMigrationsFolder(): string {
  return fileURLToPath(new URL('../../migrations', import.meta.url));
}

export interface MigrateOptions {
  /** Default: migrations/ at the package root. */
  migrationsFolder?: string;
  /** How long to wait in ms for another process's migration to finish. Default 300 000. */
  lockTimeoutMs?: number;
}

/**
 * Brings the database schema up to date. Two replicas booting together are serialised by a
 * session advisory lock: the second waits, then finds nothing left to apply. Migrations run
 * without statement timeout (an index build may be slow); the wait for the lock is bounded by
 * `lockTimeoutMs`. Throws DbError on failure (nothing of a failed migration is kept: drizzle
 * applies all pending migrations in one transaction).
 */
export async function migrate(
  h: DbHandle,
  logger: DbLogger = silentDbLogger,
  opts: MigrateOptions = {},
): Promise<void> {
  const folder = opts.migrationsFolder ?? defaultMigrationsFolder();
  const lockTimeoutMs = opts.lockTimeoutMs ?? 300_000;
  let client: PoolClient;
  try {
    client = await h.pool.connect();
  } catch (err) {
    throw toDbError('migrate', err);
  }
  // Checked-out clients have no pool listener; a dropped connection must fail the query, not crash.
  const onError = () => {};
  client.on('error', onError);
  try {
    // Session settings stay on this connection, which is destroyed afterwards, not pooled.
    await client.query(
      `SELECT set_config('statement_timeout', '0', false), set_config('lock_timeout', $1, false)`,
      [`${Math.max(1, Math.trunc(lockTimeoutMs))}ms`],
    );
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [MIGRATION_LOCK_NAME]);
    const journal = (await journalExists(client, MIGRATIONS_SCHEMA))
      ? MIGRATIONS_SCHEMA
      : LEGACY_MIGRATIONS_SCHEMA;
    const before = await appliedCount(client, journal);
    await drizzleMigrate(drizzle({ client }), {
      migrationsFolder: folder,
      migrationsSchema: journal,
      migrationsTable: MIGRATIONS_TABLE,
    });
    // drizzle wrote the journal where it found it; once migration 0008 has created hss_internal,
    // it moves there, out of the public schema, and every later run finds it there.
    if (journal !== MIGRATIONS_SCHEMA && (await schemaExists(client, MIGRATIONS_SCHEMA))) {
      await client.query(
        `ALTER TABLE ${LEGACY_MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE} SET SCHEMA ${MIGRATIONS_SCHEMA}`,
      );
    }
    const after = await appliedCount(
      client,
      (await journalExists(client, MIGRATIONS_SCHEMA)) ? MIGRATIONS_SCHEMA : journal,
    );
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [MIGRATION_LOCK_NAME]);
    logger.info({ applied: after - before, total: after }, 'database migrations up to date');
  } catch (err) {
    throw toDbError('migrate', err);
  } finally {
    // Destroying the connection also frees the advisory lock if the unlock was not reached.
    client.removeListener('error', onError);
    client.release(true);
  }
}

async function journalExists(client: PoolClient, schema: string): Promise<boolean> {
  const r = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    `${schema}.${MIGRATIONS_TABLE}`,
  ]);
  return r.rows[0]?.present ?? false;
}

async function schemaExists(client: PoolClient, schema: string): Promise<boolean> {
  const r = await client.query<{ present: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS present',
    [schema],
  );
  return r.rows[0]?.present ?? false;
}

async function appliedCount(client: PoolClient, schema: string): Promise<number> {
  const table = `${schema}.${MIGRATIONS_TABLE}`;
  if (!(await journalExists(client, schema))) return 0;
  const res = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return res.rows[0]?.n ?? 0;
}
