/**
 * Builds parameterised SQL that reads a batch of rows as one array parameter per column
 * (`unnest($1::text[], $2::integer[], ...)`). Unlike a jsonb parameter, unnest tells the planner
 * how many rows arrive, so a one-image batch probes indexes instead of scanning every open version.
 */

export type PgType = 'text' | 'integer' | 'bigint' | 'timestamptz' | 'boolean' | 'uuid' | 'jsonb';

/** Column name (also the row property read) and its PostgreSQL type. */
export type ColumnSpec = readonly (readonly [name: string, type: PgType])[];

/** Collects parameter values in order and hands out their placeholders. */
export class Params {
  readonly values: unknown[] = [];

  /** Adds one value; returns its placeholder (`$n`). */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /**
   * Adds one array per column of `spec` (missing properties become NULL; `get` reads a column of
   * a row, by default the property of its name) and returns
   * `unnest($a::t1[], $b::t2[], ...) AS alias(c1, c2, ...)` for a FROM clause.
   */
  unnest<R extends object>(
    rows: readonly R[],
    spec: ColumnSpec,
    alias: string,
    get: (row: R, name: string, index: number) => unknown = (r, name) => (r as Record<string, unknown>)[name],
  ): string {
    const args = spec.map(([name, type]) => {
      const column = rows.map((r, i) => get(r, name, i) ?? null);
      return `${this.add(column)}::${type}[]`;
    });
    return `unnest(${args.join(', ')}) AS ${alias}(${spec.map(([name]) => name).join(', ')})`;
  }
}
