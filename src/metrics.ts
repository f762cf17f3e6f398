/**
 * Prometheus metrics of the daemon, all named `hss_sync_*`, on a Registry this module creates (no
 * global default registry: two apps in one process, as in tests, never share counters). Fed by
 * the engine's SyncObserver events and, at scrape time, by the pacer's per-key snapshot.
 */
import { createHash } from 'node:crypto';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { type Clock, systemClock } from './clock.js';
import { COVERAGE_STATES, type CoverageCounts, type Scope } from './domain.js';
import { isThrottled } from './errors.js';
import type { PacerKeySnapshot } from './hss/pacer.js';
import type { CallEvent } from './hss/types.js';
import {
  apiMetrics,
  METRIC_PREFIX,
  type Registers,
  runMetrics,
  schedulerMetrics,
  scopeLabels,
} from './metric-definitions.js';
import type { ApiBacklog } from './sync/api-board.js';
import type { RunReport, ScopeReport, SyncObserver } from './sync/engine.js';

export { METRIC_PREFIX };

export interface MetricsOptions {
  clock?: Clock;
  /** The window HSS counts calls in, for `api_budget_remaining`. Default 60 000 ms. */
  windowMs?: number;
  /** Adds Node.js process metrics (`hss_sync_process_*`, `hss_sync_nodejs_*`). Default true. */
  processMetrics?: boolean;
}

/** What the daemon needs from the pacer: its per-key counters. */
export interface PacerLike {
  snapshot(): PacerKeySnapshot[];
}

export interface SyncMetrics {
  readonly registry: Registry;
  /** Pass to createApp: counts runs, scopes, calls and rows as the engine reports them. */
  readonly observer: Required<SyncObserver>;
  /** From now on, every scrape reports this pacer's rate, budget left and waiting callers per key. */
  watchPacer(pacer: PacerLike): void;
  /** The scheduler's next run (null: none scheduled). */
  setNextRun(at: Date | null): void;
  /** A scheduled tick found a run still in progress and was skipped. */
  tickSkipped(): void;
  /** A run threw before it could record an outcome (say, the database went away). */
  runCrashed(): void;
}

/**
 * A credential as a metric label: a short hash, so an access key ID or account/user name is not
 * published on an unauthenticated endpoint, while keys stay distinguishable.
 */
export function credentialLabel(credentialId: string): string {
  return createHash('sha256').update(credentialId).digest('hex').slice(0, 12);
}

/**
 * How many calls of one pacer key started within the last window, from samples of its running
 * `callsStarted` total taken at call events and scrapes. The count is an upper bound: calls that
 * started before the window but were sampled after its start count as inside, so the budget
 * derived from it errs on the low side.
 */
export class StartWindow {
  /** [time, total] samples, oldest first; the oldest is the last one at or before the window. */
  private samples: [number, number][] = [];

  record(now: number, total: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && last[1] === total) return;
    this.samples.push([now, total]);
  }

  /** Calls started in (now - windowMs, now], given the total now. */
  startedWithin(now: number, windowMs: number, total: number): number {
    this.record(now, total);
    const edge = now - windowMs;
    // Drop samples older than the newest one at or before the edge: it is the base of the count.
    let base = -1;
    for (let i = 0; i < this.samples.length; i++) if (this.samples[i]![0] <= edge) base = i;
    if (base > 0) this.samples = this.samples.slice(base);
    const baseTotal = base >= 0 ? this.samples[0]![1] : 0;
    return Math.max(0, total - baseTotal);
  }
}

type RunMetrics = ReturnType<typeof runMetrics>;
type ApiMetrics = ReturnType<typeof apiMetrics>;

/**
 * The pacer watched by the metrics: its per-key start windows, sampled at call events and
 * scrapes, and the three per-key gauges, reset and refilled at each scrape (every key is labelled).
 */
class PacerWatch {
  pacer: PacerLike | null = null;
  private readonly windows = new Map<string, StartWindow>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  private windowOf(k: PacerKeySnapshot): StartWindow {
    const key = `${k.credentialId}\u0000${k.api}`;
    let w = this.windows.get(key);
    if (!w) {
      w = new StartWindow();
      this.windows.set(key, w);
    }
    return w;
  }

  sample(): void {
    if (!this.pacer) return;
    const now = this.clock.now();
    for (const k of this.pacer.snapshot()) this.windowOf(k).record(now, k.callsStarted);
  }

  /** Calls the pacer could still start on each key in the current window. */
  remaining(k: PacerKeySnapshot, now: number): number {
    return Math.max(0, k.ratePerMinute - this.windowOf(k).startedWithin(now, this.windowMs, k.callsStarted));
  }

  /** A gauge per (credential, API) whose value `valueOf` reads from the pacer at each scrape. */
  gauge(
    registers: Registers,
    n: string,
    help: string,
    read: (k: PacerKeySnapshot, now: number) => number,
  ): void {
    const watch = this;
    new Gauge({
      name: `${METRIC_PREFIX}${n}`,
      help,
      labelNames: ['credential', 'api'],
      registers,
      collect() {
        this.reset();
        if (!watch.pacer) return;
        const now = watch.clock.now();
        for (const k of watch.pacer.snapshot()) {
          this.set({ credential: credentialLabel(k.credentialId), api: k.api }, read(k, now));
        }
      },
    });
  }
}

function pacerGauges(registers: Registers, watch: PacerWatch): void {
  watch.gauge(
    registers,
    'api_budget_remaining',
    'Calls the pacer could still start on this (credential, API) in the current minute.',
    (k, now) => watch.remaining(k, now),
  );
  watch.gauge(
    registers,
    'api_rate_limit_per_minute',
    'Calls per minute the pacer allows on this (credential, API); lowered after 429s.',
    (k) => k.ratePerMinute,
  );
  watch.gauge(
    registers,
    'api_calls_waiting',
    'Calls waiting for the pacer on this (credential, API).',
    (k) => k.waiting,
  );
}

function countScope(m: RunMetrics, clock: Clock, report: ScopeReport): void {
  m.scopeRuns.inc({ status: report.status });
  if (report.status === 'skipped') return;
  const labels = scopeLabels(report.scope);
  m.imagesPending.set(labels, report.counts.imagesPending);
  m.imagesFetched.inc(report.counts.imagesFetched);
  m.imagesRetired.inc(report.counts.imagesRetired);
  m.itemsQuarantined.inc(report.counts.itemsQuarantined);
  m.versions.inc({ change: 'opened' }, report.counts.versionsOpened);
  m.versions.inc({ change: 'closed' }, report.counts.versionsClosed);
  if (report.status === 'succeeded') m.scopeLastSuccess.set(labels, clock.now() / 1000);
}

function countRun(m: RunMetrics, report: RunReport & { coverage?: CoverageCounts }): void {
  m.runsInProgress.dec();
  // The engine counts coverage at the run's end (RunOutcome.coverage); a run that did not
  // count it (aborted) leaves the last counts as they were.
  if (report.coverage) {
    for (const state of COVERAGE_STATES) m.imagesCoverage.set({ state }, report.coverage[state] ?? 0);
  }
  m.runs.inc({ status: report.status });
  const seconds = (report.finishedAt.getTime() - report.startedAt.getTime()) / 1000;
  m.runDuration.observe({ status: report.status }, seconds);
  m.lastRunFinished.set(report.finishedAt.getTime() / 1000);
  if (report.status === 'succeeded') m.lastSuccessfulRun.set(report.finishedAt.getTime() / 1000);
}

function observerOf(
  run: RunMetrics,
  api: ApiMetrics,
  clock: Clock,
  watch: PacerWatch,
): Required<SyncObserver> {
  return {
    onRunStarted() {
      run.runsInProgress.inc();
      for (const g of [api.apiRunCalls, api.apiCallsDue, api.apiCatchUp]) g.reset();
    },
    onApiBacklog(apis: ApiBacklog[]) {
      for (const a of apis) {
        api.apiRunCalls.set({ api: a.api }, a.callsMade);
        api.apiCallsDue.set({ api: a.api }, a.callsDue);
        api.apiCatchUp.set({ api: a.api }, a.catchUpSeconds);
      }
    },
    onCall(_scope: Scope, e: CallEvent) {
      api.calls.inc({ api: e.api, status: String(e.status) });
      api.callDuration.observe({ api: e.api }, e.durationMs / 1000);
      if (isThrottled(e)) api.throttled.inc({ api: e.api });
      if (e.willRetry) api.retries.inc({ api: e.api });
      watch.sample();
    },
    onScopeFinished: (report: ScopeReport) => countScope(run, clock, report),
    onRunFinished: (report: RunReport & { coverage?: CoverageCounts }) => countRun(run, report),
  };
}

/** Builds the registry and every metric; see the module comment. */
export function createMetrics(opts: MetricsOptions = {}): SyncMetrics {
  const clock = opts.clock ?? systemClock;
  const registry = new Registry();
  const registers = [registry];
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const run = runMetrics(registers);
  const api = apiMetrics(registers);
  const scheduler = schedulerMetrics(registers);
  const watch = new PacerWatch(clock, opts.windowMs ?? 60_000);
  pacerGauges(registers, watch);

  // Outcomes that have not happened yet still show as 0, so rate() and alerts see them from the start.
  for (const status of ['succeeded', 'partial', 'failed', 'aborted']) {
    run.runs.inc({ status }, 0);
    run.scopeRuns.inc({ status }, 0);
  }

  return {
    registry,
    observer: observerOf(run, api, clock, watch),
    watchPacer(p) {
      watch.pacer = p;
      watch.sample();
    },
    setNextRun(at) {
      if (at) scheduler.nextRun.set(at.getTime() / 1000);
      else scheduler.nextRun.reset();
    },
    tickSkipped() {
      scheduler.ticksSkipped.inc();
    },
    runCrashed() {
      scheduler.runErrors.inc();
      // Runs of one process never overlap: none is in progress any more.
      run.runsInProgress.set(0);
    },
  };
}
