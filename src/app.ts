/**
 * The composition root: builds the pool, the HTTP dispatcher, the pacer and one HSS client per
 * target from a validated config, and wires them into the sync engine. Nothing else constructs
 * these; everything below receives them.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Agent, type Dispatcher } from 'undici';
import { type Clock, systemClock } from './clock.js';
import type { AppConfig, TargetConfig } from './config/types.js';
import { createPgCallLog } from './db/call-budget.js';
import { createRunCoordinator, type RunCoordinator, tryLockScope } from './db/lock.js';
import { defaultMigrationsFolder, migrate } from './db/migrate.js';
import { createDb, type DbHandle } from './db/pool.js';
import { assertSchemaCurrent, readShipped, type Shipped } from './db/schema-state.js';
import { withConnectionRetry } from './db/tx.js';
import type { ApiName } from './domain.js';
import { errorSummary } from './errors.js';
import { CircuitBreaker } from './hss/breaker.js';
import { createAuthProvider, createHssClient } from './hss/client.js';
import { Pacer } from './hss/pacer.js';
import type { HssClient } from './hss/types.js';
import {
  type EngineDeps,
  type RunOptions,
  type RunReport,
  runSync,
  type SyncObserver,
} from './sync/engine.js';
import { createPgStore } from './sync/pg-store.js';

export interface AppOptions {
  logger: Logger;
  clock?: Clock;
  /** undici dispatcher for HSS and IAM; default an Agent with the configured timeouts. */
  dispatcher?: Dispatcher;
  random?: () => number;
  newId?: () => string;
  /** Receives run, scope and call events (metrics). */
  observer?: SyncObserver;
}

export interface App {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly db: DbHandle;
  /** The small pool that holds advisory locks (scope, run, scheduler tick). */
  readonly locks: DbHandle;
  readonly pacer: Pacer;
  /** Stops calls per (credential, API) after repeated failures; reset at each run's start. */
  readonly breaker: CircuitBreaker;
  /**
   * For node-cron's `runCoordinator` (with `distributed: true`): one replica per scheduled tick.
   * The scheduled task must return the run's promise (the tick's lock is held until it settles).
   */
  readonly runCoordinator: RunCoordinator;
  /**
   * Applies pending migrations (serialised across processes); no DDL when none is pending, and a
   * clear MigrationPendingError when the login may not apply them.
   */
  migrate(): Promise<void>;
  /** Throws a clear error when the database has not been migrated or a migration is pending. */
  assertMigrated(): Promise<void>;
  /** One sync run over every scope. The deadline defaults to the configured/derived one. */
  sync(opts: Omit<RunOptions, 'deadlineMs'> & { deadlineMs?: number | null }): Promise<RunReport>;
  close(): Promise<void>;
}

/** The call budget is the credential's, shared through the database by every process and replica using it. */
function createPacer(config: AppConfig, opts: AppOptions, db: DbHandle, clock: Clock): Pacer {
  // Its time is the database's unless the app was given a clock of its own.
  return new Pacer({
    clock,
    ratePerMinute: config.rateLimitPerMinute,
    overrides: config.rateLimitOverrides,
    random: opts.random,
    shared: createPgCallLog(db, opts.clock),
    onSharedError: (err) =>
      opts.logger.warn(
        { err: errorSummary(err) },
        'the shared call budget could not be read; this call is paced by this process alone',
      ),
  });
}

/** What every target's HSS client shares: the dispatcher, the pacer and the breaker. */
interface ClientParts {
  config: AppConfig;
  opts: AppOptions;
  dispatcher: Dispatcher;
  pacer: Pacer;
  breaker: CircuitBreaker;
  clock: Clock;
}

/** One HSS client per target, built on first use. */
function clientsByTarget(p: ClientParts): (target: TargetConfig) => HssClient {
  const { config, opts, dispatcher, clock } = p;
  const clients = new Map<string, HssClient>();
  return (target) => {
    let c = clients.get(target.name);
    if (!c) {
      const auth = createAuthProvider(target, {
        dispatcher,
        clock,
        limits: config.http,
        logger: opts.logger,
      });
      c = createHssClient({
        target,
        limits: config.http,
        pacer: p.pacer,
        breaker: p.breaker,
        auth,
        dispatcher,
        clock,
        random: opts.random,
        logger: opts.logger.child({ target: target.name }),
      });
      clients.set(target.name, c);
    }
    return c;
  };
}

/** The engine's settings, from the config. */
function engineSettings(config: AppConfig): EngineDeps['settings'] {
  return {
    pageSize: config.pageSize,
    fetchConcurrency: config.fetchConcurrency,
    scopeConcurrency: config.scopeConcurrency,
    maxResultAgeMs: config.maxResultAgeMs,
    maxRetireFraction: config.maxRetireFraction,
    allowMassRetire: config.allowMassRetire,
    maxQuarantinedItems: config.maxQuarantinedItems,
    retryBudget: { ratio: config.retryBudgetRatio },
    ruleDetail: config.ruleDetail,
    cicdSummaries: config.cicdSummaries,
    ruleValues: config.ruleValues,
  };
}

export function createApp(config: AppConfig, opts: AppOptions): App {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger;
  const db = createDb(config.databaseUrl, { logger });
  const ownDispatcher = !opts.dispatcher;
  const dispatcher =
    opts.dispatcher ??
    new Agent({
      connectTimeout: config.http.connectTimeoutMs,
      headersTimeout: config.http.headersTimeoutMs,
      bodyTimeout: config.http.bodyTimeoutMs,
    });
  const pacer = createPacer(config, opts, db, clock);
  const breaker = new CircuitBreaker({ clock });
  // Advisory locks live on connections of their own, so held locks never starve the writers:
  // one per scope in flight, the run's lock, the scheduled tick's lock, one to probe dead runs.
  const locks = createDb(config.databaseUrl, {
    logger,
    maxConnections: config.scopeConcurrency + 3,
    applicationName: 'hss-baseline-sync-locks',
  });
  const store = createPgStore(db, locks, {
    retention: { days: config.retentionDays, historyDays: config.historyRetentionDays },
  });
  const engineDeps: EngineDeps = {
    targets: config.targets,
    clientFor: clientsByTarget({ config, opts, dispatcher, pacer, breaker, clock }),
    store,
    clock,
    newId: opts.newId ?? randomUUID,
    logger,
    rateFor: (_t: TargetConfig, api: ApiName) => config.rateLimitOverrides[api] ?? config.rateLimitPerMinute,
    settings: engineSettings(config),
    worker: `${hostname()}:${process.pid}`,
    observer: opts.observer,
    lockScope: (scope) => withConnectionRetry(() => tryLockScope(locks, scope, logger)),
  };
  let shipped: Shipped | undefined;
  let closed = false;
  return {
    config,
    logger,
    db,
    locks,
    pacer,
    breaker,
    runCoordinator: createRunCoordinator(locks, logger),
    migrate: () => migrate(db, logger),
    async assertMigrated() {
      // /readyz asks this every few seconds: the shipped journal and surface are read once.
      shipped ??= readShipped(defaultMigrationsFolder());
      await assertSchemaCurrent(db.pool, shipped);
    },
    sync: (o) => {
      // Throttling and failures of an earlier run say little about this one: start from the
      // configured rates with every circuit closed.
      pacer.beginRun();
      breaker.reset();
      return runSync(engineDeps, {
        ...o,
        deadlineMs: o.deadlineMs === null ? undefined : (o.deadlineMs ?? config.runDeadlineMs),
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (ownDispatcher) await dispatcher.close();
      await locks.close();
      await db.close();
    },
  };
}
