/**
 * One writer per scope across processes and replicas (docs/architecture.md, "One writer per scope"): a session advisory lock on
 * a dedicated connection, held for as long as the scope is being synced.
 */
import type { PoolClient } from 'pg';
import type { Scope } from '../domain.js';
import { type DbLogger, silentDbLogger } from './logger.js';
import type { DbHandle } from './pool.js';
import { toDbError } from './tx.js';

/** A held scope lock. */
export interface ScopeLock {
  /**
   * Aborted when the lock's connection fails: PostgreSQL then frees the lock, so another
   * process may take the scope. The holder should stop writing the scope.
   */
  readonly lost: AbortSignal;
  /** Frees the lock and its connection; safe to call more than once. */
  release(): Promise<void>;
}

/** The text hashed (64 bits, hashtextextended) into the scope's advisory lock key. */
export function scopeLockName(scope: Scope): string {
  return `hss-baseline-sync:scope:${JSON.stringify([scope.projectId, scope.enterpriseProjectId, scope.imageType])}`;
}

/** The advisory lock a run holds while it is running: free while `running` means the run is dead. */
export function runLockName(runId: string): string {
  return `hss-baseline-sync:run:${runId}`;
}

/**
 * Tries to take the scope's lock without waiting. Returns null when another session holds it.
 * The lock holds one pool connection until released.
 */
export function tryLockScope(
  h: DbHandle,
  scope: Scope,
  logger: DbLogger = silentDbLogger,
): Promise<ScopeLock | null> {
  return tryAdvisoryLock(h, scopeLockName(scope), logger);
}

/**
 * Tries to take the session advisory lock named `name` (hashed to 64 bits) without waiting, on a
 * connection of its own. Returns null when another session holds it.
 */
export async function tryAdvisoryLock(
  h: DbHandle,
  name: string,
  logger: DbLogger = silentDbLogger,
): Promise<ScopeLock | null> {
  let client: PoolClient;
  try {
    client = await h.pool.connect();
  } catch (err) {
    throw toDbError('tryLockScope', err);
  }
  const lost = new AbortController();
  let releasing = false;
  // The connection sits idle while checked out; without a listener its failure would crash.
  const onError = (err: Error) => {
    if (releasing || lost.signal.aborted) return;
    logger.warn({ err: { message: err.message } }, 'advisory lock connection failed; lock lost');
    lost.abort(toDbError('advisory lock', err));
  };
  // A connection can also just end (socket closed without an error message): the lock is gone too.
  const onEnd = () => onError(new Error('Connection terminated unexpectedly'));
  client.on('error', onError);
  client.on('end', onEnd);
  const detach = () => {
    client.removeListener('error', onError);
    client.removeListener('end', onEnd);
  };
  let locked = false;
  try {
    const res = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [name],
    );
    locked = res.rows[0]?.locked === true;
  } catch (err) {
    releasing = true;
    detach();
    client.on('error', () => {});
    client.release(true);
    throw toDbError('tryLockScope', err);
  }
  if (!locked) {
    releasing = true;
    detach();
    client.release();
    return null;
  }
  let released: Promise<void> | undefined;
  return {
    lost: lost.signal,
    release: () => {
      released ??= (async () => {
        releasing = true;
        let destroy = lost.signal.aborted;
        if (!destroy) {
          try {
            await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
          } catch {
            // Destroying the connection frees the lock as surely as the unlock would have.
            destroy = true;
          }
        }
        detach();
        // A destroyed connection may still report its end as an error: it must not crash us.
        if (destroy) client.on('error', () => {});
        client.release(destroy);
      })();
      return released;
    },
  };
}

/** node-cron's RunCoordinator, structurally (src/daemon.ts passes it to `schedule`). */
export interface RunCoordinator {
  shouldRun(key: string, ttlMs: number): Promise<boolean>;
  onComplete(key: string): Promise<void>;
}

/**
 * Elects one replica per scheduled tick: `shouldRun` takes a session advisory lock named after
 * the tick's key (node-cron passes `<task name>:<slot ISO time>`) and holds it until
 * `onComplete`. Replicas on the same schedule then do not run the same tick side by side; scope
 * locks already keep them from writing one scope at once, but two runs together would also spend
 * the same credential's per-user call budget twice over. node-cron calls onComplete when the task
 * function settles, so the task must return the run's promise.
 */
export function createRunCoordinator(h: DbHandle, logger: DbLogger = silentDbLogger): RunCoordinator {
  const held = new Map<string, ScopeLock>();
  return {
    async shouldRun(key) {
      const lock = await tryAdvisoryLock(h, `hss-baseline-sync:tick:${key}`, logger);
      if (!lock) {
        logger.info({ tick: key }, 'another replica runs this scheduled tick: skipped');
        return false;
      }
      held.set(key, lock);
      return true;
    },
    async onComplete(key) {
      const lock = held.get(key);
      held.delete(key);
      await lock?.release();
    },
  };
}
