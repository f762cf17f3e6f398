/**
 * The connection pool every database function receives. Every query is SQL through pg (set-based
 * statements over unnest, COPY, advisory locks): there is no query builder handle. The drizzle
 * schema (src/db/schema/) generates the migrations and gives the SQL its column lists.
 */
import pg from 'pg';
import { explainConnectError } from './connect-error.js';
import { type DbLogger, silentDbLogger } from './logger.js';

/** What every database function takes: the pg pool. */
export interface DbHandle {
  pool: pg.Pool;
  /**
   * Ends the pool and resolves once every connection has closed (at most CLOSE_WAIT_MS): a server
   * stopped right after sees no connection to terminate. Safe to call more than once.
   */
  close(): Promise<void>;
}

export interface DbOptions {
  /** Per-statement limit in ms (`statement_timeout`). Default 60 000. */
  statementTimeoutMs?: number;
  /** Limit in ms to open a connection. Default 10 000. */
  connectionTimeoutMs?: number;
  /** Largest number of connections. Default 10. */
  maxConnections?: number;
  /** Idle connections close after this many ms. Default 30 000. */
  idleTimeoutMs?: number;
  /** `application_name` seen in pg_stat_activity. Default 'hss-baseline-sync'. */
  applicationName?: string;
  /** Where pool errors go. Default: dropped. */
  logger?: DbLogger;
}

interface PgInternals {
  connection?: { stream?: { destroy(): void } };
  connectionParameters?: {
    host?: string;
    port?: number;
    database?: string;
    user?: string;
    password?: unknown;
  };
}

/**
 * A pg Client whose failed connect never leaves its socket open and always says what failed.
 * node-postgres keeps the socket of a connect that failed on the client side (e.g. `client
 * password must be a string` during SCRAM): the server then waits for the next message and the
 * open socket keeps the process alive (`migrate` hung until killed). The error is explained by
 * connect-error.ts (which database, the server's message, what to fix).
 */
function reportingClient(connectTimeoutMs: number): typeof pg.Client {
  return class ReportingClient extends pg.Client {
    readonly #url: string | undefined;
    constructor(config?: string | pg.ClientConfig) {
      const c = typeof config === 'string' ? { connectionString: config } : (config ?? {});
      // The client's own timer (a little before the pool's) so the timeout is explained too.
      super({ ...c, connectionTimeoutMillis: connectTimeoutMs });
      this.#url = c.connectionString;
    }

    #explain(err: Error): Error {
      const self = this as unknown as PgInternals;
      self.connection?.stream?.destroy();
      const p = self.connectionParameters ?? {};
      return explainConnectError(
        this.#url,
        {
          host: p.host ?? 'localhost',
          port: p.port ?? 5432,
          database: p.database ?? '',
          user: p.user ?? '',
          hasPassword: typeof p.password === 'string' && p.password !== '',
        },
        err,
        connectTimeoutMs,
      );
    }

    override connect(): Promise<pg.Client>;
    override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
    // biome-ignore lint/suspicious/noExplicitAny: the implementation of pg's two overloads
    override connect(callback?: any): Promise<pg.Client> | undefined {
      if (callback) {
        const cb = callback as (err: Error | null, c?: pg.Client) => void;
        super.connect((err: Error | null) => (err ? cb(this.#explain(err)) : cb(null, this)));
        return undefined;
      }
      return super.connect().catch((err: Error) => {
        throw this.#explain(err);
      });
    }
  };
}

/**
 * Creates a pool for `url`. Idle connections that fail (server restart,
 * network cut) are logged, not thrown: without an `error` listener pg would crash the process.
 * Nothing connects until the first query. A failed connect closes its socket and throws a
 * ConfigError (wrong setting: no password, unknown host or database) or a DbError naming the
 * database (see connect-error.ts). TCP keep-alive finds connections a network cut left
 * half-open, and a client-side query timeout (statement timeout + 10 s) ends a statement whose
 * server went silent, so no await on the database can hang for ever.
 */
export function createDb(url: string, opts: DbOptions = {}): DbHandle {
  const logger = opts.logger ?? silentDbLogger;
  const statementTimeoutMs = opts.statementTimeoutMs ?? 60_000;
  const connectTimeoutMs = opts.connectionTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    Client: reportingClient(connectTimeoutMs),
    connectionString: url,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // Also bounds the wait for a free connection; 1 s more so the client's own timer fires first.
    connectionTimeoutMillis: connectTimeoutMs + 1_000,
    max: opts.maxConnections ?? 10,
    idleTimeoutMillis: opts.idleTimeoutMs ?? 30_000,
    application_name: opts.applicationName ?? 'hss-baseline-sync',
  });
  pool.on('error', (err: Error & { code?: string }) => {
    // The connection string may hold a password: log only what the error says.
    const fields = { err: { message: err.message, code: err.code } };
    // 57P01-03: the server shut down or restarted; the pool replaces the connection, nothing is lost.
    if (err.code?.startsWith('57P0')) logger.warn(fields, 'the database server closed an idle connection');
    else logger.error(fields, 'idle database connection failed');
  });
  // pool.end() resolves when its clients are told to end, not when their sockets have closed.
  const open = new Set<Promise<void>>();
  pool.on('connect', (client) => {
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    open.add(ended);
    void ended.then(() => open.delete(ended));
  });
  let closing: Promise<void> | undefined;
  return {
    pool,
    close: () => {
      closing ??= pool.end().then(() => allClosed([...open]));
      return closing;
    },
  };
}

/** The longest close() waits for connections to finish closing. */
const CLOSE_WAIT_MS = 5_000;

async function allClosed(ends: Promise<void>[]): Promise<void> {
  if (ends.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_WAIT_MS);
    timer.unref();
  });
  await Promise.race([Promise.all(ends), bound]);
  clearTimeout(timer);
}
