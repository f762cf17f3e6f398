/**
 * Plan shapes of the statements a writer function runs: a DbHandle that records every statement
 * (with its parameters), and checks of their EXPLAIN plans for the shapes whose cost grows with
 * the square of the scope when PostgreSQL has no statistics (linear without statistics; docs/architecture.md).
 */
import type pg from 'pg';
import type { DbHandle } from '../../src/db/pool.js';

export interface RecordedStatement {
  text: string;
  values: unknown[];
}

type QueryArgs = [text: string | { text: string; values?: unknown[] }, values?: unknown[]];

/**
 * A handle over `h` that records each statement run through its pool or a client checked out of
 * it (transaction control statements left out), in order, into `into`.
 */
export function recordingHandle(h: DbHandle, into: RecordedStatement[]): DbHandle {
  const record = (args: QueryArgs) => {
    const [first, second] = args;
    const text = typeof first === 'string' ? first : first.text;
    const values = (typeof first === 'string' ? second : first.values) ?? [];
    if (!/^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i.test(text)) into.push({ text, values });
  };
  const pool = {
    query: (...args: QueryArgs) => {
      record(args);
      return (h.pool.query as (...a: QueryArgs) => Promise<pg.QueryResult>)(...args);
    },
    connect: async () => {
      const client = await h.pool.connect();
      const query = client.query.bind(client) as (...a: QueryArgs) => Promise<pg.QueryResult>;
      return new Proxy(client, {
        get(target, prop, receiver) {
          if (prop === 'query') {
            return (...args: QueryArgs) => {
              record(args);
              return query(...args);
            };
          }
          const v = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    },
  };
  return { ...h, pool: pool as unknown as pg.Pool };
}

/** One node of an EXPLAIN (FORMAT JSON) plan, as far as the checks read it. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Parent Relationship'?: string;
  'Join Type'?: string;
  Plans?: PlanNode[];
}

/** The plan PostgreSQL picks now for `s` (EXPLAIN without ANALYZE: nothing runs). */
export async function planOf(pool: pg.Pool, s: RecordedStatement): Promise<PlanNode> {
  const res = await pool.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
    `EXPLAIN (FORMAT JSON) ${s.text}`,
    s.values,
  );
  return res.rows[0]!['QUERY PLAN'][0]!.Plan;
}

function* nodes(n: PlanNode): Generator<PlanNode> {
  yield n;
  for (const c of n.Plans ?? []) yield* nodes(c);
}

/** The scan a plan's rows start from: its outer-most leaf. */
function drivingLeaf(n: PlanNode): PlanNode {
  const outer = n.Plans?.find((c) => c['Parent Relationship'] === 'Outer') ?? n.Plans?.[0];
  return outer ? drivingLeaf(outer) : n;
}

const JOINS = new Set(['Nested Loop', 'Hash Join', 'Merge Join']);

/**
 * What is wrong with `plan` for a statement whose cost must grow linearly with the scope without
 * statistics, one line per problem (none: []):
 * - any kind: a nested loop driven by a table, which runs its inner side again for each stored
 *   row. Nested loops driven by the statement's own batch (unnest of its parameters) are index
 *   probes, one per incoming row.
 * - 'scope' (a statement over a whole scope: retirement, the stored contents): any join. Such a
 *   statement reads one table and compares with a constant array (an index probe per element or
 *   a hash lookup per row), so no estimate can turn it quadratic.
 * - 'batch' (a statement run once per batch of a sync): a sequential scan of a table, which
 *   makes the whole sync quadratic however cheap each batch looks.
 */
export function planProblems(plan: PlanNode, kind: 'scope' | 'batch'): string[] {
  const problems: string[] = [];
  for (const n of nodes(plan)) {
    const type = n['Node Type'];
    if (type === 'Nested Loop') {
      const leaf = drivingLeaf(n);
      if (leaf['Relation Name']) {
        problems.push(`Nested Loop driven by ${leaf['Node Type']} on ${leaf['Relation Name']}`);
      }
    }
    if (kind === 'scope' && JOINS.has(type)) {
      problems.push(`${type} (${n['Join Type'] ?? '?'}) in a per-scope statement`);
    }
    if (kind === 'batch' && type === 'Seq Scan' && n['Relation Name']) {
      problems.push(`Seq Scan on ${n['Relation Name']} in a per-batch statement`);
    }
  }
  return problems;
}

/** The first line of a statement, to name it in an assertion. */
export function statementName(s: RecordedStatement): string {
  return s.text.trim().split('\n')[0]!.slice(0, 60);
}
