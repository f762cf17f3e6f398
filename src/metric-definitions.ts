/**
 * The definitions of the daemon's run, API and scheduler metrics (names, help, labels, buckets),
 * registered on the registry src/metrics.ts creates and fed there.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Scope } from './domain.js';

export const METRIC_PREFIX = 'hss_sync_';

const SCOPE_LABELS = ['target', 'project_id', 'enterprise_project_id', 'image_type'] as const;
type ScopeLabels = Record<(typeof SCOPE_LABELS)[number], string>;

export function scopeLabels(s: Scope): ScopeLabels {
  return {
    target: s.target,
    project_id: s.projectId,
    enterprise_project_id: s.enterpriseProjectId,
    image_type: s.imageType,
  };
}

export type Registers = Registry[];
type Labels = readonly string[];

function counter(registers: Registers, n: string, help: string, labelNames: Labels = []) {
  return new Counter({ name: `${METRIC_PREFIX}${n}`, help, labelNames, registers });
}

function gauge(registers: Registers, n: string, help: string, labelNames: Labels = []) {
  return new Gauge({ name: `${METRIC_PREFIX}${n}`, help, labelNames, registers });
}

function histogram(registers: Registers, n: string, help: string, labelNames: Labels, buckets: number[]) {
  return new Histogram({ name: `${METRIC_PREFIX}${n}`, help, labelNames, buckets, registers });
}

/** The metrics of runs and scopes: outcomes, durations, last successes, images and versions. */
export function runMetrics(registers: Registers) {
  return {
    runs: counter(
      registers,
      'runs_total',
      'Sync runs finished, by outcome (succeeded, partial, failed, aborted).',
      ['status'],
    ),
    runsInProgress: gauge(registers, 'runs_in_progress', 'Sync runs in progress in this process (0 or 1).'),
    runDuration: histogram(
      registers,
      'run_duration_seconds',
      'Duration of finished sync runs, by outcome.',
      ['status'],
      [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600],
    ),
    lastRunFinished: gauge(
      registers,
      'last_run_finished_timestamp_seconds',
      'When the last sync run finished (any outcome), Unix time.',
    ),
    lastSuccessfulRun: gauge(
      registers,
      'last_successful_run_timestamp_seconds',
      'When the last sync run that succeeded finished, Unix time.',
    ),
    scopeRuns: counter(
      registers,
      'scope_runs_total',
      'Scope runs finished, by outcome (succeeded, partial, failed, aborted, skipped).',
      ['status'],
    ),
    scopeLastSuccess: gauge(
      registers,
      'scope_last_success_timestamp_seconds',
      'When the scope last finished a run with outcome succeeded, Unix time.',
      SCOPE_LABELS,
    ),
    imagesPending: gauge(
      registers,
      'images_pending',
      'Images of the scope that were due for a refresh but not fetched in its last run.',
      SCOPE_LABELS,
    ),
    imagesCoverage: gauge(
      registers,
      'images_coverage',
      'Current images of the synced scopes per coverage state (covered, not_scanned, scan_failed, no_results, inconsistent, pending; docs/sql.md "Coverage"), as the last run that counted them left them.',
      ['state'],
    ),
    imagesFetched: counter(
      registers,
      'images_fetched_total',
      'Images whose baseline results were fetched and written.',
    ),
    imagesRetired: counter(
      registers,
      'images_retired_total',
      'Images marked removed because a complete inventory no longer listed them.',
    ),
    itemsQuarantined: counter(
      registers,
      'items_quarantined_total',
      'Schema-invalid listing items and results skipped (logged with their request id) instead of stored.',
    ),
    versions: counter(
      registers,
      'history_versions_total',
      'Rows written to hss.image_baseline_history: versions opened (new values) and closed.',
      ['change'],
    ),
  };
}

/** The metrics of calls to HSS: attempts, throttling, retries, durations and each API's backlog. */
export function apiMetrics(registers: Registers) {
  return {
    calls: counter(
      registers,
      'api_calls_total',
      'HTTP attempts to HSS by API and HTTP status (0 = no answer: network error or timeout).',
      ['api', 'status'],
    ),
    throttled: counter(
      registers,
      'api_throttled_total',
      'HSS answers 429 / APIGW.0308 (rate limit), by API.',
      ['api'],
    ),
    retries: counter(registers, 'api_retries_total', 'HSS attempts that failed and were retried, by API.', [
      'api',
    ]),
    callDuration: histogram(
      registers,
      'api_call_duration_seconds',
      'Duration of HTTP attempts to HSS, by API.',
      ['api'],
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    ),
    // Per API, the current run (or the last, once it ended): its budgets work side by side.
    apiRunCalls: gauge(
      registers,
      'api_run_calls',
      'HTTP attempts to this HSS API in the current run (the last run once it ended).',
      ['api'],
    ),
    apiCallsDue: gauge(
      registers,
      'api_calls_due',
      'Calls of this HSS API known to be still due: work planned in the current (last) run and not done.',
      ['api'],
    ),
    apiCatchUp: gauge(
      registers,
      'api_catch_up_seconds',
      "Seconds this API's own rate budget needs for its due calls; the run catches up in the largest.",
      ['api'],
    ),
  };
}

/** The metrics of the scheduler: next run, runs that crashed, ticks skipped. */
export function schedulerMetrics(registers: Registers) {
  return {
    nextRun: gauge(
      registers,
      'next_run_timestamp_seconds',
      'When the scheduler starts the next run, Unix time.',
    ),
    runErrors: counter(
      registers,
      'run_errors_total',
      'Runs that ended with an error before recording an outcome (e.g. database unreachable).',
    ),
    ticksSkipped: counter(
      registers,
      'ticks_skipped_total',
      'Scheduled ticks skipped because the previous run was still in progress.',
    ),
  };
}
