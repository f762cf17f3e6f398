/** The engine's SyncStore on PostgreSQL: a thin adapter over src/db. */
import { countCoverage } from '../db/coverage.js';
import { refreshDailyFacts } from '../db/daily.js';
import { runLockName, type ScopeLock, tryAdvisoryLock } from '../db/lock.js';
import type { DbHandle } from '../db/pool.js';
import { applyRetention, type RetentionPolicy, retentionCutoffs } from '../db/retention.js';
import { sqlStateOf } from '../db/retry.js';
import {
  filterDescriptionsDue,
  loadDescriptionsDue,
  loadRulesDue,
  loadRulesDueFor,
} from '../db/rules/due.js';
import { loadRuleValuesDue, upsertRuleValues } from '../db/rules/values.js';
import { upsertRuleDescription, writeImageRules } from '../db/rules/write.js';
import {
  finishRun,
  finishScopeRun,
  listRunningRuns,
  markAbandonedRuns,
  recordRunProgress,
  recordScopeEtas,
  startRun,
  startScopeRun,
} from '../db/runs.js';
import { withConnectionRetry as retry } from '../db/tx.js';
import {
  loadContentStates,
  recordScopeInventory,
  retireContents,
  upsertImageRefs,
  writeImageResults,
} from '../db/writer/index.js';
import type { SyncStore } from './store.js';

/** A repeated INSERT that meets its own row: the lost first attempt had committed. */
function insertedBefore(err: unknown): boolean {
  return sqlStateOf(err) === '23505' || sqlStateOf((err as { cause?: unknown } | null)?.cause) === '23505';
}

/** Settings of createPgStore. */
export interface PgStoreOptions {
  /** Retention applied by `maintain` at the end of every run (src/db/retention.ts). Default: nothing is pruned. */
  retention?: RetentionPolicy;
}

/**
 * `h` is the main pool; `locks` a small pool whose connections only hold advisory locks (a run
 * holds its run lock from start to finish, so a `running` run whose lock is free is dead).
 * Every operation is safe to repeat, and runs again on a new connection when its connection was
 * lost (src/db/tx.ts withConnectionRetry): a killed backend or a failover costs a moment, not
 * the run.
 */
export function createPgStore(h: DbHandle, locks: DbHandle = h, options: PgStoreOptions = {}): SyncStore {
  const retention = options.retention ?? { days: null, historyDays: null };
  return { ...runLedger(h, locks, retention), ...scopeWrites(h) };
}

/** Runs from start to finish: each holds its run lock; maintenance at the end. */
function runLedger(
  h: DbHandle,
  locks: DbHandle,
  retention: RetentionPolicy,
): Pick<SyncStore, 'reapAbandonedRuns' | 'startRun' | 'finishRun' | 'maintain' | 'recordRunProgress'> {
  const runLocks = new Map<string, ScopeLock>();
  return {
    reapAbandonedRuns: (at) =>
      retry(async () => {
        const dead: string[] = [];
        for (const run of await listRunningRuns(h)) {
          if (runLocks.has(run.runId)) continue;
          const lock = await tryAdvisoryLock(locks, runLockName(run.runId));
          if (!lock) continue;
          dead.push(run.runId);
          await lock.release();
        }
        if (dead.length === 0) return [];
        return markAbandonedRuns(h, {
          at,
          runIds: dead,
          reason: 'abandoned: its worker stopped before the run ended',
        });
      }),
    async startRun(run) {
      const lock = await retry(() => tryAdvisoryLock(locks, runLockName(run.runId)));
      try {
        await retry(() => startRun(h, run), {
          alreadyDone: insertedBefore,
        });
      } catch (err) {
        // No run row, no finishRun: the lock must not stay checked out (it would block close()).
        await lock?.release();
        throw err;
      }
      if (lock) runLocks.set(run.runId, lock);
    },
    finishRun: async (runId, o) => {
      try {
        await retry(() =>
          finishRun(h, runId, {
            status: o.status,
            finishedAt: o.finishedAt,
            counts: {
              ...o.counts,
              scopesTotal: o.scopes.total,
              scopesSucceeded: o.scopes.succeeded,
              scopesPartial: o.scopes.partial,
              scopesFailed: o.scopes.failed,
              ...o.ruleCounts,
            },
            callsByApi: o.callsByApi,
            ...(o.apiBacklog ? { apiBacklog: o.apiBacklog } : {}),
            ...(o.maintenance ? { maintenance: o.maintenance } : {}),
            ...(o.coverage ? { coverage: o.coverage } : {}),
            error: o.error,
          }),
        );
      } finally {
        await runLocks.get(runId)?.release();
        runLocks.delete(runId);
      }
    },
    // Daily facts up to `at`, then retention. Both are idempotent.
    async maintain(at) {
      // Facts the retention would delete at once are not built in the first place.
      const earliestDay = retentionCutoffs(at, retention).factsBeforeDay;
      const facts = await retry(() => refreshDailyFacts(h, at, { earliestDay }));
      const pruned = await retry(() => applyRetention(h, at, retention));
      return { dailyDays: facts.days, pruned };
    },
    recordRunProgress: (runId, apiBacklog) => retry(() => recordRunProgress(h, runId, apiBacklog)),
  };
}

/** Scopes, images, results and rules: each operation one call of src/db, repeated on a lost connection. */
function scopeWrites(
  h: DbHandle,
): Omit<SyncStore, 'reapAbandonedRuns' | 'startRun' | 'finishRun' | 'maintain' | 'recordRunProgress'> {
  return {
    startScopeRun: (runId, scope, startedAt) =>
      retry(() => startScopeRun(h, runId, scope, scope.target, startedAt), { alreadyDone: insertedBefore }),
    finishScopeRun: (runId, scope, o) => retry(() => finishScopeRun(h, runId, scope, o)),
    recordScopeEtas: (runId, etas) => retry(() => recordScopeEtas(h, runId, etas)),
    upsertImageRefs: async (scope, refs, at) => {
      await retry(() => upsertImageRefs(h, scope, refs, at));
    },
    recordScopeInventory: (scope, runId, at, inv) =>
      retry(() => recordScopeInventory(h, scope, scope.target, runId, at, inv)),
    loadContentStates: (scope) => retry(() => loadContentStates(h, scope)),
    // A repeat after a COMMIT that took writes nothing: identical results write no row.
    writeImageResults: (runId, at, items) => retry(() => writeImageResults(h, runId, at, items)),
    // What the interface promises, nothing more (the writer also counts the references retired).
    retireContents: async (scope, runId, at, what) => {
      const r = await retry(() => retireContents(h, scope, runId, at, what));
      return { contentsRetired: r.contentsRetired, versionsClosed: r.versionsClosed };
    },
    loadRulesDue: (scope, mode) => retry(() => loadRulesDue(h, scope, mode)),
    // Identical rules write nothing, so a repeat after a COMMIT that took is harmless.
    writeImageRules: (runId, at, items) => retry(() => writeImageRules(h, runId, at, items)),
    loadRulesDueFor: (scope, mode, imageIds) => retry(() => loadRulesDueFor(h, scope, mode, imageIds)),
    filterDescriptionsDue: (keys, staleBefore) => retry(() => filterDescriptionsDue(h, keys, staleBefore)),
    loadDescriptionsDue: (scope, staleBefore) => retry(() => loadDescriptionsDue(h, scope, staleBefore)),
    upsertRuleDescription: (key, detail, at) => retry(() => upsertRuleDescription(h, key, detail, at)),
    loadRuleValuesDue: (scope, after, limit) => retry(() => loadRuleValuesDue(h, scope, after, limit)),
    // Values are replaced whole: a repeat after a COMMIT that took writes the same values.
    upsertRuleValues: (runId, at, items) => retry(() => upsertRuleValues(h, runId, at, items)),
    countCoverage: (scopes) => retry(() => countCoverage(h, scopes)),
  };
}
