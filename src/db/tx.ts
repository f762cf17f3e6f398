/**
 * One transaction on one pooled connection, retried whole on the retryable SQLSTATEs and, where
 * safe, on a lost connection; and a retry wrapper for idempotent work.
 */
import type pg from 'pg';
import { type Clock, systemClock } from '../clock.js';
import { DbError } from '../errors.js';
import { isConnectionLoss } from './connection-loss.js';
import type { DbHandle } from './pool.js';
import { isRetryableSqlState, sqlStateOf } from './retry.js';

/** Where the pauses between attempts come from: tests pass a FakeClock and a fixed random. */
export interface RetryTiming {
  /** Default systemClock. */
  clock?: Clock;
  /** [0, 1) source for the jitter of the pause. Default Math.random. */
  random?: () => number;
}

export interface TransactionOptions extends RetryTiming {
  /** Name of the operation, for the error message. */
  op: string;
  /** Further attempts after the first on a retryable failure. Default 3. */
  retries?: number;
  /**
   * The work may be repeated after a COMMIT whose outcome is unknown (the connection died while
   * committing): running it again changes nothing when the first COMMIT took. Default false:
   * then only a connection lost before COMMIT was sent is retried.
   */
  idempotent?: boolean;
}

/**
 * Pause before retrying after a lost connection (the server or network needs a moment): capped
 * exponential backoff with equal jitter, `bound/2 + random() * bound/2` for
 * `bound = min(2 000, 100 * 2^attempt)`, so that the workers a failover cut off together do not
 * all reconnect in the same instant, and none retries sooner than half the bound. Whole ms.
 */
export function connectionRetryDelayMs(attempt: number, random: () => number): number {
  const bound = Math.min(2_000, 100 * 2 ** Math.max(0, attempt));
  return Math.floor(bound / 2 + random() * (bound / 2));
}

/** The pause of `attempt` on the options' clock. */
function pauseBeforeRetry(timing: RetryTiming, attempt: number): Promise<void> {
  const clock = timing.clock ?? systemClock;
  return clock.sleep(connectionRetryDelayMs(attempt, timing.random ?? Math.random));
}

/**
 * Runs `fn` inside BEGIN/COMMIT on a dedicated connection. On a retryable SQLSTATE (see
 * retry.ts) the whole transaction runs again, immediately: the conflicting transaction has
 * already finished or been aborted, so waiting buys nothing. On a lost connection (see
 * connection-loss.ts) it runs again on a new connection after a short jittered pause
 * (connectionRetryDelayMs, on `opts.clock`), when that is safe:
 * the loss came before COMMIT (the server rolled the transaction back), or `idempotent` is set.
 * Any other failure, or running out of retries, rolls back and throws a DbError naming the
 * operation and the SQLSTATE, with `cause`.
 */
export async function inTransaction<T>(
  h: DbHandle,
  opts: TransactionOptions,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const retries = opts.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    let committing = false;
    let client: pg.PoolClient;
    try {
      client = await h.pool.connect();
    } catch (err) {
      if (isConnectionLoss(err) && attempt < retries) {
        await pauseBeforeRetry(opts, attempt);
        continue;
      }
      throw toDbError(opts.op, err);
    }
    // A checked-out client has no pool listener: without ours, a connection dropped between two
    // statements would be an unhandled 'error' event (a crash); the failing query reports it.
    const onError = () => {};
    client.on('error', onError);
    let destroy = false;
    let pause = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      committing = true;
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // The connection is unusable: do not hand it back to the pool.
        destroy = true;
      }
      const lost = isConnectionLoss(err);
      if (lost) destroy = true;
      // A conflict is retried at once (see above); a lost connection after a pause, when safe.
      const again = attempt < retries && isRetryableSqlState(err);
      pause = !again && attempt < retries && lost && (!committing || opts.idempotent === true);
      if (!again && !pause) throw toDbError(opts.op, err);
    } finally {
      client.removeListener('error', onError);
      client.release(destroy);
    }
    if (pause) await pauseBeforeRetry(opts, attempt);
  }
}

export interface ConnectionRetryOptions extends RetryTiming {
  /** Further attempts after the first. Default 3. */
  retries?: number;
  /**
   * For a retried attempt: whether its failure means the first attempt's work already took
   * (e.g. a unique violation when re-inserting a row whose first INSERT committed unseen).
   */
  alreadyDone?: (err: unknown) => boolean;
}

/**
 * Runs idempotent database work again on a new connection when the connection was lost. The
 * work itself must be safe to repeat, whether or not the lost attempt committed.
 */
export async function withConnectionRetry<T>(
  fn: () => Promise<T>,
  opts: ConnectionRetryOptions = {},
): Promise<T> {
  const retries = opts.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt > 0 && opts.alreadyDone?.(err)) return undefined as T;
      if (attempt >= retries || !isConnectionLoss(err)) throw err;
      await pauseBeforeRetry(opts, attempt);
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

/** Wraps a failure as DbError: `<op> failed: <message> (SQLSTATE xxxxx)`, cause kept. */
export function toDbError(op: string, err: unknown): DbError {
  if (err instanceof DbError) return err;
  const state = sqlStateOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return new DbError(`${op} failed: ${message}${state ? ` (SQLSTATE ${state})` : ''}`, { cause: err });
}
