/**
 * The PostgreSQL layer: pool, migrations, writer, run ledger, scope locks. Nothing here knows HTTP.
 */
export { runLockName, type ScopeLock, scopeLockName, tryAdvisoryLock, tryLockScope } from './lock.js';
export { type DbLogger, silentDbLogger } from './logger.js';
export { defaultMigrationsFolder, type MigrateOptions, migrate } from './migrate.js';
export { createDb, type DbHandle, type DbOptions, type HssDatabase } from './pool.js';
export { imageRefKey } from './ref-key.js';
export { isRetryableSqlState, RETRYABLE_SQLSTATES, sqlStateOf } from './retry.js';
export {
  type AbandonedRunsFilter,
  type CallsByApi,
  emptyRunCounts,
  type FinishRun,
  type FinishScopeRun,
  finishRun,
  finishScopeRun,
  listRunningRuns,
  markAbandonedRuns,
  type RunCounts,
  type RunningRun,
  type RunTrigger,
  type ScopeRunCounts,
  startRun,
  startScopeRun,
} from './runs.js';
export * as schema from './schema.js';
export {
  type ContentOutcome,
  type ContentState,
  type ImageResultItem,
  loadContentStates,
  type RetireInput,
  recordScopeInventory,
  retireContents,
  upsertImageRefs,
  writeImageResults,
} from './writer.js';
