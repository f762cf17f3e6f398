/**
 * Which failures mean "the connection to PostgreSQL was lost" (server restart, failover,
 * pg_terminate_backend, network cut) rather than "this statement is wrong". One table per
 * source, one question: isConnectionLoss. Whether a retry is then safe is the caller's call
 * (see tx.ts): before COMMIT it always is, after it only for idempotent work.
 */
import { ConfigError } from '../errors.js';
import { sqlStateOf } from './retry.js';

/** SQLSTATEs (and classes, as two characters) that mean the session is gone. */
export const CONNECTION_LOSS_SQLSTATES: ReadonlyMap<string, string> = new Map([
  ['08', 'connection_exception (any 08xxx): the connection failed or was never made'],
  ['57P01', 'admin_shutdown: the backend was terminated (shutdown, pg_terminate_backend)'],
  ['57P02', 'crash_shutdown: the server restarts after a crash'],
  ['57P03', 'cannot_connect_now: the server is starting up or shutting down'],
]);

/** Node socket error codes of a lost or refused connection. */
export const CONNECTION_LOSS_ERRNOS: readonly string[] = [
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
];

/** Messages node-postgres throws (without a code) when its connection is gone. */
export const CONNECTION_LOSS_MESSAGES: readonly string[] = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  // The client's own connect timeout (pool.ts), as "Connection terminated due to connection timeout" was.
  'timeout expired',
];

/** True when `err` (or one of its causes) says the connection to PostgreSQL was lost. */
export function isConnectionLoss(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    // A wrong setting (no password, unknown host) stays wrong: trying again cannot help.
    if (e instanceof ConfigError) return false;
    const state = sqlStateOf(e);
    if (
      state !== null &&
      (CONNECTION_LOSS_SQLSTATES.has(state) || CONNECTION_LOSS_SQLSTATES.has(state.slice(0, 2)))
    ) {
      return true;
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_LOSS_ERRNOS.includes(code)) return true;
    const message = e instanceof Error ? e.message : '';
    if (CONNECTION_LOSS_MESSAGES.some((m) => message.includes(m))) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}
