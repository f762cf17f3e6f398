/**
 * The connection pool every database function receives. Every query is SQL through pg (set-based
 * statements over unnest, COPY, advisory locks): there is no query builder handle. The drizzle
 * schema (src/db/schema/) generates the migrations and gives the SQL its column lists.
 */
import { Socket } from 'node:net';
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
  /** What the pool is doing now, counted by this handle (see DbActivity). */
  activity(): DbActivity;
  /**
   * Calls `listener` after every change of activity() (a query or connect started or ended, a
   * connection checked out or back). Returns the function that removes it.
   */
  onActivity(listener: () => void): () => void;
}

/**
 * What a pool is doing, counted by the handle itself: every query and connect goes through its
 * client class, checkouts through pg's public pool events. All zero = nothing of this pool waits
 * on the database. A tool to tell "waiting on the clock" from "waiting on I/O" (tests drive a fake
 * clock only while the app is idle) and to read a pool's load.
 */
export interface DbActivity {
  /** Queries sent on a connection of this pool and not yet answered or failed. */
  queries: number;
  /** Connections being opened. */
  connecting: number;
  /** Connections handed out (pool.connect(), pool.query()) and not yet released. */
  checkedOut: number;
  /** Callers waiting for a free connection. */
  waiting: number;
}

/** The counters every client of one pool updates. */
class ActivityCounter {
  queries = 0;
  connecting = 0;
  checkedOut = 0;
  readonly #listeners = new Set<() => void>();
  change(field: 'queries' | 'connecting' | 'checkedOut', by: number): void {
    this[field] += by;
    for (const l of [...this.#listeners]) l();
  }
  /** A function that undoes one `field` +1 exactly once, whatever calls it. */
  begin(field: 'queries' | 'connecting'): () => void {
    this.change(field, 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.change(field, -1);
    };
  }
  listen(l: () => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
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

interface EventEmitterLike {
  once(event: string, listener: () => void): unknown;
}

/**
 * A pg Client whose failed connect never leaves its socket open and always says what failed.
 * node-postgres keeps the socket of a connect that failed on the client side (e.g. `client
 * password must be a string` during SCRAM): the server then waits for the next message and the
 * open socket keeps the process alive (`migrate` hung until killed). The error is explained by
 * connect-error.ts (which database, the server's message, what to fix). The socket is the
 * client's own (pg's documented `stream` option), so closing it needs nothing of pg's insides.
 * Every query and connect is counted in `activity` (DbHandle.activity()).
 */
/**
 * A pg client that counts its queries and connects in the pool's ActivityCounter and explains a
 * failed connect (connect-error.ts).
 */
class ReportingClient extends pg.Client {
  readonly #url: string | undefined;
  readonly #connectTimeoutMs: number;
  readonly #activity: ActivityCounter;
  readonly #socket: { current: Socket | null };
  /** Ends the count of every query of this client still counted (a client that ended answers none). */
  readonly #open = new Set<() => void>();
  constructor(
    config: string | pg.ClientConfig | undefined,
    connectTimeoutMs: number,
    activity: ActivityCounter,
  ) {
    const c = typeof config === 'string' ? { connectionString: config } : (config ?? {});
    const socket: { current: Socket | null } = { current: null };
    // The client's own timer (a little before the pool's) so the timeout is explained too.
    super({
      ...c,
      connectionTimeoutMillis: connectTimeoutMs,
      stream: () => {
        socket.current = new Socket();
        return socket.current;
      },
    });
    this.#url = c.connectionString;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#activity = activity;
    this.#socket = socket;
    this.on('end', () => {
      for (const done of [...this.#open]) done();
    });
  }

  #explain(err: Error): Error {
    // With TLS the secure stream wraps this socket: destroying it closes both.
    this.#socket.current?.destroy();
    return explainConnectError(
      this.#url,
      {
        host: this.host ?? 'localhost',
        port: this.port ?? 5432,
        database: this.database ?? '',
        user: this.user ?? '',
        hasPassword: typeof this.password === 'string' && this.password !== '',
      },
      err,
      this.#connectTimeoutMs,
    );
  }

  /** Counts the query from its call until its answer, its error or the client's end. */
  // biome-ignore lint/suspicious/noExplicitAny: pg's query has a dozen overloads; all pass through
  override query(...args: any[]): any {
    const ended = this.#activity.begin('queries');
    const done = () => {
      this.#open.delete(done);
      ended();
    };
    this.#open.add(done);
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (...r: unknown[]) => {
        done();
        return callback(...r);
      };
    }
    let out: unknown;
    try {
      out = super.query(...(args as Parameters<pg.Client['query']>));
    } catch (err) {
      done();
      throw err;
    }
    if (out instanceof Promise) out.then(done, done);
    else if (typeof callback !== 'function' && out && typeof (out as EventEmitterLike).once === 'function') {
      // A submittable (a COPY stream, a cursor): done when it ends, finishes, fails or closes.
      for (const e of ['end', 'finish', 'error', 'close']) (out as EventEmitterLike).once(e, done);
    }
    return out;
  }

  override connect(): Promise<pg.Client>;
  override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
  // biome-ignore lint/suspicious/noExplicitAny: the implementation of pg's two overloads
  override connect(callback?: any): Promise<pg.Client> | undefined {
    const ended = this.#activity.begin('connecting');
    if (callback) {
      const cb = callback as (err: Error | null, c?: pg.Client) => void;
      super.connect((err: Error | null) => {
        ended();
        return err ? cb(this.#explain(err)) : cb(null, this);
      });
      return undefined;
    }
    return super.connect().then(
      (c) => {
        ended();
        return c;
      },
      (err: Error) => {
        ended();
        throw this.#explain(err);
      },
    );
  }
}

/** The client class of one pool: ReportingClient with that pool's timeout and counter. */
function reportingClient(connectTimeoutMs: number, activity: ActivityCounter): typeof pg.Client {
  return class extends ReportingClient {
    constructor(config?: string | pg.ClientConfig) {
      super(config, connectTimeoutMs, activity);
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
  const activity = new ActivityCounter();
  const pool = new pg.Pool({
    Client: reportingClient(connectTimeoutMs, activity),
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
  // pg's public pool events: a connection handed out, and given back (or destroyed on release).
  pool.on('acquire', () => activity.change('checkedOut', 1));
  pool.on('release', () => activity.change('checkedOut', -1));
  let closing: Promise<void> | undefined;
  return {
    pool,
    close: () => {
      closing ??= pool.end().then(() => allClosed([...open]));
      return closing;
    },
    activity: () => ({
      queries: activity.queries,
      connecting: activity.connecting,
      checkedOut: activity.checkedOut,
      waiting: pool.waitingCount,
    }),
    onActivity: (listener) => activity.listen(listener),
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
