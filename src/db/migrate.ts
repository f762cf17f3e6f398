/**
 * Applies migrations/ to the database, one process at a time, and only when something is pending:
 * the versioned migrations (drizzle-kit's journal, applied exactly as drizzle's migrator does) and
 * then the repeatable surface (migrations/surface/, src/db/surface.ts), in one transaction. A
 * current schema costs three SELECTs and no DDL, so the worker's login (granted only hss_writer)
 * passes through it at boot.
 */
import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PoolClient } from 'pg';
import { MigrationPendingError } from '../errors.js';
import { type DbLogger, silentDbLogger } from './logger.js';
import type { DbHandle } from './pool.js';
import {
  MIGRATIONS_SCHEMA,
  MIGRATIONS_TABLE,
  pendingMessage,
  readSchemaState,
  readShipped,
} from './schema-state.js';
import { applySurface, readSurface, type Surface } from './surface.js';
import { toDbError } from './tx.js';

export { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE };
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
 * session advisory lock: the second waits, then finds nothing left to apply. With nothing pending
 * it runs no DDL at all. A login that may not migrate (it lacks the rights of the schema's owner)
 * gets MigrationPendingError naming the migrations (and `surface` when the surface differs) and the
 * owner, before any DDL is tried. Migrations run without statement timeout (an index build may be
 * slow); the wait for the lock is bounded by `lockTimeoutMs`. Throws DbError on failure (nothing of
 * a failed migration is kept: the pending migrations and the surface apply in one transaction).
 */
export async function migrate(
  h: DbHandle,
  logger: DbLogger = silentDbLogger,
  opts: MigrateOptions = {},
): Promise<void> {
  const folder = opts.migrationsFolder ?? defaultMigrationsFolder();
  const shipped = readShipped(folder);
  const { journal } = shipped;
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
    const state = await readSchemaState(client, shipped);
    let surface: 'replaced' | 'recreated' | undefined;
    if (state.ahead) {
      // Say so: after a rollback this version may not know columns the newer one relies on.
      logger.warn(
        { applied: state.applied, shipped: journal.length },
        'the database was migrated by a newer version of hss-baseline-sync than this one',
      );
    }
    if (state.pending.length > 0) {
      if (!state.canMigrate) {
        throw new MigrationPendingError(pendingMessage(state, 'not-permitted'), state.pending);
      }
      surface = await applyPending(client, folder, readSurface(folder), state.pendingMigrations.length > 0);
    }
    const after = await appliedCount(client);
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [MIGRATION_LOCK_NAME]);
    // `surface` says how the surface was applied, when it was (replaced in place or recreated).
    logger.info(
      { applied: after - state.applied, total: after, ...(surface && { surface }) },
      'database migrations up to date',
    );
  } catch (err) {
    throw err instanceof MigrationPendingError ? err : toDbError('migrate', err);
  } finally {
    // Destroying the connection also frees the advisory lock if the unlock was not reached.
    client.removeListener('error', onError);
    client.release(true);
  }
}

/**
 * In one transaction: drizzle's journal table when missing, every pending versioned migration (as
 * drizzle's migrator: each journal entry newer than the newest applied, its statements, a journal
 * row with its hash and time), then the surface. A versioned migration may change a table that a
 * view reads (`SELECT *` views list their columns when created), so the surface follows any.
 */
async function applyPending(
  client: PoolClient,
  folder: string,
  surface: Surface,
  versioned: boolean,
): Promise<'replaced' | 'recreated'> {
  const journalTable = `"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"`;
  await client.query('BEGIN');
  try {
    if (versioned) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${MIGRATIONS_SCHEMA}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${journalTable} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
      );
      const last = await client.query<{ created_at: string | null }>(
        `SELECT max(created_at)::text AS created_at FROM ${journalTable}`,
      );
      const lastAt = last.rows[0]?.created_at == null ? null : Number(last.rows[0].created_at);
      for (const m of readMigrationFiles({ migrationsFolder: folder })) {
        if (lastAt !== null && m.folderMillis <= lastAt) continue;
        for (const stmt of m.sql) await client.query(stmt);
        await client.query(`INSERT INTO ${journalTable} (hash, created_at) VALUES ($1, $2)`, [
          m.hash,
          m.folderMillis,
        ]);
      }
    }
    const how = await applySurface(client, surface);
    await client.query('COMMIT');
    return how;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

async function appliedCount(client: PoolClient): Promise<number> {
  const res = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`,
  );
  return res.rows[0]?.n ?? 0;
}
