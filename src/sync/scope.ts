/**
 * One scope of a run: its lock and ledger row around the inventory and fetch phases, then its
 * rule drill-down handed on (finished in its slot, yielded for later, or stopped). Faults become
 * the scope's status (outcome.ts); the scope never throws.
 */
import type { Logger } from 'pino';
import type { TargetConfig } from '../config/types.js';
import { type ImageResultItem, listApiFor, type Scope, scopeLabel } from '../domain.js';
import { errorSummary } from '../errors.js';
import { apisFor } from '../hss/api-matrix.js';
import type { RetryBudget } from '../hss/retry-budget.js';
import type { CallEvent, CallOptions, HssClient } from '../hss/types.js';
import type { ApiBoard } from './api-board.js';
import { CallTally } from './call-tally.js';
import { QuarantineTally } from './failure-policy.js';
import type { Limiter } from './limiter.js';
import { type ScopeResult, scopeResult, scopeResultOfError } from './outcome.js';
import { fetchDue, fetchProblems } from './phases/fetch.js';
import { inventoryProblems, retireUnlisted, takeInventory } from './phases/inventory.js';
import type { RunDrill, ScopeDrillHandle } from './phases/rules.js';
import { etaSeconds, planFetches } from './plan.js';
import type { LiveScopes } from './progress-log.js';
import { abortOnAny } from './signals.js';
import { type Counts, type ScopeOutcome, zeroCounts } from './store.js';
import type { EngineDeps, HeldScopeLock, RunOptions, ScopeReport } from './types.js';

/** What a scope gets from its run. */
export interface RunContext {
  runId: string;
  live: LiveScopes;
  /** The run's HTTP limiter: calls in flight over every scope. */
  limiter: Limiter;
  retryBudget: RetryBudget;
  /** Aborted when the run deadline passes. */
  deadline: AbortSignal;
  /** The caller's signal combined with the deadline: given to every HSS call. */
  callSignal: AbortSignal;
  /** What may abort a call already sent: the caller's signal, not the deadline. */
  inFlightSignal: AbortSignal | undefined;
  opts: RunOptions;
  log: Logger;
  /** The run's per-API board (calls made and due). */
  board: ApiBoard;
  /** Every HTTP attempt of the run: the board, metrics. */
  onAnyCall(target: TargetConfig, scope: Scope, e: CallEvent): void;
  /** The run's rule drill-down; null when HSS_RULE_DETAIL=off. */
  drill: RunDrill | null;
  /** The run's scope slots (the drill-down yields its slot when summaries wait for one). */
  scopeLimiter: Limiter;
}

/** What the phases of one scope share once its lock is held. */
interface ScopeRun {
  deps: EngineDeps;
  run: RunContext;
  target: TargetConfig;
  scope: Scope;
  /** The run's call signal and the lock's loss. */
  callSignal: AbortSignal;
  lockLost: AbortSignal | null;
  callOptions: CallOptions;
  counts: Counts;
  quarantine: QuarantineTally;
  scopeDrill: ScopeDrillHandle | null;
  log: Logger;
}

function emptyScopeReport(scope: Scope, status: ScopeReport['status'], error: string | null): ScopeReport {
  return {
    scope,
    label: scopeLabel(scope),
    status,
    counts: zeroCounts(),
    callsByApi: {},
    inventoryComplete: false,
    etaSeconds: 0,
    error,
  };
}

/** The scope's lock; a report instead when it is held elsewhere (skipped) or cannot be taken (failed). */
async function takeScopeLock(
  deps: EngineDeps,
  scope: Scope,
  log: Logger,
): Promise<HeldScopeLock | ScopeReport> {
  let lock: HeldScopeLock | null;
  try {
    lock = deps.lockScope ? await deps.lockScope(scope) : { release: async () => {} };
  } catch (err) {
    // The database is unreachable: this scope fails, the run goes on and is recorded.
    log.error({ err: errorSummary(err) }, 'scope failed: could not take its lock');
    return emptyScopeReport(scope, 'failed', `could not take the scope lock: ${errorSummary(err)}`);
  }
  if (!lock) {
    log.warn('scope skipped: another worker is syncing it');
    return emptyScopeReport(scope, 'skipped', null);
  }
  return lock;
}

/** The shared state of the scope's phases, its calls counted by `tally` and `quarantine`. */
function scopeRunOf(
  deps: EngineDeps,
  run: RunContext,
  target: TargetConfig,
  scope: Scope,
  lock: HeldScopeLock,
  log: Logger,
): ScopeRun & { tally: CallTally } {
  const lost = lock.lost ?? null;
  // Losing the lock stops the scope's calls like an abort; the status says why.
  const callSignal = abortOnAny(run.callSignal, lost);
  const inFlightSignal = abortOnAny(run.inFlightSignal, lost);
  // The drill-down runs beside the summaries under the same lock, fed as they are written.
  const scopeDrill = run.drill?.forScope(target, scope, { callSignal, inFlightSignal }) ?? null;
  const tally = new CallTally((e) => run.onAnyCall(target, scope, e));
  const quarantine = new QuarantineTally(deps.settings.maxQuarantinedItems);
  const callOptions: CallOptions = {
    signal: callSignal,
    inFlightSignal,
    onCall: tally.onCall,
    retryBudget: run.retryBudget,
    onQuarantine: quarantine.onQuarantine,
  };
  const counts = zeroCounts();
  return {
    deps,
    run,
    target,
    scope,
    callSignal,
    lockLost: lost,
    callOptions,
    counts,
    quarantine,
    scopeDrill,
    log,
    tally,
  };
}

/** Records how the scope ended (ledger row, log line, progress, metrics) and returns its report. */
async function finishScope(
  s: ScopeRun & { tally: CallTally },
  result: ScopeResult,
  startedAt: Date,
): Promise<{ report: ScopeReport; outcome: ScopeOutcome }> {
  const { deps, run, target, scope, counts, tally, log } = s;
  const label = scopeLabel(scope);
  counts.apiCalls = tally.apiCalls;
  counts.throttled = tally.throttled;
  counts.retries = tally.retries;
  counts.itemsQuarantined = s.quarantine.items;
  const summaryApi = apisFor(scope.imageType, deps.settings.cicdSummaries).summaries;
  const eta = etaSeconds(counts.imagesPending, deps.rateFor(target, summaryApi));
  const outcome: ScopeOutcome = {
    status: result.status,
    finishedAt: new Date(deps.clock.now()),
    inventoryComplete: result.inventoryComplete,
    counts,
    callsByApi: tally.callsByApi,
    etaSeconds: eta,
    error: result.error,
  };
  try {
    await deps.store.finishScopeRun(run.runId, scope, outcome);
  } catch (err) {
    // What was written stays written; the run's own record still says how the scope ended.
    log.error({ err: errorSummary(err) }, 'could not record the end of the scope');
  }
  const line = { status: outcome.status, ...counts, etaSeconds: eta, error: outcome.error };
  if (outcome.status === 'succeeded') log.info(line, 'scope finished');
  else log.warn(line, 'scope finished');
  run.opts.onProgress?.({ scope: label, phase: 'done', done: counts.imagesFetched, total: counts.imagesDue });
  run.live.delete(label);
  const report: ScopeReport = {
    scope,
    label,
    status: outcome.status,
    counts,
    callsByApi: tally.callsByApi,
    inventoryComplete: result.inventoryComplete,
    etaSeconds: eta,
    error: outcome.error,
  };
  deps.observer?.onScopeFinished?.(report, outcome.finishedAt.getTime() - startedAt.getTime());
  return { report, outcome };
}

/**
 * The summaries are done and recorded. The drill-down goes on in this slot unless summaries of
 * other scopes wait for one (it then yields and runs later, at low priority); a scope that failed
 * or was aborted stops it.
 */
async function endDrill(s: ScopeRun, outcome: ScopeOutcome): Promise<void> {
  if (!s.scopeDrill) return;
  const how =
    outcome.status === 'failed' || outcome.status === 'aborted'
      ? 'stop'
      : s.run.scopeLimiter.waitingHigh > 0
        ? 'yield'
        : 'finish';
  await s.scopeDrill.end(how).catch((err: unknown) => {
    s.log.warn({ err: errorSummary(err) }, 'rule drill-down failed');
  });
}

/** Syncs one scope under its lock and records it; returns its report. */
export async function runScope(
  deps: EngineDeps,
  run: RunContext,
  target: TargetConfig,
  scope: Scope,
): Promise<ScopeReport> {
  const label = scopeLabel(scope);
  const log = run.log.child({ scope: label });
  const lock = await takeScopeLock(deps, scope, log);
  if (!('release' in lock)) return lock;
  const s = scopeRunOf(deps, run, target, scope, lock, log);
  try {
    const startedAt = new Date(deps.clock.now());
    try {
      await deps.store.startScopeRun(run.runId, scope, startedAt);
    } catch (err) {
      log.error({ err: errorSummary(err) }, 'scope failed: could not open its ledger row');
      return emptyScopeReport(scope, 'failed', `could not record the scope: ${errorSummary(err)}`);
    }
    log.info('scope started');
    const { counts } = s;
    run.live.set(label, { counts, due: () => counts.imagesDue });
    const result = await syncScope(s).catch((err: unknown) =>
      scopeResultOfError(err, {
        aborted: run.opts.signal?.aborted === true,
        lockLost: s.lockLost?.aborted === true,
      }),
    );
    const { report, outcome } = await finishScope(s, result, startedAt);
    await endDrill(s, outcome);
    return report;
  } finally {
    await lock.release().catch((err: unknown) => {
      log.warn({ err: errorSummary(err) }, 'could not release the scope lock cleanly');
    });
  }
}

/** 1. Inventory: every page of the list API (twice when the first pass was inconsistent). */
async function inventory(s: ScopeRun, client: HssClient, now: () => Date) {
  const { run, target, scope, deps } = s;
  let pagesLeft = 1;
  const listDue = run.board.track(target.name, listApiFor(scope.imageType), () => pagesLeft);
  const inv = await takeInventory({
    client,
    store: deps.store,
    scope,
    runId: run.runId,
    pageSize: deps.settings.pageSize,
    limiter: run.limiter,
    callOptions: s.callOptions,
    callSignal: s.callSignal,
    now,
    onPagesLeft: (left) => {
      pagesLeft = left;
    },
    onProgress: run.opts.onProgress,
    log: s.log,
  });
  listDue.freeze(inv.error ? pagesLeft : 0);
  s.counts.imagesListed = inv.refs.length;
  return inv;
}

type Inventory = Awaited<ReturnType<typeof inventory>>;

/** 2. Plan against what is stored; the summaries due go on the board; the images due for rules from earlier runs start now. */
async function plan(s: ScopeRun, inv: Inventory) {
  const { deps, counts } = s;
  const stored = await deps.store.loadContentStates(s.scope);
  const planned = planFetches({
    inventory: inv.refs,
    stored,
    nowMs: deps.clock.now(),
    maxResultAgeMs: deps.settings.maxResultAgeMs,
  });
  counts.imagesDistinct = planned.contents.length;
  counts.imagesDue = planned.tasks.length;
  const summaries = apisFor(s.scope.imageType, deps.settings.cicdSummaries).summaries;
  const summariesDue = s.run.board.track(
    s.target.name,
    summaries,
    () => planned.tasks.length - counts.imagesFetched,
  );
  // Those refetched here come once written.
  s.scopeDrill?.planned(new Set(planned.tasks.map((t) => t.imageId)));
  s.log.info(
    {
      listed: inv.refs.length,
      distinct: planned.contents.length,
      due: planned.tasks.length,
      notScanned: planned.notScanned.length,
    },
    'scope planned',
  );
  return { stored, plan: planned, summariesDue };
}

type Planned = Awaited<ReturnType<typeof plan>>;

/** 3. Retire on proof only; a blocked retirement is one of the scope's problems. */
async function retire(s: ScopeRun, inv: Inventory, p: Planned, now: () => Date, problems: string[]) {
  const { deps, counts } = s;
  const retired = await retireUnlisted(
    { store: deps.store, scope: s.scope, runId: s.run.runId, now },
    inv,
    p.plan.contents,
    p.stored,
    { maxFraction: deps.settings.maxRetireFraction, allowMassRetire: deps.settings.allowMassRetire },
  );
  if (retired.blockedReason) problems.push(retired.blockedReason);
  counts.imagesRetired = retired.contentsRetired;
  counts.versionsClosed += retired.versionsClosed;
}

/** 4. Fetch the due summaries and write each as it arrives; images not scanned are written as such. */
function fetchSummaries(s: ScopeRun, client: HssClient, p: Planned, now: () => Date) {
  const { deps, run, scope } = s;
  const summaries = apisFor(scope.imageType, deps.settings.cicdSummaries).summaries;
  const notScanned = p.plan.notScanned.map(
    (n): ImageResultItem => ({
      scope,
      imageId: n.imageId,
      signal: n.signal,
      outcome: 'not_scanned',
      source: summaries,
      results: [],
    }),
  );
  return fetchDue(
    {
      client,
      store: deps.store,
      scope,
      runId: run.runId,
      summaries,
      ...(s.scopeDrill ? { onRuleRows: s.scopeDrill.prefetched.bind(s.scopeDrill) } : {}),
      limiter: run.limiter,
      concurrency: deps.settings.fetchConcurrency,
      callOptions: s.callOptions,
      callSignal: s.callSignal,
      quarantine: s.quarantine,
      counts: s.counts,
      now,
      onWritten: (ids) => s.scopeDrill?.written(ids),
      onProgress: run.opts.onProgress,
      log: s.log,
    },
    p.plan.tasks,
    notScanned,
  );
}

/** The scope's phases in order: inventory, plan, retire, fetch; then its outcome. */
async function syncScope(s: ScopeRun): Promise<ScopeResult> {
  const { deps, run, target, counts, quarantine } = s;
  const now = () => new Date(deps.clock.now());
  const client = deps.clientFor(target);
  const findings = () => ({
    aborted: run.opts.signal?.aborted === true,
    lockLost: s.lockLost?.aborted === true,
  });

  const inv = await inventory(s, client, now);
  const inventoryComplete = inv.verdict.complete;
  const problems = inventoryProblems(inv);
  if (inv.error) throw inv.error;
  if (quarantine.overLimit) {
    const reason = quarantine.overLimitReason(quarantine.describe());
    return scopeResult({ ...findings(), inventoryComplete, stoppedBy: reason, problems: [reason] });
  }
  const p = await plan(s, inv);
  await retire(s, inv, p, now, problems);
  const fetched = await fetchSummaries(s, client, p, now);
  counts.imagesPending = p.plan.tasks.length - counts.imagesFetched;
  p.summariesDue.freeze(counts.imagesPending);
  problems.push(...fetchProblems(fetched, quarantine));
  if (run.deadline.aborted && counts.imagesPending > 0) {
    problems.push(
      `run deadline reached with ${counts.imagesPending} image(s) pending; they come first next run`,
    );
  }
  return scopeResult({ ...findings(), inventoryComplete, stoppedBy: fetched.stoppedBy, problems });
}
