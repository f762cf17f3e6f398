/**
 * One transaction on one pooled connection, retried whole on the retryable SQLSTATEs.
 */
import type pg from 'pg';
import { DbError } from '../errors.js';
import type { DbHandle } from './pool.js';
import { isRetryableSqlState, sqlStateOf } from './retry.js';

export interface TransactionOptions {
  /** Name of the operation, for the error message. */
  op: string;
  /** Further attempts after the first on a retryable SQLSTATE. Default 3. */
  retries?: number;
}

/**
 * Runs `fn` inside BEGIN/COMMIT on a dedicated connection. On a retryable SQLSTATE (see
 * retry.ts) the whole transaction runs again, immediately: the conflicting transaction has
 * already finished or been aborted, so waiting buys nothing. Any other failure, or running out of
 * retries, rolls back and throws a DbError naming the operation and the SQLSTATE, with `cause`.
 */
export async function inTransaction<T>(
  h: DbHandle,
  opts: TransactionOptions,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const retries = opts.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const client = await connect(h, opts.op);
    // A checked-out client has no pool listener: without ours, a connection dropped between two
    // statements would be an unhandled 'error' event (a crash); the failing query reports it.
    const onError = () => {};
    client.on('error', onError);
    let destroy = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // The connection is unusable: do not hand it back to the pool.
        destroy = true;
      }
      if (isRetryableSqlState(err) && attempt < retries) continue;
      throw toDbError(opts.op, err);
    } finally {
      client.removeListener('error', onError);
      client.release(destroy);
    }
  }
}

/** Runs one statement outside a transaction, turning failures into DbError. */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  h: DbHandle,
  op: string,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  try {
    return await h.pool.query<R>(text, values);
  } catch (err) {
    throw toDbError(op, err);
  }
}

async function connect(h: DbHandle, op: string): Promise<pg.PoolClient> {
  try {
    return await h.pool.connect();
  } catch (err) {
    throw toDbError(op, err);
  }
}

/** Wraps a failure as DbError: `<op> failed: <message> (SQLSTATE xxxxx)`, cause kept. */
export function toDbError(op: string, err: unknown): DbError {
  if (err instanceof DbError) return err;
  const state = sqlStateOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return new DbError(`${op} failed: ${message}${state ? ` (SQLSTATE ${state})` : ''}`, { cause: err });
}
