/** The engine's SyncStore on PostgreSQL: a thin adapter over src/db. */
import { runLockName, type ScopeLock, tryAdvisoryLock } from '../db/lock.js';
import type { DbHandle } from '../db/pool.js';
import {
  finishRun,
  finishScopeRun,
  listRunningRuns,
  markAbandonedRuns,
  type RunTrigger,
  startRun,
  startScopeRun,
} from '../db/runs.js';
import {
  loadContentStates,
  recordScopeInventory,
  retireContents,
  upsertImageRefs,
  writeImageResults,
} from '../db/writer.js';
import type { SyncStore } from './store.js';

/**
 * `h` is the main pool; `locks` a small pool whose connections only hold advisory locks (a run
 * holds its run lock from start to finish, so a `running` run whose lock is free is dead).
 */
export function createPgStore(h: DbHandle, locks: DbHandle = h): SyncStore {
  const runLocks = new Map<string, ScopeLock>();
  return {
    async reapAbandonedRuns(at) {
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
    },
    async startRun(run) {
      const lock = await tryAdvisoryLock(locks, runLockName(run.runId));
      if (lock) runLocks.set(run.runId, lock);
      await startRun(h, { ...run, trigger: run.trigger as RunTrigger });
    },
    finishRun: async (runId, o) => {
      try {
        await finishRun(h, runId, {
          status: o.status,
          finishedAt: o.finishedAt,
          counts: {
            ...o.counts,
            scopesTotal: o.scopes.total,
            scopesSucceeded: o.scopes.succeeded,
            scopesPartial: o.scopes.partial,
            scopesFailed: o.scopes.failed,
          },
          callsByApi: o.callsByApi,
          error: o.error,
        });
      } finally {
        await runLocks.get(runId)?.release();
        runLocks.delete(runId);
      }
    },
    startScopeRun: (runId, scope, startedAt) => startScopeRun(h, runId, scope, scope.target, startedAt),
    finishScopeRun: (runId, scope, o) => finishScopeRun(h, runId, scope, o),
    upsertImageRefs: async (scope, refs, at) => {
      await upsertImageRefs(h, scope, refs, at);
    },
    recordScopeInventory: (scope, runId, at, inv) =>
      recordScopeInventory(h, scope, scope.target, runId, at, inv),
    loadContentStates: (scope) => loadContentStates(h, scope),
    writeImageResults: (runId, at, items) => writeImageResults(h, runId, at, items),
    retireContents: (scope, runId, at, what) => retireContents(h, scope, runId, at, what),
  };
}
