/**
 * Prometheus metrics of the daemon, all named `hss_sync_*`, on a Registry this module creates (no
 * global default registry: two apps in one process, as in tests, never share counters). Fed by
 * the engine's SyncObserver events and, at scrape time, by the pacer's per-key snapshot.
 */
import { createHash } from 'node:crypto';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type Clock, systemClock } from './clock.js';
import { COVERAGE_STATES, type CoverageCounts, type Scope } from './domain.js';
import { isThrottled } from './errors.js';
import type { PacerKeySnapshot } from './hss/pacer.js';
import type { CallEvent } from './hss/types.js';
import type { ApiBacklog } from './sync/api-board.js';
import type { RunReport, ScopeReport, SyncObserver } from './sync/engine.js';

export const METRIC_PREFIX = 'hss_sync_';

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

const SCOPE_LABELS = ['target', 'project_id', 'enterprise_project_id', 'image_type'] as const;
type ScopeLabels = Record<(typeof SCOPE_LABELS)[number], string>;

function scopeLabels(s: Scope): ScopeLabels {
  return {
    target: s.target,
    project_id: s.projectId,
    enterprise_project_id: s.enterpriseProjectId,
    image_type: s.imageType,
  };
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

/** Builds the registry and every metric; see the module comment. */
export function createMetrics(opts: MetricsOptions = {}): SyncMetrics {
  const clock = opts.clock ?? systemClock;
  const windowMs = opts.windowMs ?? 60_000;
  const registry = new Registry();
  const registers = [registry];
  const name = (n: string) => `${METRIC_PREFIX}${n}`;
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  const runs = new Counter({
    name: name('runs_total'),
    help: 'Sync runs finished, by outcome (succeeded, partial, failed, aborted).',
    labelNames: ['status'],
    registers,
  });
  const runsInProgress = new Gauge({
    name: name('runs_in_progress'),
    help: 'Sync runs in progress in this process (0 or 1).',
    registers,
  });
  const runDuration = new Histogram({
    name: name('run_duration_seconds'),
    help: 'Duration of finished sync runs, by outcome.',
    labelNames: ['status'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600],
    registers,
  });
  const lastRunFinished = new Gauge({
    name: name('last_run_finished_timestamp_seconds'),
    help: 'When the last sync run finished (any outcome), Unix time.',
    registers,
  });
  const lastSuccessfulRun = new Gauge({
    name: name('last_successful_run_timestamp_seconds'),
    help: 'When the last sync run that succeeded finished, Unix time.',
    registers,
  });
  const scopeRuns = new Counter({
    name: name('scope_runs_total'),
    help: 'Scope runs finished, by outcome (succeeded, partial, failed, aborted, skipped).',
    labelNames: ['status'],
    registers,
  });
  const scopeLastSuccess = new Gauge({
    name: name('scope_last_success_timestamp_seconds'),
    help: 'When the scope last finished a run with outcome succeeded, Unix time.',
    labelNames: SCOPE_LABELS,
    registers,
  });
  const imagesPending = new Gauge({
    name: name('images_pending'),
    help: 'Images of the scope that were due for a refresh but not fetched in its last run.',
    labelNames: SCOPE_LABELS,
    registers,
  });
  const imagesCoverage = new Gauge({
    name: name('images_coverage'),
    help: 'Current images of the synced scopes per coverage state (covered, not_scanned, scan_failed, no_results, inconsistent, pending; docs/sql.md "Coverage"), as the last run that counted them left them.',
    labelNames: ['state'],
    registers,
  });
  const imagesFetched = new Counter({
    name: name('images_fetched_total'),
    help: 'Images whose baseline results were fetched and written.',
    registers,
  });
  const imagesRetired = new Counter({
    name: name('images_retired_total'),
    help: 'Images marked removed because a complete inventory no longer listed them.',
    registers,
  });
  const itemsQuarantined = new Counter({
    name: name('items_quarantined_total'),
    help: 'Schema-invalid listing items and results skipped (logged with their request id) instead of stored.',
    registers,
  });
  const versions = new Counter({
    name: name('history_versions_total'),
    help: 'Rows written to hss.image_baseline_history: versions opened (new values) and closed.',
    labelNames: ['change'],
    registers,
  });
  const calls = new Counter({
    name: name('api_calls_total'),
    help: 'HTTP attempts to HSS by API and HTTP status (0 = no answer: network error or timeout).',
    labelNames: ['api', 'status'],
    registers,
  });
  const throttled = new Counter({
    name: name('api_throttled_total'),
    help: 'HSS answers 429 / APIGW.0308 (rate limit), by API.',
    labelNames: ['api'],
    registers,
  });
  const retries = new Counter({
    name: name('api_retries_total'),
    help: 'HSS attempts that failed and were retried, by API.',
    labelNames: ['api'],
    registers,
  });
  const callDuration = new Histogram({
    name: name('api_call_duration_seconds'),
    help: 'Duration of HTTP attempts to HSS, by API.',
    labelNames: ['api'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  // Per API, the current run (or the last, once it ended): its budgets work side by side.
  const apiRunCalls = new Gauge({
    name: name('api_run_calls'),
    help: 'HTTP attempts to this HSS API in the current run (the last run once it ended).',
    labelNames: ['api'],
    registers,
  });
  const apiCallsDue = new Gauge({
    name: name('api_calls_due'),
    help: 'Calls of this HSS API known to be still due: work planned in the current (last) run and not done.',
    labelNames: ['api'],
    registers,
  });
  const apiCatchUp = new Gauge({
    name: name('api_catch_up_seconds'),
    help: "Seconds this API's own rate budget needs for its due calls; the run catches up in the largest.",
    labelNames: ['api'],
    registers,
  });
  const nextRun = new Gauge({
    name: name('next_run_timestamp_seconds'),
    help: 'When the scheduler starts the next run, Unix time.',
    registers,
  });
  const runErrors = new Counter({
    name: name('run_errors_total'),
    help: 'Runs that ended with an error before recording an outcome (e.g. database unreachable).',
    registers,
  });
  const ticksSkipped = new Counter({
    name: name('ticks_skipped_total'),
    help: 'Scheduled ticks skipped because the previous run was still in progress.',
    registers,
  });

  // Every key is labelled, so the three pacer gauges are reset and refilled at each scrape.
  let pacer: PacerLike | null = null;
  const windows = new Map<string, StartWindow>();
  const windowOf = (k: PacerKeySnapshot) => {
    const key = `${k.credentialId}\u0000${k.api}`;
    let w = windows.get(key);
    if (!w) {
      w = new StartWindow();
      windows.set(key, w);
    }
    return w;
  };
  const samplePacer = () => {
    if (!pacer) return;
    const now = clock.now();
    for (const k of pacer.snapshot()) windowOf(k).record(now, k.callsStarted);
  };
  new Gauge({
    name: name('api_budget_remaining'),
    help: 'Calls the pacer could still start on this (credential, API) in the current minute.',
    labelNames: ['credential', 'api'],
    registers,
    collect() {
      this.reset();
      if (!pacer) return;
      const now = clock.now();
      for (const k of pacer.snapshot()) {
        const used = windowOf(k).startedWithin(now, windowMs, k.callsStarted);
        this.set(
          { credential: credentialLabel(k.credentialId), api: k.api },
          Math.max(0, k.ratePerMinute - used),
        );
      }
    },
  });
  new Gauge({
    name: name('api_rate_limit_per_minute'),
    help: 'Calls per minute the pacer allows on this (credential, API); lowered after 429s.',
    labelNames: ['credential', 'api'],
    registers,
    collect() {
      this.reset();
      for (const k of pacer?.snapshot() ?? []) {
        this.set({ credential: credentialLabel(k.credentialId), api: k.api }, k.ratePerMinute);
      }
    },
  });
  new Gauge({
    name: name('api_calls_waiting'),
    help: 'Calls waiting for the pacer on this (credential, API).',
    labelNames: ['credential', 'api'],
    registers,
    collect() {
      this.reset();
      for (const k of pacer?.snapshot() ?? []) {
        this.set({ credential: credentialLabel(k.credentialId), api: k.api }, k.waiting);
      }
    },
  });

  const observer: Required<SyncObserver> = {
    onRunStarted() {
      runsInProgress.inc();
      for (const g of [apiRunCalls, apiCallsDue, apiCatchUp]) g.reset();
    },
    onApiBacklog(apis: ApiBacklog[]) {
      for (const a of apis) {
        apiRunCalls.set({ api: a.api }, a.callsMade);
        apiCallsDue.set({ api: a.api }, a.callsDue);
        apiCatchUp.set({ api: a.api }, a.catchUpSeconds);
      }
    },
    onCall(_scope: Scope, e: CallEvent) {
      calls.inc({ api: e.api, status: String(e.status) });
      callDuration.observe({ api: e.api }, e.durationMs / 1000);
      if (isThrottled(e)) throttled.inc({ api: e.api });
      if (e.willRetry) retries.inc({ api: e.api });
      samplePacer();
    },
    onScopeFinished(report: ScopeReport) {
      scopeRuns.inc({ status: report.status });
      if (report.status === 'skipped') return;
      const labels = scopeLabels(report.scope);
      imagesPending.set(labels, report.counts.imagesPending);
      imagesFetched.inc(report.counts.imagesFetched);
      imagesRetired.inc(report.counts.imagesRetired);
      itemsQuarantined.inc(report.counts.itemsQuarantined);
      versions.inc({ change: 'opened' }, report.counts.versionsOpened);
      versions.inc({ change: 'closed' }, report.counts.versionsClosed);
      if (report.status === 'succeeded') scopeLastSuccess.set(labels, clock.now() / 1000);
    },
    onRunFinished(report: RunReport & { coverage?: CoverageCounts }) {
      runsInProgress.dec();
      // The engine counts coverage at the run's end (RunOutcome.coverage); a run that did not
      // count it (aborted) leaves the last counts as they were.
      if (report.coverage) {
        for (const state of COVERAGE_STATES) imagesCoverage.set({ state }, report.coverage[state] ?? 0);
      }
      runs.inc({ status: report.status });
      const seconds = (report.finishedAt.getTime() - report.startedAt.getTime()) / 1000;
      runDuration.observe({ status: report.status }, seconds);
      lastRunFinished.set(report.finishedAt.getTime() / 1000);
      if (report.status === 'succeeded') lastSuccessfulRun.set(report.finishedAt.getTime() / 1000);
    },
  };

  // Outcomes that have not happened yet still show as 0, so rate() and alerts see them from the start.
  for (const status of ['succeeded', 'partial', 'failed', 'aborted']) {
    runs.inc({ status }, 0);
    scopeRuns.inc({ status }, 0);
  }

  return {
    registry,
    observer,
    watchPacer(p) {
      pacer = p;
      samplePacer();
    },
    setNextRun(at) {
      if (at) nextRun.set(at.getTime() / 1000);
      else nextRun.reset();
    },
    tickSkipped() {
      ticksSkipped.inc();
    },
    runCrashed() {
      runErrors.inc();
      // Runs of one process never overlap: none is in progress any more.
      runsInProgress.set(0);
    },
  };
}
