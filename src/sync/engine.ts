/**
 * One sync run: for every scope, inventory → plan → fetch → write → close, with a ledger row for
 * the run and each scope. Scopes are isolated: one failing scope ends the run `partial`.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { TargetConfig } from '../config/types.js';
import { imageRefKey } from '../db/ref-key.js';
import {
  type ApiName,
  type ImageListing,
  listApiFor,
  type RuleCounts,
  type RuleDetailMode,
  type RunStatus,
  type Scope,
  scopeLabel,
} from '../domain.js';
import {
  AbortedError,
  DbError,
  errorSummary,
  HssAuthError,
  HssCircuitOpenError,
  HssSyncError,
} from '../errors.js';
import { ImageQuarantinedError } from '../hss/quarantine.js';
import { RetryBudget, type RetryBudgetOptions } from '../hss/retry-budget.js';
import type { CallEvent, CallOptions, HssClient, QuarantineEvent } from '../hss/types.js';
import { type ApiBacklog, ApiBoard, catchUpSeconds } from './api-board.js';
import { CallTally } from './call-tally.js';
import { diagnoseRun } from './diagnose.js';
import { type DrillPhase, RunDrill, type ScopeDrillHandle } from './drill-run.js';
import { GroupCommit } from './group-commit.js';
import { writeIsolatingRejects } from './isolate.js';
import { createLimiter, type Limiter } from './limiter.js';
import {
  decideRetirement,
  emptyObservation,
  etaSeconds,
  type FetchTask,
  type InventoryObservation,
  judgeInventory,
  planFetches,
  shouldRepage,
} from './plan.js';
import {
  addCalls,
  addCounts,
  type Counts,
  type ImageResultItem,
  type RunOutcome,
  type ScopeOutcome,
  type SyncStore,
  zeroCounts,
} from './store.js';

/**
 * Every call, pacer wait and backoff in flight listens on the run's signals, so more than
 * Node's default of 10 listeners is expected (each is removed when its wait ends); without
 * this Node prints a "possible EventTarget memory leak" warning on busy runs.
 */
export function manyListeners<T extends AbortSignal>(signal: T, ...more: AbortSignal[]): T {
  setMaxListeners(0, signal, ...more);
  return signal;
}

/** Aborts when any of `signals` does; undefined when none is given. */
function eitherSignal(first: AbortSignal, ...more: (AbortSignal | null | undefined)[]): AbortSignal;
function eitherSignal(...signals: (AbortSignal | null | undefined)[]): AbortSignal | undefined;
function eitherSignal(...signals: (AbortSignal | null | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s != null);
  if (given.length === 0) return undefined;
  // A lone signal (a scope lock's `lost`) is listened to by every call in flight, too.
  return given.length === 1 ? manyListeners(given[0] as AbortSignal) : manyListeners(AbortSignal.any(given));
}

export interface EngineDeps {
  targets: TargetConfig[];
  clientFor(target: TargetConfig): HssClient;
  store: SyncStore;
  clock: Clock;
  newId: () => string;
  logger: Logger;
  /** Calls per minute the pacer allows for an API (for ETA figures). */
  rateFor(target: TargetConfig, api: ApiName): number;
  settings: {
    pageSize: number;
    fetchConcurrency: number;
    /** Scopes synced at once (each holds a lock connection). */
    scopeConcurrency: number;
    maxResultAgeMs: number;
    maxRetireFraction: number;
    allowMassRetire: boolean;
    /** Schema-invalid items a scope may quarantine before it fails. Default 10. */
    maxQuarantinedItems?: number;
    /** The per-run retry budget (see src/hss/retry-budget.ts for the defaults). */
    retryBudget?: RetryBudgetOptions;
    /** The rule drill-down beside the summaries (HSS_RULE_DETAIL). Default 'off'. */
    ruleDetail?: RuleDetailMode;
  };
  /** `host:pid` of this process, for the ledger. */
  worker: string;
  /** Receives events for metrics and progress; every method optional. */
  observer?: SyncObserver;
  /** Interval of the `sync progress` log line. Default 30 s. */
  progressLogIntervalMs?: number;
  /**
   * Takes the per-scope writer lock; returns it, or null when another worker holds the scope
   * (the scope is then skipped). Default: no locking.
   */
  lockScope?(scope: Scope): Promise<HeldScopeLock | null>;
}

/** A scope lock as the engine sees it (src/db/lock.ts ScopeLock fits). */
export interface HeldScopeLock {
  /** Aborted when the lock is lost (its connection failed): the scope's work stops. */
  readonly lost?: AbortSignal;
  release(): Promise<void>;
}

export interface RunOptions {
  trigger: 'cli' | 'schedule' | 'demo' | 'test';
  signal?: AbortSignal;
  /** Stop starting new result fetches this long after the run started. */
  deadlineMs?: number;
  onProgress?(p: ProgressEvent): void;
}

/** Events for metrics; called synchronously, must not throw. */
export interface SyncObserver {
  onRunStarted?(runId: string, trigger: string): void;
  onCall?(scope: Scope, event: CallEvent): void;
  onScopeFinished?(report: ScopeReport, durationMs: number): void;
  onRunFinished?(report: RunReport): void;
  /** Per API: calls made, due and the time to catch up; after every call and at the run's end. */
  onApiBacklog?(apis: ApiBacklog[]): void;
}

export interface ProgressEvent {
  scope: string;
  /** `rules`: a call of the scope's rule drill-down (only `apis` changed). */
  phase: 'inventory' | 'fetch' | 'done' | 'rules';
  done: number;
  total: number;
  /** Per API: calls made, due and the time to catch up, as the event happened. */
  apis?: ApiBacklog[];
}

export interface ScopeReport {
  scope: Scope;
  label: string;
  status: ScopeOutcome['status'] | 'skipped';
  counts: Counts;
  callsByApi: Record<string, number>;
  inventoryComplete: boolean;
  etaSeconds: number;
  error: string | null;
}

export interface RunReport {
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  startedAt: Date;
  finishedAt: Date;
  counts: Counts;
  callsByApi: Record<string, number>;
  scopes: ScopeReport[];
  error: string | null;
  /** Findings that leave the status as it is (diagnose.ts), e.g. a target that listed 0 images. */
  warnings?: string[];
  /** What the rule drill-down did; absent when it was off (or the run was aborted first). */
  ruleCounts?: RuleCounts;
  /** Per API: calls made, calls still due and the time its budget needs to catch up. */
  apiBacklog?: ApiBacklog[];
}

/** Every scope of every target, in config order. */
export function scopesOf(targets: readonly TargetConfig[]): { target: TargetConfig; scope: Scope }[] {
  const out: { target: TargetConfig; scope: Scope }[] = [];
  for (const target of targets) {
    for (const ep of target.enterpriseProjectIds) {
      for (const imageType of target.imageTypes) {
        out.push({
          target,
          scope: { target: target.name, projectId: target.projectId, enterpriseProjectId: ep, imageType },
        });
      }
    }
  }
  return out;
}

/** Consecutive failed fetches after which a scope stops (a breaker per scope). */
const MAX_CONSECUTIVE_FETCH_FAILURES = 5;
/** Default of settings.maxQuarantinedItems. */
const DEFAULT_MAX_QUARANTINED = 10;
/** Hard cap on list pages per scope: offset may not exceed 2,000,000. */
const MAX_OFFSET = 2_000_000;

/** Runs one sync over every configured scope and records it. Never throws for upstream faults. */
export async function runSync(deps: EngineDeps, given: RunOptions): Promise<RunReport> {
  const runId = deps.newId();
  let opts = given;
  const startedAt = new Date(deps.clock.now());
  const log = deps.logger.child({ runId });
  const reaped = await deps.store.reapAbandonedRuns(startedAt);
  if (reaped.length) log.warn({ runIds: reaped }, 'marked runs abandoned by a stopped worker as aborted');
  await deps.store.startRun({ runId, startedAt, trigger: opts.trigger, worker: deps.worker });
  deps.observer?.onRunStarted?.(runId, opts.trigger);
  const pairs = scopesOf(deps.targets);
  log.info({ scopes: pairs.length, trigger: opts.trigger }, 'sync run started');
  const live: LiveScopes = new Map();
  const targetsByName = new Map(deps.targets.map((t) => [t.name, t]));
  const board = new ApiBoard((name, api) => {
    const target = targetsByName.get(name);
    return target ? deps.rateFor(target, api) : 1;
  });
  // Every event carries the per-API board, so the progress bar and lines can show it.
  const onProgress = given.onProgress;
  if (onProgress) opts = { ...given, onProgress: (e) => onProgress({ ...e, apis: board.snapshot() }) };
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
  const deadline = new AbortController();
  const timers = new AbortController();
  if (opts.deadlineMs !== undefined) {
    deps.clock.sleep(opts.deadlineMs, timers.signal).then(
      () => deadline.abort(new AbortedError('run deadline reached')),
      () => {},
    );
  }
  const callSignal = eitherSignal(deadline.signal, opts.signal);
  manyListeners(deadline.signal, timers.signal, callSignal);
  void logProgress(deps, { live, board, runId }, log, startedAt.getTime(), timers.signal);

  // At most scopeConcurrency scopes at once: each holds a lock connection (a connection of the
  // lock pool, sized for it) while it runs. Summaries queue at high priority, drill-downs
  // deferred until every scope's summaries have started at low priority.
  const scopeLimiter = createLimiter(Math.max(1, deps.settings.scopeConcurrency));
  const mode = deps.settings.ruleDetail ?? 'off';
  const drill =
    mode === 'off'
      ? null
      : new RunDrill({
          mode,
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
          either: eitherSignal,
          log,
        });
  const scoped = Promise.all(
    pairs.map(({ target, scope }) =>
      scopeLimiter.run(() =>
        runScope(deps, {
          live,
          runId,
          target,
          scope,
          limiter,
          retryBudget,
          deadline: deadline.signal,
          callSignal,
          inFlightSignal: opts.signal,
          lockLost: null,
          opts,
          log,
          board,
          onAnyCall,
          drill,
          scopeLimiter,
        }),
      ),
    ),
  );
  let reports: ScopeReport[];
  let rules: DrillPhase | null = null;
  try {
    reports = await scoped;
    // Drill-downs deferred for summaries that waited for a slot run last, at low priority.
    await drill?.settled();
    // Off, or SIGTERM before any scope ran: no drill-down figures.
    if (
      drill &&
      !(opts.signal?.aborted && drill.phase.apiCalls === 0 && drill.phase.counts.ruleImagesDue === 0)
    )
      rules = drill.phase;
  } catch (err) {
    timers.abort();
    // Scopes turn faults into statuses; this is a defect. The run still gets its record.
    const error = `run failed unexpectedly: ${errorSummary(err)}`;
    log.error({ err: errorSummary(err) }, 'sync run failed unexpectedly');
    await deps.store
      .finishRun(runId, {
        status: 'failed',
        finishedAt: new Date(deps.clock.now()),
        scopes: { total: 0, succeeded: 0, partial: 0, failed: 0 },
        counts: zeroCounts(),
        callsByApi: {},
        error,
      })
      .catch(() => {});
    throw err;
  }
  timers.abort();

  const counts = zeroCounts();
  const callsByApi: Record<string, number> = {};
  if (rules) {
    addCalls(callsByApi, rules.callsByApi);
    counts.apiCalls += rules.apiCalls;
    counts.throttled += rules.throttled;
    counts.retries += rules.retries;
  }
  const tally = { total: 0, succeeded: 0, partial: 0, failed: 0 };
  for (const r of reports) {
    addCounts(counts, r.counts);
    addCalls(callsByApi, r.callsByApi);
    if (r.status === 'skipped') continue;
    tally.total++;
    if (r.status === 'succeeded') tally.succeeded++;
    else if (r.status === 'failed') tally.failed++;
    else tally.partial++;
  }
  const aborted = opts.signal?.aborted === true;
  let status: RunOutcome['status'];
  if (aborted) status = 'aborted';
  else if (tally.total === 0 || tally.succeeded === tally.total) status = 'succeeded';
  else if (tally.failed === tally.total) status = 'failed';
  else status = 'partial';
  // A failure shared by every scope of a target is written once; a target whose every scope
  // listed 0 images gets a warning (a wrong project id looks like an empty project).
  const { problems, warnings } = diagnoseRun(deps.targets, reports);
  const notes = [...problems, ...warnings.map((w) => `warning: ${w}`)];
  const error = aborted ? 'aborted by signal' : notes.length ? notes.join('; ').slice(0, 2000) : null;
  const finishedAt = new Date(deps.clock.now());
  const skipped = reports.filter((r) => r.status === 'skipped').length;
  const apiBacklog = board.snapshot();
  await deps.store.finishRun(runId, {
    status,
    finishedAt,
    scopes: tally,
    counts,
    callsByApi,
    apiBacklog,
    error,
    ...(rules ? { ruleCounts: rules.counts } : {}),
  });
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
  if (retryBudget.refusedCount > 0) {
    log.warn(
      { retries: retryBudget.used, refused: retryBudget.refusedCount },
      "the run's retry budget was spent: later failures were not retried",
    );
  }
  log.info(
    {
      status,
      skipped,
      ...counts,
      ...(rules?.counts ?? {}),
      apis: backlogFields(apiBacklog),
      catchUpSeconds: catchUpSeconds(apiBacklog),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    },
    'sync run finished',
  );
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
  };
  deps.observer?.onApiBacklog?.(apiBacklog);
  deps.observer?.onRunFinished?.(report);
  return report;
}

/** `{ api: { made, due, catchUpSeconds } }` for log lines. */
function backlogFields(
  apis: readonly ApiBacklog[],
): Record<string, { made: number; due: number; catchUpSeconds: number }> {
  return Object.fromEntries(
    apis.map((a) => [a.api, { made: a.callsMade, due: a.callsDue, catchUpSeconds: a.catchUpSeconds }]),
  );
}

/**
 * Logs `sync progress` (fetched, pending, ETA, and per API calls made, due and the time to catch
 * up) every interval until the run ends, and records the per-API figures in the run's ledger row
 * so `status` shows them while the run goes on.
 */
async function logProgress(
  deps: EngineDeps,
  run: { live: LiveScopes; board: ApiBoard; runId: string },
  log: Logger,
  startMs: number,
  until: AbortSignal,
): Promise<void> {
  const every = deps.progressLogIntervalMs ?? 30_000;
  for (;;) {
    try {
      await deps.clock.sleep(every, until);
    } catch {
      return;
    }
    let fetched = 0;
    let due = 0;
    for (const s of run.live.values()) {
      fetched += s.counts.imagesFetched;
      due += s.due();
    }
    const elapsed = Math.max(1, deps.clock.now() - startMs);
    const pending = Math.max(0, due - fetched);
    const etaSeconds = fetched > 0 ? Math.ceil(((elapsed / fetched) * pending) / 1000) : null;
    const apis = run.board.snapshot();
    log.info(
      {
        scopesInFlight: run.live.size,
        fetched,
        due,
        pending,
        etaSeconds,
        apis: backlogFields(apis),
        catchUpSeconds: catchUpSeconds(apis),
      },
      'sync progress',
    );
    await deps.store.recordRunProgress(run.runId, apis).catch((err: unknown) => {
      log.debug({ err: errorSummary(err) }, 'could not record the run progress');
    });
  }
}

/** Live counters of the scopes in flight, read by the periodic progress line. */
type LiveScopes = Map<string, { counts: Counts; due: () => number }>;

interface ScopeContext {
  live: LiveScopes;
  runId: string;
  target: TargetConfig;
  scope: Scope;
  limiter: Limiter;
  retryBudget: RetryBudget;
  /** Aborted when the run deadline passes. */
  deadline: AbortSignal;
  /** The caller's signal combined with the deadline (and the scope lock's loss): given to every HSS call. */
  callSignal: AbortSignal;
  /** What may abort a call already sent: the caller's signal and the scope lock's loss, not the deadline. */
  inFlightSignal: AbortSignal | undefined;
  /** The scope lock's `lost` signal, once the lock is held. */
  lockLost: AbortSignal | null;
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
  /** The scope's drill-down beside its summaries (set by runScope once the lock is held). */
  scopeDrill?: ScopeDrillHandle | null;
}

/** Why a scope stopped when its lock was lost. */
const LOCK_LOST =
  'the scope lock was lost (its database connection failed): stopped so that only one worker writes the scope';

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

async function runScope(deps: EngineDeps, ctx: ScopeContext): Promise<ScopeReport> {
  const { scope, runId, opts, live } = ctx;
  const label = scopeLabel(scope);
  const log = ctx.log.child({ scope: label });
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
  const lost = lock.lost ?? null;
  // Losing the lock stops the scope's calls like an abort; the status says why.
  const callSignal = eitherSignal(ctx.callSignal, lost);
  const inFlightSignal = eitherSignal(ctx.inFlightSignal, lost);
  // The drill-down runs beside the summaries under the same lock, fed as they are written.
  const scopeDrill = ctx.drill?.forScope(ctx.target, scope, { callSignal, inFlightSignal }) ?? null;
  const scoped: ScopeContext = { ...ctx, lockLost: lost, callSignal, inFlightSignal, scopeDrill };
  try {
    const startedAt = new Date(deps.clock.now());
    try {
      await deps.store.startScopeRun(runId, scope, startedAt);
    } catch (err) {
      log.error({ err: errorSummary(err) }, 'scope failed: could not open its ledger row');
      return emptyScopeReport(scope, 'failed', `could not record the scope: ${errorSummary(err)}`);
    }
    log.info('scope started');
    const observer = deps.observer;
    const tally = new CallTally((e) => ctx.onAnyCall(ctx.target, scope, e));
    const counts = zeroCounts();
    const quarantine = new QuarantineTally(deps.settings.maxQuarantinedItems ?? DEFAULT_MAX_QUARANTINED);
    live.set(label, { counts, due: () => counts.imagesDue });
    const result = await syncScope(deps, scoped, tally, counts, quarantine, log).catch(
      (err: unknown): ScopeResult => {
        if (opts.signal?.aborted)
          return { status: 'aborted', inventoryComplete: false, error: 'aborted by signal' };
        if (lost?.aborted) return { status: 'failed', inventoryComplete: false, error: LOCK_LOST };
        return { status: 'failed', inventoryComplete: false, error: errorSummary(err) };
      },
    );
    counts.apiCalls = tally.apiCalls;
    counts.throttled = tally.throttled;
    counts.retries = tally.retries;
    counts.itemsQuarantined = quarantine.items;
    const eta = etaSeconds(counts.imagesPending, deps.rateFor(ctx.target, 'ListImageRiskConfigs'));
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
      await deps.store.finishScopeRun(runId, scope, outcome);
    } catch (err) {
      // What was written stays written; the run's own record still says how the scope ended.
      log.error({ err: errorSummary(err) }, 'could not record the end of the scope');
    }
    const line = { status: outcome.status, ...counts, etaSeconds: eta, error: outcome.error };
    if (outcome.status === 'succeeded') log.info(line, 'scope finished');
    else log.warn(line, 'scope finished');
    opts.onProgress?.({ scope: label, phase: 'done', done: counts.imagesFetched, total: counts.imagesDue });
    live.delete(label);
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
    observer?.onScopeFinished?.(report, outcome.finishedAt.getTime() - startedAt.getTime());
    if (scopeDrill) {
      // The summaries are done and recorded. The drill-down goes on in this slot unless
      // summaries of other scopes wait for one (it then yields and runs later, at low priority).
      const how =
        outcome.status === 'failed' || outcome.status === 'aborted'
          ? 'stop'
          : ctx.scopeLimiter.waitingHigh > 0
            ? 'yield'
            : 'finish';
      await scopeDrill.end(how).catch((err: unknown) => {
        log.warn({ err: errorSummary(err) }, 'rule drill-down failed');
      });
    }
    return report;
  } finally {
    await lock.release().catch((err: unknown) => {
      log.warn({ err: errorSummary(err) }, 'could not release the scope lock cleanly');
    });
  }
}

/** Schema-invalid items of one scope: counted, the first kept for the reason, a limit. */
class QuarantineTally {
  items = 0;
  private first: QuarantineEvent | null = null;
  constructor(readonly limit: number) {}
  readonly onQuarantine = (e: QuarantineEvent) => {
    this.items++;
    this.first ??= e;
  };
  get overLimit(): boolean {
    return this.items > this.limit;
  }
  describe(): string {
    const f = this.first;
    const where = f
      ? ` (first: ${f.api}${f.imageId ? ` image ${f.imageId}` : ''} position ${f.position}${f.requestId ? ` request_id=${f.requestId}` : ''}: ${f.problem})`
      : '';
    return `${this.items} schema-invalid item(s) quarantined${where}`;
  }
}

interface ScopeResult {
  status: ScopeOutcome['status'];
  inventoryComplete: boolean;
  error: string | null;
}

async function syncScope(
  deps: EngineDeps,
  ctx: ScopeContext,
  tally: CallTally,
  counts: Counts,
  quarantine: QuarantineTally,
  log: Logger,
): Promise<ScopeResult> {
  const { scope, runId, opts } = ctx;
  const client = deps.clientFor(ctx.target);
  const label = scopeLabel(scope);
  const problems: string[] = [];
  const callOptions: CallOptions = {
    signal: ctx.callSignal,
    inFlightSignal: ctx.inFlightSignal,
    onCall: tally.onCall,
    retryBudget: ctx.retryBudget,
    onQuarantine: quarantine.onQuarantine,
  };

  // 1. Inventory: every page of the list API (twice when the first pass was inconsistent).
  let pagesLeft = 1;
  const listDue = ctx.board.track(ctx.target.name, listApiFor(scope.imageType), () => pagesLeft);
  const inv = await listAll(client, deps.settings.pageSize, ctx, callOptions, log, (left) => {
    pagesLeft = left;
  });
  listDue.freeze(inv.error ? pagesLeft : 0);
  const verdict = judgeInventory(inv.observation);
  counts.imagesListed = inv.refs.length;
  const at = new Date(deps.clock.now());
  await deps.store.upsertImageRefs(scope, inv.refs, at);
  await deps.store.recordScopeInventory(scope, runId, at, {
    complete: verdict.complete,
    imageCount: inv.refs.length,
  });
  if (!verdict.complete) problems.push(`inventory incomplete: ${verdict.reason}`);
  if (inv.error) throw inv.error;
  if (quarantine.overLimit) {
    return {
      status: 'failed',
      inventoryComplete: verdict.complete,
      error: `too many schema-invalid answers (more than ${quarantine.limit}): ${quarantine.describe()}`,
    };
  }

  // 2. Plan against what is stored.
  const stored = await deps.store.loadContentStates(scope);
  const plan = planFetches({
    inventory: inv.refs,
    stored,
    nowMs: deps.clock.now(),
    maxResultAgeMs: deps.settings.maxResultAgeMs,
  });
  counts.imagesDistinct = plan.contents.length;
  counts.imagesDue = plan.tasks.length;
  const summariesDue = ctx.board.track(
    ctx.target.name,
    'ListImageRiskConfigs',
    () => plan.tasks.length - counts.imagesFetched,
  );
  // Images due for rules from earlier runs start now; those refetched here come once written.
  ctx.scopeDrill?.planned(new Set(plan.tasks.map((t) => t.imageId)));
  log.info(
    {
      listed: inv.refs.length,
      distinct: plan.contents.length,
      due: plan.tasks.length,
      notScanned: plan.notScanned.length,
    },
    'scope planned',
  );

  // Retire on proof only.
  const listed = new Set(plan.contents.map((c) => c.imageId));
  const storedPresent = [...stored.entries()].filter(([, s]) => s.removedAt === null).map(([id]) => id);
  const retire = decideRetirement({
    verdict,
    storedPresent,
    listed,
    maxFraction: deps.settings.maxRetireFraction,
    allowMassRetire: deps.settings.allowMassRetire,
  });
  if (retire.blockedReason && verdict.complete) problems.push(retire.blockedReason);
  if (verdict.complete && !retire.blockedReason) {
    const r = await deps.store.retireContents(scope, runId, at, {
      missingImageIds: retire.retire,
      presentRefKeys: inv.refs.map(imageRefKey),
    });
    counts.imagesRetired = r.contentsRetired;
    counts.versionsClosed += r.versionsClosed;
  }

  // 3 + 4. Fetch due contents and write each as it arrives (group commit, one transaction per batch).
  // An image whose results the database refuses is left out of its batch, never the batch.
  const refused = { images: 0, first: null as string | null };
  const writer = new GroupCommit<ImageResultItem>({
    write: async (batch) => {
      const at = new Date(deps.clock.now());
      const w = await writeIsolatingRejects(batch, (items) => deps.store.writeImageResults(runId, at, items));
      for (const r of w.results) {
        counts.versionsOpened += r.versionsOpened;
        counts.versionsClosed += r.versionsClosed;
      }
      for (const item of w.written) {
        if (item.outcome === 'fetched') counts.imagesFetched++;
        else counts.imagesNotScanned++;
      }
      for (const { item, error } of w.rejected) {
        refused.images++;
        refused.first ??= `image ${item.imageId}: ${errorSummary(error)}`;
        log.warn(
          { imageId: item.imageId, err: errorSummary(error) },
          "the database refused an image's results; the image is left as it was and stays due",
        );
      }
      // Written: their rule drill-down may start at once (it does not wait for the scope).
      ctx.scopeDrill?.written(w.written.filter((i) => i.outcome === 'fetched').map((i) => i.imageId));
    },
  });
  for (const n of plan.notScanned) {
    await writer.add({ scope, imageId: n.imageId, signal: n.signal, outcome: 'not_scanned', results: [] });
  }

  const fetch = await fetchAll(
    client,
    plan.tasks,
    ctx,
    callOptions,
    quarantine,
    writer,
    log,
    label,
    deps.settings.fetchConcurrency,
  );
  await writer.drain();
  counts.imagesPending = plan.tasks.length - counts.imagesFetched;
  summariesDue.freeze(counts.imagesPending);
  if (fetch.failed > 0) problems.push(`${fetch.failed} image(s) failed to fetch: ${fetch.firstError}`);
  if (quarantine.items > 0) problems.push(quarantine.describe());
  if (refused.images > 0) {
    problems.push(
      `${refused.images} image(s) refused by the database, left pending (first: ${refused.first})`,
    );
  }
  if (fetch.fatal) problems.push(fetch.fatal);
  if (ctx.deadline.aborted && counts.imagesPending > 0) {
    problems.push(
      `run deadline reached with ${counts.imagesPending} image(s) pending; they come first next run`,
    );
  }

  if (opts.signal?.aborted)
    return { status: 'aborted', inventoryComplete: verdict.complete, error: 'aborted by signal' };
  if (ctx.lockLost?.aborted) {
    return {
      status: 'failed',
      inventoryComplete: verdict.complete,
      error: [LOCK_LOST, ...problems].join('; '),
    };
  }
  if (fetch.fatal)
    return {
      status: 'failed',
      inventoryComplete: verdict.complete,
      error: problems.join('; ').slice(0, 2000),
    };
  return {
    status: problems.length === 0 ? 'succeeded' : 'partial',
    inventoryComplete: verdict.complete,
    error: problems.length ? problems.join('; ').slice(0, 2000) : null,
  };
}

interface Inventory {
  refs: ImageListing[];
  observation: InventoryObservation;
  /** Set when a page failed: what was listed is kept but nothing may be retired. */
  error: unknown;
}

/**
 * Lists the scope. When the first pass is inconsistent (total_num moved, rows repeated, pages
 * came short) it pages once more: a listing that changed underneath usually reads clean the
 * second time. The second pass decides; if it is not clean either, every reference seen in
 * either pass is kept (keyed by imageRefKey, so never twice) and the inventory stays incomplete.
 */
async function listAll(
  client: HssClient,
  pageSize: number,
  ctx: ScopeContext,
  callOptions: CallOptions,
  log: Logger,
  onPagesLeft: (left: number) => void,
): Promise<Inventory> {
  const first = await listPass(client, pageSize, ctx, callOptions, onPagesLeft);
  if (first.error) return first;
  const verdict = judgeInventory(first.observation);
  if (!shouldRepage(first.observation, verdict)) return first;
  log.warn({ reason: verdict.reason }, 'image list inconsistent while paging; paging the scope once more');
  const second = await listPass(client, pageSize, ctx, callOptions, onPagesLeft);
  if (!second.error && judgeInventory(second.observation).complete) return second;
  const union = new Map<string, ImageListing>();
  for (const row of [...first.refs, ...second.refs]) union.set(imageRefKey(row), row);
  if (second.error && !ctx.callSignal.aborted) {
    // The extra pass was a bonus: its failure leaves the first pass's (incomplete) verdict.
    log.warn({ err: errorSummary(second.error) }, 'second pass over the image list failed');
    return { refs: [...union.values()], observation: first.observation, error: null };
  }
  return { refs: [...union.values()], observation: second.observation, error: second.error };
}

/** One pass over every page of the scope's list API. */
async function listPass(
  client: HssClient,
  pageSize: number,
  ctx: ScopeContext,
  callOptions: CallOptions,
  onPagesLeft: (left: number) => void,
): Promise<Inventory> {
  const { scope } = ctx;
  const byKey = new Map<string, ImageListing>();
  const obs = emptyObservation();
  let offset = 0;
  let error: unknown = null;
  const label = scopeLabel(scope);
  try {
    for (;;) {
      const page = await ctx.limiter.run(() => client.listImagesPage(scope, offset, pageSize, callOptions));
      if (obs.firstTotal === null) obs.firstTotal = page.totalNum;
      obs.lastTotal = page.totalNum;
      obs.rowsReceived += page.rows.length;
      obs.itemsSetAside += page.itemsReceived - page.rows.length;
      for (const row of page.rows) byKey.set(imageRefKey(row), row);
      // Paging advances by the items HSS sent, those set aside included: advancing by the rows
      // kept would read the page's last items again (and count them as duplicates).
      offset += page.itemsReceived;
      onPagesLeft(Math.ceil(Math.max(0, page.totalNum - offset) / pageSize));
      ctx.opts.onProgress?.({ scope: label, phase: 'inventory', done: offset, total: page.totalNum });
      if (page.itemsReceived === 0 || offset >= page.totalNum) {
        obs.allPagesFetched = offset >= page.totalNum;
        break;
      }
      if (page.itemsReceived < pageSize) obs.shortPages++;
      if (offset > MAX_OFFSET) {
        obs.hitOffsetCap = true;
        break;
      }
    }
  } catch (err) {
    error = err;
  }
  obs.distinctReferences = byKey.size;
  return { refs: [...byKey.values()], observation: obs, error };
}

interface FetchSummary {
  failed: number;
  firstError: string | null;
  /** A reason that stops the whole scope (auth, breaker). */
  fatal: string | null;
}

/**
 * Fetches the due images with `concurrency` workers and hands each result to the writer. An
 * image whose fetch failed transiently (its retries spent) gets one more try after the others:
 * by then a burst of errors or throttling has usually passed.
 */
async function fetchAll(
  client: HssClient,
  tasks: FetchTask[],
  ctx: ScopeContext,
  callOptions: CallOptions,
  quarantine: QuarantineTally,
  writer: GroupCommit<ImageResultItem>,
  log: Logger,
  label: string,
  concurrency: number,
): Promise<FetchSummary> {
  const summary: FetchSummary = { failed: 0, firstError: null, fatal: null };
  const { opts, scope } = ctx;
  let consecutiveFailures = 0;
  let done = 0;
  let firstDeferred: string | null = null;
  const stop = () => summary.fatal !== null || ctx.callSignal.aborted;

  const round = async (queue: readonly FetchTask[], lastChance: boolean): Promise<FetchTask[]> => {
    const again: FetchTask[] = [];
    let next = 0;
    const worker = async () => {
      while (!stop()) {
        const task = queue[next++];
        if (!task) break;
        try {
          const results = await ctx.limiter.run(() => {
            if (stop()) throw new AbortedError('stopped before the call');
            return client.listRiskConfigs(scope, task.imageId, callOptions);
          });
          consecutiveFailures = 0;
          await writer.add({
            scope,
            imageId: task.imageId,
            signal: task.signal,
            outcome: 'fetched',
            results,
          });
          done++;
          opts.onProgress?.({ scope: label, phase: 'fetch', done, total: tasks.length });
        } catch (err) {
          if (err instanceof AbortedError || ctx.callSignal.aborted) break;
          if (err instanceof ImageQuarantinedError) {
            // HSS answered; the answer was unusable for this image only. It stays pending.
            if (quarantine.overLimit) {
              summary.fatal = `too many schema-invalid answers (more than ${quarantine.limit}): stopped`;
            }
            continue;
          }
          if (err instanceof HssAuthError || err instanceof HssCircuitOpenError) {
            summary.fatal = errorSummary(err);
            break;
          }
          if (err instanceof DbError) {
            // The writer cannot write: fetching more would only spend calls on results that are lost.
            summary.fatal = `writing results failed: ${errorSummary(err)}`;
            break;
          }
          if (++consecutiveFailures >= MAX_CONSECUTIVE_FETCH_FAILURES) {
            summary.fatal = `stopped after ${consecutiveFailures} consecutive failed fetches; last: ${errorSummary(err)}`;
          }
          if (!lastChance && err instanceof HssSyncError && err.retryable) {
            log.info(
              { imageId: task.imageId, err: errorSummary(err) },
              'image fetch failed; trying it again later',
            );
            again.push(task);
            firstDeferred ??= errorSummary(err);
            continue;
          }
          summary.failed++;
          summary.firstError ??= errorSummary(err);
          log.warn({ imageId: task.imageId, err: errorSummary(err) }, 'image fetch failed');
          if (!(err instanceof HssSyncError)) throw err;
        }
      }
    };
    // As many workers per scope as the run's limiter admits; the limiter bounds concurrency across scopes.
    await Promise.all(Array.from({ length: Math.min(queue.length, concurrency) }, worker));
    return again;
  };

  const again = await round(tasks, false);
  if (again.length > 0 && !stop()) await round(again, true);
  else if (again.length > 0) {
    // Stopped before the second try: those images are pending like any other unfetched one.
    summary.failed += again.length;
    summary.firstError ??= firstDeferred;
  }
  return summary;
}
