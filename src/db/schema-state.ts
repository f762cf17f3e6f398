/**
 * Where the database schema stands against the migrations this package ships, read without any
 * DDL, so that a login granted only hss_writer can tell "current" from "migration pending" and
 * say what to do. drizzle's migrator cannot be asked that: it starts with `CREATE SCHEMA IF NOT
 * EXISTS`, which needs CREATE on the database even when the schema is there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { DbError, MigrationPendingError } from '../errors.js';
import { PermissionDeniedError } from '../permission.js';
import { readSurface, SURFACE_STATE_TABLE, SURFACE_TAG } from './surface.js';
import { toDbError } from './tx.js';

/** Where the migration journal lives: schema hss_internal, table __drizzle_migrations. */
export const MIGRATIONS_SCHEMA = 'hss_internal';
export const MIGRATIONS_TABLE = '__drizzle_migrations';
/** The public schema, whose owner is the login that migrates. */
const PUBLIC_SCHEMA = 'hss';
/** Where the migration series before the squash (0000_tables … 0009_internal_schema) began its journal. */
const PRE_SQUASH_JOURNAL_SCHEMA = 'hss';

/**
 * What a database migrated by another series of migrations (the pre-release one that the squash
 * replaced) is told: the shipped migrations cannot upgrade it.
 */
export function foreignSeriesMessage(why: string): string {
  return (
    `the database was migrated by an earlier, pre-release series of migrations (${why}), which this ` +
    'version cannot upgrade: recreate the database (drop it, create it empty, run `hss-baseline-sync migrate`), ' +
    'then sync again'
  );
}

/** One migration of migrations/meta/_journal.json: its file name and drizzle's ordering stamp. */
export interface JournalEntry {
  readonly tag: string;
  /** Milliseconds; drizzle stores it as `created_at` of the applied row. */
  readonly when: number;
}

/** The migrations shipped in `folder` (drizzle-kit's journal), oldest first. Throws DbError. */
export function readJournal(folder: string): JournalEntry[] {
  const path = join(folder, 'meta', '_journal.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DbError(
      `cannot read the migration journal ${path}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const entries = (parsed as { entries?: unknown }).entries;
  if (
    !Array.isArray(entries) ||
    !entries.every((e) => typeof e?.tag === 'string' && Number.isSafeInteger(e?.when))
  ) {
    throw new DbError(`the migration journal ${path} has no list of entries with a tag and a time`);
  }
  return entries.map((e: JournalEntry) => ({ tag: e.tag, when: e.when }));
}

/** What this package ships: the versioned migrations and the checksum of the surface. */
export interface Shipped {
  readonly journal: readonly JournalEntry[];
  /** readSurface(folder).checksum. */
  readonly surfaceChecksum: string;
}

/** The journal and the surface's checksum of `folder`. Throws DbError. */
export function readShipped(folder: string): Shipped {
  return { journal: readJournal(folder), surfaceChecksum: readSurface(folder).checksum };
}

/**
 * The tags drizzle's migrator would apply: every entry newer than the newest applied one
 * (`lastAppliedAt` null = nothing applied yet). An older entry missing from the database is not
 * pending, exactly as drizzle sees it.
 */
export function pendingMigrations(journal: readonly JournalEntry[], lastAppliedAt: number | null): string[] {
  return journal.filter((e) => lastAppliedAt === null || e.when > lastAppliedAt).map((e) => e.tag);
}

export interface SchemaState {
  /** The login connected (current_user). */
  login: string;
  /** Owner of the migrations schema; null while it does not exist. */
  owner: string | null;
  /** Rows in the migrations table. */
  applied: number;
  /** Versioned migrations to apply (tags, oldest first). */
  pendingMigrations: string[];
  /** The surface recorded in the database is not the shipped one (or none is recorded). */
  surfacePending: boolean;
  /** What to apply, for messages: the pending tags, then `surface` when it is pending. */
  pending: string[];
  /** A migration newer than every shipped one was applied: a newer version migrated the database. */
  ahead: boolean;
  /**
   * Whether this login may migrate: it has the rights of the schema's owner (superusers do), or
   * the schema does not exist yet and it may create schemas in the database.
   */
  canMigrate: boolean;
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** What the catalogue says of the login, the schema and its migrations tables. */
interface CatalogRow {
  login: string;
  owner: string | null;
  journaled: boolean;
  surface_recorded: boolean;
  pre_squash: boolean;
  readable: boolean;
  surface_readable: boolean;
  can_migrate: boolean;
}

const JOURNAL_TABLE = `${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`;
const SURFACE_TABLE = `${MIGRATIONS_SCHEMA}.${SURFACE_STATE_TABLE}`;

/** Runs one read of the schema version, its failure a DbError. */
async function readVersion<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw toDbError('reading the schema version', err);
  }
}

/** The login and its rights on the migrations tables; refuses a foreign journal and a login that may not read them. */
async function readCatalog(q: Queryable): Promise<CatalogRow> {
  // Privileges are tested before the table is named: a login without them gets the sentence
  // below instead of "permission denied for schema".
  const row = await readVersion(async () => {
    const who = await q.query<CatalogRow>(
      `SELECT current_user::text AS login,
              pg_catalog.pg_get_userbyid(n.nspowner)::text AS owner,
              t.oid IS NOT NULL AS journaled,
              s.oid IS NOT NULL AS surface_recorded,
              EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
                       WHERE cn.nspname = $3 AND c.relname = $2 AND c.relkind = 'r') AS pre_squash,
              coalesce(has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(t.oid, 'SELECT'), true)
                AS readable,
              coalesce(has_table_privilege(s.oid, 'SELECT'), true) AS surface_readable,
              coalesce(pg_catalog.pg_has_role(n.nspowner, 'USAGE'),
                       has_database_privilege(current_database(), 'CREATE')) AS can_migrate
         FROM (SELECT 1) AS one
         LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = $1
         LEFT JOIN pg_catalog.pg_class t ON t.relnamespace = n.oid AND t.relname = $2 AND t.relkind = 'r'
         LEFT JOIN pg_catalog.pg_class s ON s.relnamespace = n.oid AND s.relname = $4 AND s.relkind = 'r'`,
      [MIGRATIONS_SCHEMA, MIGRATIONS_TABLE, PRE_SQUASH_JOURNAL_SCHEMA, SURFACE_STATE_TABLE],
    );
    return who.rows[0]!;
  });
  if (row.pre_squash) {
    throw new DbError(
      foreignSeriesMessage(`its journal is ${PRE_SQUASH_JOURNAL_SCHEMA}.${MIGRATIONS_TABLE}`),
    );
  }
  if (!row.readable || !row.surface_readable) {
    // The fix depends on the command (a role to grant, or the owner's login): src/permission.ts.
    throw new PermissionDeniedError(
      `login ${row.login} may not read the schema version (${row.readable ? SURFACE_TABLE : JOURNAL_TABLE})`,
    );
  }
  return row;
}

/** The surface's recorded checksum (null: none recorded). */
async function readSurfaceChecksum(q: Queryable, row: CatalogRow): Promise<string | null> {
  if (!row.surface_recorded) return null;
  return readVersion(async () => {
    const r = await q.query<{ checksum: string }>(`SELECT checksum FROM ${SURFACE_TABLE}`);
    return r.rows[0]?.checksum ?? null;
  });
}

/** How many migrations the journal holds, and when the first and the last were created. */
async function readAppliedMigrations(q: Queryable, row: CatalogRow) {
  if (!row.journaled) return { applied: 0, firstAppliedAt: null, lastAppliedAt: null };
  return readVersion(async () => {
    const r = await q.query<{ applied: number; first: string | null; last: string | null }>(
      `SELECT count(*)::int AS applied, min(created_at)::text AS first, max(created_at)::text AS last FROM ${JOURNAL_TABLE}`,
    );
    const { first, last } = r.rows[0] ?? {};
    return {
      applied: r.rows[0]?.applied ?? 0,
      firstAppliedAt: first == null ? null : Number(first),
      lastAppliedAt: last == null ? null : Number(last),
    };
  });
}

/**
 * Reads the schema's state with three SELECTs (hss_writer may run them): the journal against
 * `shipped.journal`, the surface's recorded checksum against `shipped.surfaceChecksum`. Throws
 * DbError, naming the login and the role it lacks when it may not read the migrations table.
 */
export async function readSchemaState(q: Queryable, shipped: Shipped): Promise<SchemaState> {
  const { journal } = shipped;
  const row = await readCatalog(q);
  const recordedSurface = await readSurfaceChecksum(q, row);
  const { applied, firstAppliedAt, lastAppliedAt } = await readAppliedMigrations(q, row);
  // Every series this package ships starts with the same first migration; a journal that does
  // not is another series, whose later files drizzle would apply on top of it.
  const first = journal[0];
  if (first && firstAppliedAt !== null && firstAppliedAt !== first.when) {
    throw new DbError(foreignSeriesMessage(`its first migration is not ${first.tag}`));
  }
  const pendingTags = pendingMigrations(journal, lastAppliedAt);
  const ahead = lastAppliedAt !== null && journal.every((e) => e.when < lastAppliedAt);
  // A newer version migrated the database: its surface stays with its tables (a rollback of this
  // version changes neither), as a newer versioned migration does.
  const surfacePending = !ahead && recordedSurface !== shipped.surfaceChecksum;
  return {
    login: row.login,
    owner: row.owner,
    applied,
    pendingMigrations: pendingTags,
    surfacePending,
    pending: surfacePending ? [...pendingTags, SURFACE_TAG] : pendingTags,
    ahead,
    canMigrate: row.can_migrate,
  };
}

/** At most this many tags are named in a message; the rest are counted. */
const NAMED_TAGS = 5;

/**
 * One line for a schema with pending migrations that this process does not apply:
 * `not-permitted` when its login may not, `not-migrating` when it was not asked to.
 */
export function pendingMessage(state: SchemaState, why: 'not-permitted' | 'not-migrating'): string {
  const n = state.pending.length;
  const named = state.pending.slice(0, NAMED_TAGS).join(', ');
  const list = n > NAMED_TAGS ? `${named} and ${n - NAMED_TAGS} more` : named;
  const what = `${n} database migration${n === 1 ? ' is' : 's are'} pending (${list})`;
  const who = state.owner
    ? `as ${state.owner}, the owner of schema ${PUBLIC_SCHEMA}`
    : 'with the login that owns the database';
  const fix = `run \`hss-baseline-sync migrate\` ${who} (README, "Deployment")`;
  return why === 'not-permitted'
    ? `${what} and login ${state.login} may not apply ${n === 1 ? 'it' : 'them'}: ${fix}`
    : `${what}: ${fix}`;
}

/**
 * Throws unless the schema exists, no migration is pending and the surface is the shipped one:
 * DbError for a database never migrated, MigrationPendingError naming what to run otherwise. Reads only; any login that may
 * sync may run it.
 */
export async function assertSchemaCurrent(q: Queryable, shipped: Shipped): Promise<void> {
  let present: boolean;
  try {
    const r = await q.query<{ t: string | null }>(`select to_regclass('hss.sync_runs')::text as t`);
    present = Boolean(r.rows[0]?.t);
  } catch (err) {
    throw toDbError('reading the schema version', err);
  }
  if (!present)
    throw new DbError('the database has no hss schema yet: run `hss-baseline-sync migrate` first');
  const state = await readSchemaState(q, shipped);
  if (state.pending.length > 0) {
    throw new MigrationPendingError(pendingMessage(state, 'not-migrating'), state.pending);
  }
}
