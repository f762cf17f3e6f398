/**
 * The columns of a database against src/db/schema/: hand-written SQL in migrations/ must not
 * drift from the drizzle definitions the code is typed by. PostgreSQL itself normalises both
 * sides: the tables drizzle-kit would create from src/db/schema/ are built in an empty
 * database, and the catalogs of the two databases are compared column by column.
 */
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import type pg from 'pg';
import * as schema from '../../src/db/schema/index.js';

/** One column as the catalog describes it. */
export interface ColumnRow {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
  /** Default expression as PostgreSQL prints it; null when none. */
  default: string | null;
  /** '' none, 'a' GENERATED ALWAYS AS IDENTITY, 'd' BY DEFAULT. */
  identity: string;
  /** Expression of a stored generated column; null when none. */
  generated: string | null;
}

/** The SQL drizzle-kit generates from src/db/schema/ for an empty database. */
export async function schemaDdl(): Promise<string[]> {
  return generateMigration(generateDrizzleJson({}), generateDrizzleJson({ ...schema }));
}

/**
 * Every column of every table in `schemas`, in table order, except the migrator's own: the journal
 * and the surface's checksum (src/db/surface.ts), which src/db/schema/ does not declare.
 */
export async function readColumns(
  q: Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>,
  schemas: readonly string[] = [schema.hss.schemaName, schema.hssInternal.schemaName],
): Promise<ColumnRow[]> {
  const res = await q.query<ColumnRow>(
    `SELECT n.nspname || '.' || c.relname AS "table", a.attname AS "column",
            pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull",
            CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END AS default,
            a.attidentity::text AS identity,
            CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END AS generated
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = ANY($1) AND c.relname NOT IN ('__drizzle_migrations', 'surface_state') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY 1, a.attnum`,
    [schemas],
  );
  return res.rows;
}

const ASPECTS = ['type', 'notNull', 'default', 'identity', 'generated'] as const;

/**
 * The first difference between the columns of the migrated database (`actual`) and those
 * src/db/schema/ declares (`expected`), as one sentence naming table, column and aspect;
 * null when they agree. Column order is not compared.
 */
export function firstColumnDifference(
  expected: readonly ColumnRow[],
  actual: readonly ColumnRow[],
): string | null {
  const key = (c: ColumnRow) => `${c.table}.${c.column}`;
  const want = new Map(expected.map((c) => [key(c), c]));
  const have = new Map(actual.map((c) => [key(c), c]));
  const tables = new Set(expected.map((c) => c.table));
  for (const c of actual) {
    if (!tables.has(c.table)) return `table ${c.table} is in the database but not in src/db/schema/`;
  }
  for (const t of new Set(actual.map((c) => c.table))) tables.delete(t);
  for (const t of tables) return `table ${t} is in src/db/schema/ but not in the database`;
  for (const [k, w] of want) {
    const h = have.get(k);
    if (!h) return `column ${k} is in src/db/schema/ but not in the database`;
    for (const aspect of ASPECTS) {
      if (w[aspect] !== h[aspect]) {
        return `column ${k}: ${aspect} is ${JSON.stringify(h[aspect])} in the database, ${JSON.stringify(w[aspect])} in src/db/schema/`;
      }
    }
  }
  for (const k of have.keys()) {
    if (!want.has(k)) return `column ${k} is in the database but not in src/db/schema/`;
  }
  return null;
}
