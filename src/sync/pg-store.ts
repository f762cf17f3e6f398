/** The engine's SyncStore on PostgreSQL: a thin adapter over src/db. */
import type { DbHandle } from '../db/pool.js';
import { finishRun, finishScopeRun, type RunTrigger, startRun, startScopeRun } from '../db/runs.js';
import {
  loadContentStates,
  recordScopeInventory,
  retireContents,
  upsertImageRefs,
  writeImageResults,
} from '../db/writer.js';
import type { SyncStore } from './store.js';

export function createPgStore(h: DbHandle): SyncStore {
  return {
    startRun: (run) => startRun(h, { ...run, trigger: run.trigger as RunTrigger }),
    finishRun: (runId, o) =>
      finishRun(h, runId, {
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
      }),
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
