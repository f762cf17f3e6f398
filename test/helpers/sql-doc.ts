/**
 * Reads the SQL out of docs/sql.md so the tests run exactly what the page prints: every ```sql
 * block must follow a marker line `<!-- query: name -->` (a question, run on synced data) or
 * `<!-- recipe: name -->` (setup statements). psql variables (`:'name'`) are bound by the test.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface DocBlock {
  kind: 'query' | 'recipe';
  name: string;
  sql: string;
}

export const SQL_DOC_PATH = fileURLToPath(new URL('../../docs/sql.md', import.meta.url));

/** Every ```sql block of the page with its marker; throws on a block without one. */
export function parseSqlDoc(markdown: string = readFileSync(SQL_DOC_PATH, 'utf8')): DocBlock[] {
  const blocks: DocBlock[] = [];
  const fence = /```sql\n([\s\S]*?)```/g;
  for (let m = fence.exec(markdown); m !== null; m = fence.exec(markdown)) {
    const before = markdown.slice(0, m.index).trimEnd().split('\n').at(-1) ?? '';
    const marker = /^<!-- (query|recipe): ([a-z0-9-]+) -->$/.exec(before.trim());
    if (!marker)
      throw new Error(`docs/sql.md: a sql block has no <!-- query: … --> marker: ${m[1]!.slice(0, 80)}`);
    blocks.push({ kind: marker[1] as DocBlock['kind'], name: marker[2]!, sql: m[1]! });
  }
  return blocks;
}

/** Replaces each psql variable `:'name'` with a quoted literal; throws on an unbound one. */
export function bindPsqlVariables(sql: string, vars: Record<string, string>): string {
  return sql.replace(/:'([a-z_]+)'/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`no value for psql variable :'${name}'`);
    return pg.Client.prototype.escapeLiteral(value);
  });
}

/**
 * Type parsers for comparing results with plain values: dates and intervals as their text,
 * numeric and bigint as numbers (sums in the docs are small).
 */
export const plainTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 1082 || oid === 1186) return (v: string) => v;
    if (oid === 1700 || oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/** Seconds of a PostgreSQL interval printed in the default style (`1 day 02:03:04.5`). */
export function intervalSeconds(text: string): number {
  const m = /^(?:(-?\d+) days?)?\s*(?:(-)?(\d+):(\d+):(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (!m || text.trim() === '') throw new Error(`unexpected interval ${JSON.stringify(text)}`);
  const days = Number(m[1] ?? 0);
  const sign = m[2] ? -1 : 1;
  return days * 86_400 + sign * (Number(m[3] ?? 0) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0));
}
