/**
 * The `status` report: its shape (also the `--json` output, a stable interface for scripts) and
 * the text rendering for people. Pure: rows in, report and text out.
 */

import { formatAge } from './age-format.js';
import { COVERAGE_STATES, type CoverageCounts, type ScopeCounts } from './domain.js';
import { formatTable } from './table-format.js';
import { escapeControls } from './text.js';

/** One row of hss_internal.sync_runs as `status` reads it. */
export interface RunRow {
  run_id: string;
  status: string;
  trigger: string;
  started_at: Date;
  finished_at: Date | null;
  scopes_total: number;
  scopes_succeeded: number;
  scopes_partial: number;
  scopes_failed: number;
  images_listed: number;
  images_distinct: number;
  images_due: number;
  images_fetched: number;
  images_not_scanned: number;
  images_pending: number;
  images_retired: number;
  versions_opened: number;
  versions_closed: number;
  api_calls: number;
  throttled: number;
  retries: number;
  items_quarantined: number;
  error: string | null;
  rule_images_due: number;
  rule_images_fetched: number;
  rule_images_pending: number;
  /** Per API (src/db/runs.ts apiBacklogJson); null for runs recorded before it existed. */
  api_backlog: Record<string, StoredApiBacklog> | null;
  /** Images per coverage state at the run's end (src/db/coverage.ts); null when not counted. */
  coverage: Partial<Record<string, number>> | null;
}

interface StoredApiBacklog {
  calls_made: number;
  calls_due: number;
  rate_per_minute: number;
  catch_up_seconds: number;
}

/** One API's budget in a run: calls made, due, and the time the API's own limit needs for them. */
export interface ApiStatus {
  api: string;
  callsMade: number;
  callsDue: number;
  ratePerMinute: number;
  catchUpSeconds: number;
}

/** One scope as `status` reads it: scope_state joined with its contents and its last scope run. */
export interface ScopeRow {
  target: string;
  project_id: string;
  enterprise_project_id: string;
  image_type: string;
  images: number;
  fresh: number;
  pending: number;
  oldest_result_at: Date | null;
  last_status: string | null;
  last_success_at: Date | null;
  /** Present contents per coverage state now (hss.image_coverage); states without any absent. */
  coverage: Partial<Record<string, number>>;
}

export interface RunStatus {
  runId: string;
  status: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  /** Until now for a run still going. */
  durationSeconds: number;
  scopes: { total: number; succeeded: number; partial: number; failed: number };
  counts: ScopeCounts & {
    /** The rule drill-down: images whose rules were due, written, and left due. */
    ruleImagesDue: number;
    ruleImagesFetched: number;
    ruleImagesPending: number;
  };
  error: string | null;
  /**
   * Per API: calls made, calls still due and the seconds its budget needs to catch up (the APIs
   * work side by side: the run catches up in the largest). Recorded during the run as well.
   */
  apis: ApiStatus[];
  /** The largest catch-up time of `apis`. */
  catchUpSeconds: number;
  /** Current images per coverage state in the run's scopes when it ended; null when not counted. */
  coverage: CoverageCounts | null;
}

export interface ScopeStatus {
  target: string;
  projectId: string;
  enterpriseProjectId: string;
  imageType: string;
  /** Distinct image contents (image_id) present upstream. */
  images: number;
  /** Of those, checked within HSS_MAX_RESULT_AGE. */
  fresh: number;
  /** Due for a refresh but not fetched in the scope's last run. */
  pending: number;
  /** Age of the oldest stored result (null: none stored). */
  oldestResultAgeSeconds: number | null;
  /** Outcome of the scope's last finished run. */
  lastStatus: string | null;
  lastSuccessAt: string | null;
  /** Present contents per coverage state now (docs/sql.md, "Coverage"): every state, 0 when none. */
  coverage: CoverageCounts;
}

/** Where the schedule shown comes from (see StatusReport.schedule). */
export type ScheduleSource = 'SYNC_SCHEDULE' | 'recorded' | 'default';

export interface StatusReport {
  generatedAt: string;
  /** The limit that makes a result fresh, in seconds. */
  maxResultAgeSeconds: number;
  /**
   * The schedule the next run is told from: SYNC_SCHEDULE where status runs, else the one the
   * daemon recorded with its latest run (`recorded`), else the default.
   */
  schedule: { expression: string; timezone: string; nextRun: string | null; source: ScheduleSource };
  runs: RunStatus[];
  scopes: ScopeStatus[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Builds the report from the rows, at `nowMs`. */
export function buildStatusReport(input: {
  nowMs: number;
  maxResultAgeMs: number;
  schedule: { expression: string; timezone: string; nextRun: Date | null; source: ScheduleSource };
  runs: RunRow[];
  scopes: ScopeRow[];
}): StatusReport {
  const { nowMs } = input;
  return {
    generatedAt: new Date(nowMs).toISOString(),
    maxResultAgeSeconds: Math.round(input.maxResultAgeMs / 1000),
    schedule: {
      expression: input.schedule.expression,
      timezone: input.schedule.timezone,
      nextRun: iso(input.schedule.nextRun),
      source: input.schedule.source,
    },
    runs: input.runs.map((r) => ({
      runId: r.run_id,
      status: r.status,
      trigger: r.trigger,
      startedAt: r.started_at.toISOString(),
      finishedAt: iso(r.finished_at),
      durationSeconds: seconds((r.finished_at?.getTime() ?? nowMs) - r.started_at.getTime()),
      scopes: {
        total: r.scopes_total,
        succeeded: r.scopes_succeeded,
        partial: r.scopes_partial,
        failed: r.scopes_failed,
      },
      counts: {
        imagesListed: r.images_listed,
        imagesDistinct: r.images_distinct,
        imagesDue: r.images_due,
        imagesFetched: r.images_fetched,
        imagesNotScanned: r.images_not_scanned,
        imagesPending: r.images_pending,
        imagesRetired: r.images_retired,
        versionsOpened: r.versions_opened,
        versionsClosed: r.versions_closed,
        apiCalls: r.api_calls,
        throttled: r.throttled,
        retries: r.retries,
        itemsQuarantined: r.items_quarantined,
        ruleImagesDue: r.rule_images_due,
        ruleImagesFetched: r.rule_images_fetched,
        ruleImagesPending: r.rule_images_pending,
      },
      error: r.error,
      ...apiStatus(r.api_backlog),
      coverage: r.coverage ? coverageCounts(r.coverage) : null,
    })),
    scopes: input.scopes.map((s) => ({
      target: s.target,
      projectId: s.project_id,
      enterpriseProjectId: s.enterprise_project_id,
      imageType: s.image_type,
      images: s.images,
      fresh: s.fresh,
      pending: s.pending,
      oldestResultAgeSeconds: s.oldest_result_at
        ? Math.max(0, Math.floor((nowMs - s.oldest_result_at.getTime()) / 1000))
        : null,
      lastStatus: s.last_status,
      lastSuccessAt: iso(s.last_success_at),
      coverage: coverageCounts(s.coverage),
    })),
  };
}

/** Every coverage state, in COVERAGE_STATES order, 0 where `stored` has none. */
function coverageCounts(stored: Partial<Record<string, number>>): CoverageCounts {
  return Object.fromEntries(COVERAGE_STATES.map((s) => [s, stored[s] ?? 0])) as CoverageCounts;
}

function apiStatus(stored: Record<string, StoredApiBacklog> | null): {
  apis: ApiStatus[];
  catchUpSeconds: number;
} {
  const apis = Object.entries(stored ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([api, b]) => ({
      api,
      callsMade: b.calls_made,
      callsDue: b.calls_due,
      ratePerMinute: b.rate_per_minute,
      catchUpSeconds: b.catch_up_seconds,
    }));
  return { apis, catchUpSeconds: apis.reduce((m, a) => Math.max(m, a.catchUpSeconds), 0) };
}

function formatDuration(sec: number): string {
  return sec < 120 ? `${sec.toFixed(1)}s` : formatAge(sec);
}

/** `2026-03-01 12:00:05Z`: a timestamp short enough for a table cell. */
function shortTime(isoString: string | null): string {
  return isoString ? `${isoString.slice(0, 10)} ${isoString.slice(11, 19)}Z` : '';
}

/** The report as text: recent runs, scopes, next run, and what the columns mean. */
export function formatStatusText(r: StatusReport): string {
  const runs = r.runs.map((x) => ({
    started: shortTime(x.startedAt),
    status: x.status,
    trigger: x.trigger,
    duration: formatDuration(x.durationSeconds),
    scopes: `${x.scopes.succeeded}/${x.scopes.total}`,
    images: x.counts.imagesListed,
    due: x.counts.imagesDue,
    fetched: x.counts.imagesFetched,
    pending: x.counts.imagesPending,
    versions: `+${x.counts.versionsOpened}/-${x.counts.versionsClosed}`,
    rules: `${x.counts.ruleImagesFetched}/${x.counts.ruleImagesDue}`,
    'rules pending': x.counts.ruleImagesPending,
    calls: x.counts.apiCalls,
    '429s': x.counts.throttled,
    quarantined: x.counts.itemsQuarantined,
    // Ledger text may quote upstream (a request id): escaped, so it cannot drive the terminal.
    error: escapeControls(x.error ?? ''),
  }));
  const scopes = r.scopes.map((s) => ({
    scope: `${s.projectId}/${s.enterpriseProjectId}/${s.imageType}`,
    images: s.images,
    fresh: s.fresh,
    pending: s.pending,
    'oldest result': s.oldestResultAgeSeconds === null ? '' : formatAge(s.oldestResultAgeSeconds),
    'last status': s.lastStatus ?? '',
    'last success': shortTime(s.lastSuccessAt),
  }));
  const coverage = r.scopes.map((s) => ({
    scope: `${s.projectId}/${s.enterpriseProjectId}/${s.imageType}`,
    ...Object.fromEntries(COVERAGE_STATES.map((c) => [c.replace('_', ' '), s.coverage[c]])),
  }));
  const next = r.schedule.nextRun ? shortTime(r.schedule.nextRun) : 'unknown';
  // The table cuts cells at 48 characters: the newest finished run's problems or warnings
  // (a target that listed 0 images, a failure shared by every scope) are printed whole.
  const last = r.runs.find((x) => x.finishedAt !== null);
  const lastNote = last?.error ? `Last finished run (${last.status}): ${escapeControls(last.error)}\n` : '';
  const newest = r.runs.find((x) => x.apis.length > 0);
  const apis = newest
    ? [
        `Call budget per API (run of ${shortTime(newest.startedAt)}, ${newest.status}; catches up in ${formatAge(newest.catchUpSeconds)}):\n${formatTable(
          newest.apis.map((a) => ({
            api: a.api,
            'calls made': a.callsMade,
            'calls due': a.callsDue,
            'per minute': a.ratePerMinute,
            'catch-up': formatAge(a.catchUpSeconds),
          })),
        )}`,
      ]
    : [];
  return [
    `Recent runs (newest first):\n${formatTable(runs)}${lastNote}`,
    `Scopes:\n${formatTable(scopes)}`,
    `Coverage now (images per state; docs/sql.md "Coverage"):\n${formatTable(coverage)}`,
    ...apis,
    `Next run: ${next} (schedule "${r.schedule.expression}" in ${r.schedule.timezone}${r.schedule.source === 'recorded' ? ', as the daemon recorded it with its latest scheduled run' : ''}, if the daemon is running)\n`,
    `fresh = checked within ${formatAge(r.maxResultAgeSeconds)} (HSS_MAX_RESULT_AGE); pending = due but not fetched in the scope's last run; rules = images whose failed rules were fetched / due (HSS_RULE_DETAIL), rules pending = left due for the next run; quarantined = schema-invalid listing items and results skipped (logged with their request id); coverage: covered = results of the listed scan that agree with the listing, inconsistent = the listing's unsafe settings and the results disagree, pending = results not fetched for the listed scan yet, no results = HSS answered none, not scanned / scan failed = as HSS lists it\n`,
    ...(newest
      ? [
          `calls due = calls of the API known to be still due; catch-up = the time that API's own per-minute budget needs for them (the APIs work side by side)\n`,
        ]
      : []),
  ].join('\n');
}
