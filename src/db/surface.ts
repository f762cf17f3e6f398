/**
 * The repeatable surface: the current definition of every view and function of schemas hss and
 * hss_internal (the hash-chain functions excepted: they are versioned and never change), one file
 * per object in migrations/surface/, named after it, with its comments and grants. `migrate`
 * applies it after the versioned migrations, in the same transaction, whenever its checksum
 * differs from the one recorded in hss_internal.surface_state or a versioned migration ran.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { DbError } from '../errors.js';

/** The folder of the surface inside the migrations folder. */
export const SURFACE_DIR = 'surface';
/** The list of the surface's files, in the order they are applied. */
export const SURFACE_ORDER_FILE = 'order.txt';
/** Where the checksum of the applied surface is recorded (one row). */
export const SURFACE_STATE_TABLE = 'surface_state';
/** The name a pending surface has among pending migrations in messages. */
export const SURFACE_TAG = 'surface';

/** One object of the surface: `schema.name` and the SQL that defines it. */
export interface SurfaceFile {
  /** `schema.name`, the file's name without `.sql`. */
  readonly object: string;
  readonly sql: string;
}

export interface Surface {
  /** In the order they are applied: every object after the objects it reads. */
  readonly files: readonly SurfaceFile[];
  /** sha256 (hex) of the names and contents in order: what surface_state records. */
  readonly checksum: string;
}

const FILE_NAME = /^(hss|hss_internal)\.[a-z_][a-z0-9_]*\.sql$/;

/**
 * Reads migrations/surface/ of `folder`. Throws DbError when order.txt is missing, names a file
 * that is not there or twice, or a `.sql` file of the folder is not in it.
 */
export function readSurface(folder: string): Surface {
  const dir = join(folder, SURFACE_DIR);
  const orderPath = join(dir, SURFACE_ORDER_FILE);
  if (!existsSync(orderPath)) throw new DbError(`the surface's list of files ${orderPath} is missing`);
  const names = readFileSync(orderPath, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const seen = new Set<string>();
  for (const name of names) {
    if (!FILE_NAME.test(name)) {
      throw new DbError(
        `${orderPath} lists ${name}: a surface file is named schema.object.sql (hss or hss_internal)`,
      );
    }
    if (seen.has(name)) throw new DbError(`${orderPath} lists ${name} twice`);
    if (!existsSync(join(dir, name))) throw new DbError(`${orderPath} lists ${name}, which is not in ${dir}`);
    seen.add(name);
  }
  const unlisted = readdirSync(dir).filter((f) => f.endsWith('.sql') && !seen.has(f));
  if (unlisted.length > 0) {
    throw new DbError(
      `${dir} holds ${unlisted.sort().join(', ')}, not listed in ${SURFACE_ORDER_FILE}: add it where it belongs`,
    );
  }
  const hash = createHash('sha256');
  const files = names.map((name) => {
    const sql = readFileSync(join(dir, name), 'utf8');
    hash.update(`${name}\n${sql}\0`);
    return { object: name.slice(0, -'.sql'.length), sql };
  });
  return { files, checksum: hash.digest('hex') };
}

/**
 * SQLSTATEs of a CREATE OR REPLACE that cannot be done in place: a view's columns (42P16), a
 * function's result or argument names (42P13), a call made ambiguous by the previous argument
 * list of a function still there (42725).
 */
const NOT_IN_PLACE = new Set(['42P16', '42P13', '42725']);

/** A function of the surface whose argument list changed: its previous one is still there. */
class StaleOverload extends Error {}

type Client = Pick<pg.PoolClient, 'query'>;

/**
 * Applies the surface inside the caller's transaction and records its checksum. Each file runs
 * as written (CREATE OR REPLACE …, COMMENT, REVOKE and GRANT). When one cannot be replaced in
 * place (a view loses or retypes a column, a function changes its result or its arguments: one
 * name, one function, so a previous argument list may not stay behind), every object of the
 * surface is dropped in the reverse order, without CASCADE, and created again: an object outside
 * the surface that depends on one of them (a user's view) is never dropped; the surface is then
 * not applied and DbError names that object. Returns how it was applied.
 */
export async function applySurface(client: Client, surface: Surface): Promise<'replaced' | 'recreated'> {
  let how: 'replaced' | 'recreated' = 'replaced';
  await client.query('SAVEPOINT hss_surface');
  try {
    await runFiles(client, surface);
    if (await hasOverloads(client, surface)) throw new StaleOverload();
  } catch (err) {
    if (!(err instanceof StaleOverload) && !NOT_IN_PLACE.has((err as { code?: string }).code ?? ''))
      throw err;
    await client.query('ROLLBACK TO SAVEPOINT hss_surface');
    await dropSurface(client, surface);
    await runFiles(client, surface);
    how = 'recreated';
  }
  await client.query('RELEASE SAVEPOINT hss_surface');
  await recordChecksum(client, surface.checksum);
  return how;
}

async function runFiles(client: Client, surface: Surface): Promise<void> {
  for (const f of surface.files) {
    try {
      // No parameters: the simple protocol runs every statement of the file.
      await client.query(f.sql);
    } catch (err) {
      if (err instanceof Error) err.message = `${SURFACE_DIR}/${f.object}.sql: ${err.message}`;
      throw err;
    }
  }
}

async function hasOverloads(client: Client, surface: Surface): Promise<boolean> {
  const r = await client.query(
    `SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname || '.' || p.proname = ANY($1) GROUP BY n.nspname, p.proname HAVING count(*) > 1`,
    [surface.files.map((f) => f.object)],
  );
  return (r.rowCount ?? 0) > 0;
}

async function dropSurface(client: Client, surface: Surface): Promise<void> {
  for (const f of [...surface.files].reverse()) {
    const [schema, name] = f.object.split('.') as [string, string];
    const found = await client.query<{ kind: string; ident: string }>(
      `SELECT 'VIEW' AS kind, c.oid::regclass::text AS ident
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'v'
       UNION ALL
       SELECT 'FUNCTION', p.oid::regprocedure::text
         FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1 AND p.proname = $2`,
      [schema, name],
    );
    for (const o of found.rows) {
      await client.query('SAVEPOINT hss_surface_drop');
      try {
        await client.query(`DROP ${o.kind} ${o.ident}`);
      } catch (err) {
        const e = err as { code?: string; detail?: string };
        if (e.code !== '2BP01') throw err;
        const who = (e.detail ?? 'another object depends on it').replaceAll('\n', '; ');
        throw new DbError(
          `the surface cannot be applied: ${f.object} must be dropped and created again (its columns or result change) ` +
            `but ${who}; drop that object, run \`hss-baseline-sync migrate\` again, then create it again`,
          { cause: err },
        );
      }
      await client.query('RELEASE SAVEPOINT hss_surface_drop');
    }
  }
}

/** Creates hss_internal.surface_state when missing (the writer may read it) and records `checksum`. */
async function recordChecksum(client: Client, checksum: string): Promise<void> {
  const table = `hss_internal.${SURFACE_STATE_TABLE}`;
  await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
  // The default privileges of hss_internal would let the writer change it: it may only read it.
  await client.query(`REVOKE ALL ON ${table} FROM hss_writer`);
  await client.query(`GRANT SELECT ON ${table} TO hss_writer`);
  await client.query(
    `COMMENT ON TABLE ${table} IS 'The checksum of the surface (migrations/surface/: the views and functions) that migrate applied last, and when. Written by hss-baseline-sync migrate only.'`,
  );
  await client.query(`DELETE FROM ${table}`);
  await client.query(`INSERT INTO ${table} (checksum) VALUES ($1)`, [checksum]);
}
