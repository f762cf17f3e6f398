/**
 * The time a scope's pending summaries need when the scopes of one credential share its per-API
 * budget. HSS allows each credential about 5 calls per minute per API, all its scopes together
 * (docs/hss-api.md): twelve scopes with 25 pending images each at 5/min need 300 calls, an hour,
 * not the 5 minutes one scope's 25 calls would take alone.
 */
import type { TargetConfig } from '../config/types.js';
import type { ApiName, Scope } from '../domain.js';
import { apisFor } from '../hss/api-matrix.js';
import { etaSeconds } from './plan.js';
import type { EngineDeps, ScopeReport } from './types.js';

/** One scope's calls still needed on one budget. */
export interface PendingOnBudget {
  /** The credential the budget belongs to (the target's name: one credential per target). */
  credential: string;
  /** The API whose budget the calls spend. */
  api: ApiName;
  /** Calls still needed (one per pending image for the summaries). */
  pending: number;
  /** The budget's configured calls per minute. */
  perMinute: number;
}

/**
 * For each item, in order: the seconds its budget needs for every call still needed on it, all
 * scopes of the (credential, API) together, at that budget's rate (the slowest rate given for it).
 * 0 for an item with nothing pending: it waits for nothing.
 */
export function sharedEtaSeconds(items: readonly PendingOnBudget[]): number[] {
  const budgets = new Map<string, { pending: number; perMinute: number }>();
  for (const it of items) {
    const k = `${it.credential}\u0000${it.api}`;
    const b = budgets.get(k);
    const pending = Math.max(0, it.pending);
    if (b) {
      b.pending += pending;
      b.perMinute = Math.min(b.perMinute, it.perMinute);
    } else budgets.set(k, { pending, perMinute: it.perMinute });
  }
  return items.map((it) => {
    if (it.pending <= 0) return 0;
    const b = budgets.get(`${it.credential}\u0000${it.api}`);
    return b ? etaSeconds(b.pending, b.perMinute) : 0;
  });
}

/**
 * The reports with each scope's ETA on its credential's shared summaries budget (sharedEtaSeconds),
 * and those whose ETA changed (to correct in the ledger). `pairs[i]` is the target and scope of
 * `reports[i]`.
 */
export function withSharedEtas(
  deps: Pick<EngineDeps, 'rateFor' | 'settings'>,
  pairs: readonly { target: TargetConfig; scope: Scope }[],
  reports: readonly ScopeReport[],
): { reports: ScopeReport[]; changed: ScopeReport[] } {
  const items = pairs.map(({ target, scope }, i) => {
    const api = apisFor(scope.imageType, deps.settings.cicdSummaries).summaries;
    return {
      credential: target.name,
      api,
      pending: reports[i]?.counts.imagesPending ?? 0,
      perMinute: deps.rateFor(target, api),
    };
  });
  const etas = sharedEtaSeconds(items);
  const changed: ScopeReport[] = [];
  const out = reports.map((r, i) => {
    const eta = etas[i] ?? r.etaSeconds;
    if (eta === r.etaSeconds) return r;
    const next = { ...r, etaSeconds: eta };
    if (r.status !== 'skipped') changed.push(next);
    return next;
  });
  return { reports: out, changed };
}
