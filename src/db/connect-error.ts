/**
 * What a failed connection to PostgreSQL means for the person who configured it. node-postgres
 * says `SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string` or `getaddrinfo
 * ENOTFOUND ss`; this module turns such errors into one line that names the database (host,
 * port, database, user; never the password), keeps the server's message, and says what to fix.
 * Wrong settings (no password, a refused login, an unknown host or database, a URL that does not
 * parse as meant) become ConfigError (exit 78, never retried); anything else is a DbError.
 */
import { ConfigError, DbError } from '../errors.js';
import { sqlStateOf } from './retry.js';

/** Where a connection went, as node-postgres parsed it. No password: only whether one was given. */
export interface DbTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  hasPassword: boolean;
}

/** `database "hss" on db.internal:5432 as user "hss"` */
export function describeDbTarget(t: DbTarget): string {
  return `database ${JSON.stringify(t.database)} on ${t.host}:${t.port} as user ${JSON.stringify(t.user)}`;
}

/**
 * Whether a URL probably does not parse as its author meant: the user-info part holds an
 * unencoded `@`, `#`, `/` or `?` (e.g. the password `p@ss#w/rd`), so the URL parser takes a piece
 * of the password for the host. Looks only at the shape; nothing of the URL is returned.
 */
export function urlLooksMisparsed(url: string): boolean {
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const lastAt = rest.lastIndexOf('@');
  if (lastAt < 0) return false;
  const userInfo = rest.slice(0, lastAt);
  return /[@#/?]/.test(userInfo);
}

/** The hint for a password that must be percent-encoded. */
export const PERCENT_ENCODE_HINT = 'percent-encode the password (@ %40, # %23, / %2F, ? %3F, : %3A, % %25)';

const NO_PASSWORD_MESSAGES = [
  'client password must be a string',
  'client password must be a non-empty string',
  'Password must be a string',
];

const HOST_NOT_FOUND_CODES = ['ENOTFOUND', 'EAI_NONAME'];

function errnoOf(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !/^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/**
 * Explains a failure to open a connection to `target`. `url` is the configured connection string
 * (only its shape is examined, see urlLooksMisparsed). The result keeps `err` as its cause.
 */
export function explainConnectError(
  url: string | undefined,
  target: DbTarget,
  err: unknown,
  connectTimeoutMs: number,
): ConfigError | DbError {
  if (err instanceof ConfigError || err instanceof DbError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const state = sqlStateOf(err);
  const errno = errnoOf(err);
  const where = describeDbTarget(target);
  const detail = `${message}${state ? ` (SQLSTATE ${state})` : ''}`;
  const config = (problem: string) => new ConfigError('DATABASE_URL', problem, undefined, { cause: err });

  // The parsed host, database or user may be a piece of the password: describe nothing parsed.
  if (url !== undefined && urlLooksMisparsed(url)) {
    return config(
      `does not parse as intended: the user or password holds "@", "#", "/" or "?", so a piece of it was taken for the host (connecting failed: ${errno ?? state ?? 'error'}); ${PERCENT_ENCODE_HINT}`,
    );
  }
  if (NO_PASSWORD_MESSAGES.some((m) => message.includes(m)) || (state === '28P01' && !target.hasPassword)) {
    return config(
      `the URL has no password and the server asks for one (${where}): write it as postgres://user:password@host:port/db (${PERCENT_ENCODE_HINT}), or give the URL in the file DATABASE_URL_FILE names`,
    );
  }
  if (state === '28P01' || state === '28000') {
    return config(`the server refused the login (${where}): ${detail}`);
  }
  if (state === '3D000') {
    return config(`${detail} (${where}): create the database or fix its name in the URL`);
  }
  if (errno !== null && HOST_NOT_FOUND_CODES.includes(errno)) {
    return config(
      `host ${JSON.stringify(target.host)} not found (${where}): ${message}; check the host name (and ${PERCENT_ENCODE_HINT})`,
    );
  }
  const problem =
    message === 'timeout expired'
      ? `no answer within ${Math.round(connectTimeoutMs / 100) / 10} s (timeout expired)`
      : detail;
  return new DbError(`cannot connect to the ${where}: ${problem}`, { cause: err });
}
