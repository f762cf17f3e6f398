/**
 * What pg_dump --schema-only would show of schemas hss and hss_internal, read from the catalogs
 * (the test harness may run an embedded PostgreSQL without pg_dump): every relation with its kind,
 * grants, comment, columns (type, nullability, default, comment) and definition (views, indexes),
 * every function with its definition, grants and comment, every constraint.
 */
import type pg from 'pg';

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** Rows describing the schema, in a stable order: equal rows, equal schemas. */
export async function catalogFingerprint(q: Queryable): Promise<Record<string, unknown[]>> {
  const schemas = ['hss', 'hss_internal'];
  const relations = await q.query(
    `SELECT n.nspname || '.' || c.relname AS name, c.relkind::text AS kind, c.relacl::text AS acl,
            obj_description(c.oid, 'pg_class') AS comment,
            CASE c.relkind WHEN 'v' THEN pg_get_viewdef(c.oid) WHEN 'i' THEN pg_get_indexdef(c.oid) END AS def
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1) ORDER BY 1`,
    [schemas],
  );
  const columns = await q.query(
    `SELECT n.nspname || '.' || c.relname AS rel, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS def, col_description(c.oid, a.attnum) AS comment
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY 1, 2`,
    [schemas],
  );
  const functions = await q.query(
    `SELECT p.oid::regprocedure::text AS name, pg_get_functiondef(p.oid) AS def, p.proacl::text AS acl,
            obj_description(p.oid, 'pg_proc') AS comment
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = ANY($1) ORDER BY 1`,
    [schemas],
  );
  const constraints = await q.query(
    `SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = ANY($1) ORDER BY 1, 2`,
    [schemas],
  );
  const namespaces = await q.query(
    `SELECT nspname, nspacl::text AS acl, obj_description(oid, 'pg_namespace') AS comment
       FROM pg_namespace WHERE nspname = ANY($1) ORDER BY 1`,
    [schemas],
  );
  const defaults = await q.query(
    `SELECT n.nspname, d.defaclobjtype::text AS type, d.defaclacl::text AS acl
       FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace
      WHERE n.nspname = ANY($1) ORDER BY 1, 2`,
    [schemas],
  );
  return {
    relations: relations.rows,
    columns: columns.rows,
    functions: functions.rows,
    constraints: constraints.rows,
    namespaces: namespaces.rows,
    defaults: defaults.rows,
  };
}
