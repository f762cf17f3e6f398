/**
 * One sync run, as a short sequence of phases: per scope (at most scopeConcurrency at once, each
 * under its lock) the inventory and the fetch (scope.ts, phases/inventory.ts, phases/fetch.ts),
 * beside them the rule drill-down (phases/rules.ts), then the maintenance (phases/maintenance.ts),
 * the coverage count and the ledger row. Each scope calls the APIs the image type × API matrix
 * gives its type (src/hss/api-matrix.ts). Every phase shares one work-queue runner (lane.ts) and
 * one failure policy (failure-policy.ts); how scopes and the run end is decided by pure functions
 * (outcome.ts).
 * Scopes are isolated: one failing scope ends the run `partial`.
 */
import type { Logger } from 'pino';
import type { TargetConfig } from '../config/types.js';
import { type CoverageCounts, type MaintenanceReport, type Scope, scopeLabel } from '../domain.js';
import { errorSummary } from '../errors.js';
import { RetryBudget } from '../hss/retry-budget.js';
import type { CallEvent } from '../hss/types.js';
import { type ApiBacklog, ApiBoard, catchUpSeconds } from './api-board.js';
import { diagnoseRun } from './diagnose.js';
import { createLimiter } from './limiter.js';
import { runError, runStatus, tallyScopes } from './outcome.js';
import { maintains, runMaintenance } from './phases/maintenance.js';
import { type DrillPhase, RunDrill, rulesOutcome } from './phases/rules.js';
import { backlogFields, type LiveScopes, logProgress } from './progress-log.js';
import { type RunContext, runScope } from './scope.js';
import { scopesOf } from './scopes.js';
import { withSharedEtas } from './shared-eta.js';
import { abortOnAny, allowManyListeners, deadlineSignal } from './signals.js';
import { addCalls, addCounts, type RunOutcome, zeroCounts } from './store.js';
import type { EngineDeps, RunOptions, RunReport, ScopeReport } from './types.js';

export { scopesOf } from './scopes.js';
export type {
  EngineDeps,
  HeldScopeLock,
  ProgressEvent,
  RunOptions,
  RunReport,
  RunSettings,
  ScopeReport,
  SyncObserver,
} from './types.js';

/** Interval of the `sync progress` log line unless EngineDeps.progressLogIntervalMs says otherwise. */
const PROGRESS_LOG_INTERVAL_MS = 30_000;

/** Runs one sync over every configured scope and records it. Never throws for upstream faults. */
export async function runSync(deps: EngineDeps, given: RunOptions): Promise<RunReport> {
  const runId = deps.newId();
  const startedAt = new Date(deps.clock.now());
  const log = deps.logger.child({ runId });
  const reaped = await deps.store.reapAbandonedRuns(startedAt);
  if (reaped.length) log.warn({ runIds: reaped }, 'marked runs abandoned by a stopped worker as aborted');
  await deps.store.startRun({
    runId,
    startedAt,
    trigger: given.trigger,
    worker: deps.worker,
    schedule: given.schedule ?? null,
  });
  deps.observer?.onRunStarted?.(runId, given.trigger);
  const pairs = scopesOf(deps.targets);
  log.info({ scopes: pairs.length, trigger: given.trigger }, 'sync run started');

  const run = prepareRun(deps, given, runId, log);
  let reports: ScopeReport[];
  let rules: DrillPhase | null;
  try {
    // The inventory and fetch phases of every scope, the rule drill-down beside them.
    reports = await Promise.all(
      pairs.map(({ target, scope }) => run.scopeLimiter.run(() => runScope(deps, run, target, scope))),
    );
    // Drill-downs deferred for summaries that waited for a slot run last, at low priority.
    await run.drill?.settled();
    rules = rulesOutcome(run.drill?.phase ?? null, given.signal?.aborted === true);
    reports = await shareBudgetEtas(deps, runId, pairs, reports, log);
  } catch (err) {
    // Scopes turn faults into statuses; this is a defect. The run still gets its record.
    log.error({ err: errorSummary(err) }, 'sync run failed unexpectedly');
    const maintenance = await runMaintenance(deps, log);
    await deps.store
      .finishRun(runId, {
        status: 'failed',
        finishedAt: new Date(deps.clock.now()),
        scopes: tallyScopes([]),
        counts: zeroCounts(),
        callsByApi: {},
        maintenance,
        error: `run failed unexpectedly: ${errorSummary(err)}`,
      })
      .catch(() => {});
    run.stopTimers.abort();
    throw err;
  }
  return finish(deps, run, { startedAt, reports, rules, aborted: given.signal?.aborted === true });
}

/**
 * Each scope's ETA on its credential's shared budget (shared-eta.ts), in the reports and the
 * ledger: a scope's own pending images alone would promise minutes where its budget needs hours.
 */
async function shareBudgetEtas(
  deps: EngineDeps,
  runId: string,
  pairs: readonly { target: TargetConfig; scope: Scope }[],
  reports: ScopeReport[],
  log: Logger,
): Promise<ScopeReport[]> {
  const shared = withSharedEtas(deps, pairs, reports);
  if (shared.changed.length > 0) {
    await deps.store
      .recordScopeEtas(
        runId,
        shared.changed.map((r) => ({ scope: r.scope, etaSeconds: r.etaSeconds })),
      )
      .catch((err: unknown) => {
        log.warn({ err: errorSummary(err) }, "could not record the scopes' shared ETA");
      });
  }
  return shared.reports;
}

/** The run's shared state: limiters, retry budget, signals, the API board, the drill-down. */
function prepareRun(deps: EngineDeps, given: RunOptions, runId: string, log: Logger) {
  const live: LiveScopes = new Map();
  const targetsByName = new Map(deps.targets.map((t) => [t.name, t]));
  const board = new ApiBoard((name, api) => {
    const target = targetsByName.get(name);
    return target ? deps.rateFor(target, api) : 1;
  });
  // Every event carries the per-API board, so the progress bar and lines can show it.
  const onProgress = given.onProgress;
  const opts: RunOptions = onProgress
    ? { ...given, onProgress: (e) => onProgress({ ...e, apis: board.snapshot() }) }
    : given;
  const onAnyCall = (target: TargetConfig, scope: Scope, e: CallEvent) => {
    board.called(target.name, e.api);
    deps.observer?.onCall?.(scope, e);
    deps.observer?.onApiBacklog?.(board.snapshot());
  };
  // One limiter for the whole run, so "configured concurrency" means calls in flight, all scopes together.
  const limiter = createLimiter(deps.settings.fetchConcurrency);
  // One retry budget for the whole run: an outage cannot multiply the run's calls.
  const retryBudget = new RetryBudget(deps.settings.retryBudget);
  // The deadline, a signal driven by the injected clock, stops the run from starting calls; a
  // call already sent is answered and kept (CallOptions.inFlightSignal).
  const stopTimers = new AbortController();
  allowManyListeners(stopTimers.signal);
  const deadline = deadlineSignal(deps.clock, opts.deadlineMs, stopTimers.signal);
  const callSignal = abortOnAny(deadline, opts.signal);
  const startMs = deps.clock.now();
  const every = deps.progressLogIntervalMs ?? PROGRESS_LOG_INTERVAL_MS;
  void logProgress(deps, { live, board, runId, startMs }, log, every, stopTimers.signal);

  // At most scopeConcurrency scopes at once: each holds a lock connection (a connection of the
  // lock pool, sized for it) while it runs. Summaries queue at high priority, drill-downs
  // deferred until every scope's summaries have started at low priority.
  const scopeLimiter = createLimiter(Math.max(1, deps.settings.scopeConcurrency));
  const mode = deps.settings.ruleDetail;
  const drill =
    mode === 'off'
      ? null
      : new RunDrill({
          mode,
          ruleValues: deps.settings.ruleValues ?? 'all',
          cicdSummaries: deps.settings.cicdSummaries,
          runId,
          clientFor: deps.clientFor,
          store: deps.store,
          clock: deps.clock,
          concurrency: deps.settings.fetchConcurrency,
          retryBudget,
          board,
          onCall: (target, scope, e) => {
            onAnyCall(target, scope, e);
            opts.onProgress?.({ scope: scopeLabel(scope), phase: 'rules', done: 0, total: 0 });
          },
          scopeLimiter,
          lockScope: (scope) =>
            deps.lockScope ? deps.lockScope(scope) : Promise.resolve({ release: async () => {} }),
          callSignal,
          inFlightSignal: opts.signal,
          log,
        });
  const context: RunContext & { stopTimers: AbortController } = {
    runId,
    live,
    limiter,
    retryBudget,
    deadline,
    callSignal,
    inFlightSignal: opts.signal,
    opts,
    log,
    board,
    onAnyCall,
    drill,
    scopeLimiter,
    stopTimers,
  };
  return context;
}

type RunEnd = { startedAt: Date; reports: ScopeReport[]; rules: DrillPhase | null; aborted: boolean };

/** The run's counts and calls per API: every scope's and the drill-down's. */
function sumRun(reports: readonly ScopeReport[], rules: DrillPhase | null) {
  const counts = zeroCounts();
  const callsByApi: Record<string, number> = {};
  if (rules) {
    addCalls(callsByApi, rules.callsByApi);
    counts.apiCalls += rules.apiCalls;
    counts.throttled += rules.throttled;
    counts.retries += rules.retries;
  }
  for (const s of reports) {
    addCounts(counts, s.counts);
    addCalls(callsByApi, s.callsByApi);
  }
  return { counts, callsByApi };
}

/** The warnings of the run's end: rule drill-down left over, empty targets, shared failures, retry budget spent. */
function logRunWarnings(
  run: ReturnType<typeof prepareRun>,
  rules: DrillPhase | null,
  problems: readonly string[],
  warnings: readonly string[],
): void {
  const { log } = run;
  if (rules && rules.problems.length > 0) {
    // Rule problems do not change the run's status (the summaries decide it): the ledger's
    // rule_images_pending and this line say what is left.
    log.warn(
      { problems: rules.problems.slice(0, 20), ruleImagesPending: rules.counts.ruleImagesPending },
      'rule drill-down incomplete; what is left stays due for the next run',
    );
  }
  for (const w of warnings) log.warn({ warning: w }, 'every scope of a target listed 0 images');
  for (const p of problems.filter((x) => x.startsWith('target '))) {
    log.error({ err: p }, 'several scopes of a target failed the same way');
  }
  if (run.retryBudget.refusedCount > 0) {
    log.warn(
      { retries: run.retryBudget.used, refused: run.retryBudget.refusedCount },
      "the run's retry budget was spent: later failures were not retried",
    );
  }
}

/** The run's summary line. */
function logRunFinished(
  run: ReturnType<typeof prepareRun>,
  r: RunEnd,
  report: RunReport,
  apiBacklog: ApiBacklog[],
): void {
  const { rules } = r;
  const { status, counts, coverage, finishedAt } = report;
  run.log.info(
    {
      status,
      skipped: r.reports.filter((s) => s.status === 'skipped').length,
      ...counts,
      ...(rules?.counts ?? {}),
      ...(rules
        ? { ruleValuesFetched: rules.ruleValuesFetched, ruleRowsSetAside: rules.ruleRowsSetAside }
        : {}),
      ...(coverage ? { coverage } : {}),
      apis: backlogFields(apiBacklog),
      catchUpSeconds: catchUpSeconds(apiBacklog),
      durationMs: finishedAt.getTime() - r.startedAt.getTime(),
    },
    'sync run finished',
  );
}

/** The run's end: its outcome (pure), the maintenance phase, the ledger row, the logs, the report. */
async function finish(deps: EngineDeps, run: ReturnType<typeof prepareRun>, r: RunEnd): Promise<RunReport> {
  const { log, runId } = run;
  const { startedAt, reports, rules, aborted } = r;
  const { counts, callsByApi } = sumRun(reports, rules);
  const tally = tallyScopes(reports.map((s) => s.status));
  const status = runStatus(tally, aborted);
  // A failure shared by every scope of a target is written once; a target whose every scope
  // listed 0 images gets a warning (a wrong project id looks like an empty project).
  const { problems, warnings } = diagnoseRun(deps.targets, reports);
  const error = runError(aborted, problems, warnings);
  const apiBacklog = run.board.snapshot();
  // The progress line speaks of fetching: it ends with the scopes and the drill-down. The
  // maintenance logs its own start and end, and the run lasts until its row is closed.
  run.stopTimers.abort();
  const maintenance: MaintenanceReport | undefined = maintains(status)
    ? await runMaintenance(deps, log)
    : undefined;
  const coverage = await countCoverage(deps, reports, aborted, log);
  const finishedAt = new Date(deps.clock.now());
  const optional = {
    ...(rules ? { ruleCounts: rules.counts } : {}),
    ...(maintenance ? { maintenance } : {}),
    ...(coverage ? { coverage } : {}),
  };
  const outcome: RunOutcome = {
    status,
    finishedAt,
    scopes: tally,
    counts,
    callsByApi,
    apiBacklog,
    error,
    ...optional,
  };
  await deps.store.finishRun(runId, outcome);
  logRunWarnings(run, rules, problems, warnings);
  const report: RunReport = {
    runId,
    status,
    startedAt,
    finishedAt,
    counts,
    callsByApi,
    scopes: reports,
    error,
    warnings,
    ...(rules ? { ruleCounts: rules.counts } : {}),
    apiBacklog,
    ...(maintenance ? { maintenance } : {}),
    ...(coverage ? { coverage } : {}),
  };
  logRunFinished(run, r, report, apiBacklog);
  deps.observer?.onApiBacklog?.(apiBacklog);
  deps.observer?.onRunFinished?.(report);
  return report;
}

/**
 * Current images per coverage state in the scopes this run synced (not those skipped because
 * another worker held them), after every write of the run: what the ledger, `status` and the
 * summary line report. Counted whether or not a scope's inventory was complete: the counts say
 * what is stored, and `pending` says what is left. Not counted for an aborted run (it must end
 * within seconds) nor when no scope was synced. Its failure leaves the run as it is (a warning;
 * no coverage recorded).
 */
async function countCoverage(
  deps: EngineDeps,
  reports: readonly ScopeReport[],
  aborted: boolean,
  log: Logger,
): Promise<CoverageCounts | undefined> {
  const scopes = reports.filter((s) => s.status !== 'skipped').map((s) => s.scope);
  if (aborted || scopes.length === 0) return undefined;
  try {
    return await deps.store.countCoverage(scopes);
  } catch (err) {
    log.warn({ err: errorSummary(err) }, 'could not count coverage; the run is recorded without it');
    return undefined;
  }
}
