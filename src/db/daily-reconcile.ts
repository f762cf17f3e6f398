/**
 * The write half of a daily refresh, shared by the daily facts and the daily posture: given a CTE
 * `want` of the rows a range of days should hold, write only what differs.
 */

export interface ReconcileDays {
  /** The table, schema-qualified, and its alias in the statement. */
  table: string;
  alias: string;
  /** Parameters bounding the days ($n, cast to date). */
  from: string;
  to: string;
  /** The column that, with `day`, is the table's primary key. */
  key: string;
  /** Columns compared and updated. */
  values: readonly string[];
  /** Columns written only when a row is inserted. */
  insertOnly?: readonly string[];
}

/**
 * The CTEs `updated`, `deleted` and `inserted` that make the rows of `table` for the days
 * [from .. to] equal to `want` (columns day, key, values, insertOnly): a row whose values differ
 * is updated, a row not wanted is deleted, a wanted row missing is inserted. Each returns 1 per
 * row written.
 */
export function reconcileDaysSql(o: ReconcileDays): string {
  const a = o.alias;
  const list = (prefix: string, cols: readonly string[]) => cols.map((c) => `${prefix}.${c}`).join(', ');
  const range = `${a}.day BETWEEN ${o.from}::date AND ${o.to}::date`;
  const written = ['day', o.key, ...o.values, ...(o.insertOnly ?? [])];
  return `updated AS (
  UPDATE ${o.table} ${a}
  SET ${o.values.map((c) => `${c} = w.${c}`).join(', ')}
  FROM want w
  WHERE ${range} AND ${a}.day = w.day AND ${a}.${o.key} = w.${o.key}
    AND (${list(a, o.values)}) IS DISTINCT FROM (${list('w', o.values)})
  RETURNING 1
),
deleted AS (
  DELETE FROM ${o.table} ${a}
  WHERE ${range}
    AND NOT EXISTS (SELECT 1 FROM want w WHERE w.day = ${a}.day AND w.${o.key} = ${a}.${o.key})
  RETURNING 1
),
inserted AS (
  INSERT INTO ${o.table} (${written.join(', ')})
  SELECT ${list('w', written)}
  FROM want w
  ON CONFLICT (day, ${o.key}) DO NOTHING
  RETURNING 1
)`;
}
