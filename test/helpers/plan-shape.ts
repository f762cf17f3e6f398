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
  'Join Filter'?: string;
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
 * - 'page' (one page of a keyset read, run once per page): as 'batch', and the page's rows must
 *   come in key order from an index, from the cursor on: no Sort and no hash or merge join below
 *   the Limit (they read everything after the cursor, every page). A nested loop driven by the
 *   index scan of the paged table is the read itself; its inner sides must be index probes.
 */
export function planProblems(plan: PlanNode, kind: 'scope' | 'batch' | 'page'): string[] {
  const problems: string[] = [];
  if (kind === 'page') {
    // The page's Limit is on the path of outer children from the top; a Limit inside an inner
    // side (a per-row lookup, such as one reference of an image) bounds that lookup only.
    const pageLimits = new Set<PlanNode>();
    for (let n: PlanNode | undefined = plan; n; ) {
      if (n['Node Type'] === 'Limit') pageLimits.add(n);
      n = n.Plans?.find((c) => c['Parent Relationship'] === 'Outer') ?? n.Plans?.[0];
    }
    let limits = 0;
    for (const n of nodes(plan)) {
      const type = n['Node Type'];
      // An inner side scanned again for each outer row and matched by a join filter: not a probe.
      const inner = n.Plans?.find((c) => c['Parent Relationship'] === 'Inner');
      if (type === 'Nested Loop' && n['Join Filter'] && inner && drivingLeaf(inner)['Relation Name']) {
        problems.push(
          `Nested Loop filtering ${drivingLeaf(inner)['Relation Name']} by ${n['Join Filter']} in a page`,
        );
      }
      if (pageLimits.has(n)) {
        limits++;
        for (const below of nodes(n)) {
          const t = below['Node Type'];
          if (t === 'Sort' || t === 'Incremental Sort' || t === 'Hash Join' || t === 'Merge Join') {
            problems.push(`${t} below the Limit of a page`);
          }
        }
      }
      if (type === 'Seq Scan' && n['Relation Name'])
        problems.push(`Seq Scan on ${n['Relation Name']} in a page`);
      if (type === 'Bitmap Heap Scan')
        problems.push(`Bitmap Heap Scan on ${n['Relation Name']} (unordered) in a page`);
    }
    if (limits === 0) problems.push('no Limit: not a page');
    return problems;
  }
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
