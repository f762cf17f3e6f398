/**
 * The run ledger: hss_internal.sync_runs and hss_internal.sync_scope_runs (classified outcome: every run and scope ends
 * with a status and counts).
 */
import type {
  CoverageCounts,
  MaintenanceReport,
  RuleCounts,
  RunStatus,
  RunTrigger,
  Scope,
  ScopeCounts,
} from '../domain.js';
import { DbError } from '../errors.js';
import type { ApiBacklog } from '../sync/api-board.js';
import { replaceNul } from '../text.js';
import { coverageJson } from './coverage.js';
import type { DbHandle } from './pool.js';
import { query } from './tx.js';

export type { RunTrigger };

/** Counters kept per scope run (column names in camelCase). */
export type ScopeRunCounts = ScopeCounts;

/** Counters kept per run: the scope counters summed, plus scope tallies and the drill-down. */
export interface RunCounts extends ScopeRunCounts, RuleCounts {
  scopesTotal: number;
  scopesSucceeded: number;
  scopesPartial: number;
  scopesFailed: number;
}

/** HTTP calls per API name. */
export type CallsByApi = Record<string, number>;

const SCOPE_COUNT_COLUMNS: readonly (readonly [keyof ScopeRunCounts, string])[] = [
  ['imagesListed', 'images_listed'],
  ['imagesDistinct', 'images_distinct'],
  ['imagesDue', 'images_due'],
  ['imagesFetched', 'images_fetched'],
  ['imagesNotScanned', 'images_not_scanned'],
  ['imagesPending', 'images_pending'],
  ['imagesRetired', 'images_retired'],
  ['versionsOpened', 'versions_opened'],
  ['versionsClosed', 'versions_closed'],
  ['apiCalls', 'api_calls'],
  ['throttled', 'throttled'],
  ['retries', 'retries'],
  ['itemsQuarantined', 'items_quarantined'],
];
const RUN_COUNT_COLUMNS: readonly (readonly [keyof RunCounts, string])[] = [
  ['scopesTotal', 'scopes_total'],
  ['scopesSucceeded', 'scopes_succeeded'],
  ['scopesPartial', 'scopes_partial'],
  ['scopesFailed', 'scopes_failed'],
  ...SCOPE_COUNT_COLUMNS,
  ['ruleImagesDue', 'rule_images_due'],
  ['ruleImagesFetched', 'rule_images_fetched'],
  ['ruleImagesPending', 'rule_images_pending'],
  ['ruleVersionsOpened', 'rule_versions_opened'],
  ['ruleVersionsClosed', 'rule_versions_closed'],
  ['ruleDescriptionsFetched', 'rule_descriptions_fetched'],
];

/**
 * The reason stored in a ledger row. It may quote upstream text (a request id, an error
 * message), and a U+0000 would make PostgreSQL refuse the whole row (22021) and leave the run
 * `running` with its real reason lost: the NUL policy applies here whatever the caller did.
 */
function ledgerText(text: string | null): string | null {
  return text === null ? null : replaceNul(text);
}

/** All counters zero. */
export function emptyRunCounts(): RunCounts {
  return Object.fromEntries(RUN_COUNT_COLUMNS.map(([k]) => [k, 0])) as unknown as RunCounts;
}

/** `col = $n` for each counter, numbered from `first`, with the values in the same order. */
function countAssignments<C>(
  columns: readonly (readonly [keyof C, string])[],
  counts: Partial<C>,
  first: number,
): { sql: string; values: number[] } {
  return {
    sql: columns.map(([, col], i) => `${col} = $${first + i}`).join(', '),
    values: columns.map(([key]) => Number(counts[key] ?? 0)),
  };
}

/** The schedule of the daemon that started a run, recorded with it (what `status` shows). */
export interface RunSchedule {
  expression: string;
  timezone: string;
}

/** Opens a run: status 'running'. */
export async function startRun(
  h: DbHandle,
  run: {
    runId: string;
    startedAt: Date;
    trigger: RunTrigger;
    worker: string | null;
    schedule?: RunSchedule | null;
  },
): Promise<void> {
  await query(
    h,
    'startRun',
    `INSERT INTO hss_internal.sync_runs (run_id, started_at, status, trigger, worker, schedule)
     VALUES ($1, $2, 'running', $3, $4, $5)`,
    [run.runId, run.startedAt, run.trigger, run.worker, run.schedule ? JSON.stringify(run.schedule) : null],
  );
}

export interface FinishRun {
  status: Exclude<RunStatus, 'running'>;
  finishedAt: Date;
  /** Missing counters are stored as 0. */
  counts: Partial<RunCounts>;
  callsByApi: CallsByApi;
  /** Per API: calls made, due and the time to catch up; absent = not recorded (stays NULL). */
  apiBacklog?: ApiBacklog[];
  /** What the end-of-run maintenance did; absent = it did not run (stays NULL). */
  maintenance?: MaintenanceReport;
  /** Current images per coverage state at the run's end; absent = not counted (stays NULL). */
  coverage?: CoverageCounts;
  /** Short, secret-free reason; null when the run succeeded. */
  error: string | null;
}

/**
 * The maintenance as stored in hss_internal.sync_runs.maintenance:
 * {started_at, duration_ms, daily_days, pruned: {facts, posture, runs, versions}, error}.
 */
export function maintenanceJson(m: MaintenanceReport): string {
  return JSON.stringify({
    started_at: m.startedAt.toISOString(),
    duration_ms: m.durationMs,
    daily_days: m.dailyDays,
    pruned: m.pruned,
    error: ledgerText(m.error),
  });
}

/** Per API as stored in hss_internal.sync_runs.api_backlog: {"<api>": {calls_made, calls_due, rate_per_minute, catch_up_seconds}}. */
export function apiBacklogJson(apis: readonly ApiBacklog[]): string {
  return JSON.stringify(
    Object.fromEntries(
      apis.map((a) => [
        a.api,
        {
          calls_made: a.callsMade,
          calls_due: a.callsDue,
          rate_per_minute: a.ratePerMinute,
          catch_up_seconds: a.catchUpSeconds,
        },
      ]),
    ),
  );
}

/** Stores where a running run stands per API, so `status` can show it before the run ends. */
export async function recordRunProgress(
  h: DbHandle,
  runId: string,
  apis: readonly ApiBacklog[],
): Promise<void> {
  await query(
    h,
    'recordRunProgress',
    `UPDATE hss_internal.sync_runs SET api_backlog = $2::jsonb WHERE run_id = $1 AND status = 'running'`,
    [runId, apiBacklogJson(apis)],
  );
}

/** Sets eta_seconds of finished scope runs of `runId`, in one statement. */
export async function recordScopeEtas(
  h: DbHandle,
  runId: string,
  etas: readonly { scope: Scope; etaSeconds: number }[],
): Promise<void> {
  if (etas.length === 0) return;
  await query(
    h,
    'recordScopeEtas',
    `UPDATE hss_internal.sync_scope_runs s SET eta_seconds = u.eta
       FROM unnest($2::text[], $3::text[], $4::text[], $5::int[]) AS u(project_id, ep, image_type, eta)
      WHERE s.run_id = $1 AND s.project_id = u.project_id AND s.enterprise_project_id = u.ep
        AND s.image_type::text = u.image_type AND s.status <> 'running'`,
    [
      runId,
      etas.map((e) => e.scope.projectId),
      etas.map((e) => e.scope.enterpriseProjectId),
      etas.map((e) => e.scope.imageType),
      etas.map((e) => e.etaSeconds),
    ],
  );
}

/** Closes a run with its outcome and totals. Throws DbError when the run does not exist. */
export async function finishRun(h: DbHandle, runId: string, fin: FinishRun): Promise<void> {
  const set = countAssignments(RUN_COUNT_COLUMNS, fin.counts, 9);
  const res = await query(
    h,
    'finishRun',
    `UPDATE hss_internal.sync_runs SET status = $2, finished_at = $3, calls_by_api = $4::jsonb, error = $5,
       api_backlog = coalesce($6::jsonb, api_backlog), maintenance = $7::jsonb, coverage = $8::jsonb, ${set.sql}
     WHERE run_id = $1`,
    [
      runId,
      fin.status,
      fin.finishedAt,
      JSON.stringify(fin.callsByApi),
      ledgerText(fin.error),
      fin.apiBacklog ? apiBacklogJson(fin.apiBacklog) : null,
      fin.maintenance ? maintenanceJson(fin.maintenance) : null,
      fin.coverage ? coverageJson(fin.coverage) : null,
      ...set.values,
    ],
  );
  if (res.rowCount !== 1) throw new DbError(`finishRun failed: no run ${runId}`);
}

/** Opens the ledger row of one scope in a run: status 'running'. */
export async function startScopeRun(
  h: DbHandle,
  runId: string,
  scope: Scope,
  target: string,
  startedAt: Date,
): Promise<void> {
  await query(
    h,
    'startScopeRun',
    `INSERT INTO hss_internal.sync_scope_runs
       (run_id, target, project_id, enterprise_project_id, image_type, status, started_at)
     VALUES ($1, $2, $3, $4, $5, 'running', $6)`,
    [runId, target, scope.projectId, scope.enterpriseProjectId, scope.imageType, startedAt],
  );
}

export interface FinishScopeRun {
  status: Exclude<RunStatus, 'running'>;
  finishedAt: Date;
  /** Whether the inventory was complete; null when it did not run. */
  inventoryComplete: boolean | null;
  /** Missing counters are stored as 0. */
  counts: Partial<ScopeRunCounts>;
  callsByApi: CallsByApi;
  /** Seconds to fetch what is still pending at the current budget; null when unknown. */
  etaSeconds: number | null;
  error: string | null;
}

/**
 * Closes the ledger row of one scope. A succeeded scope also stamps scope_state.last_success_at.
 * Throws DbError when the scope run does not exist.
 */
export async function finishScopeRun(
  h: DbHandle,
  runId: string,
  scope: Scope,
  fin: FinishScopeRun,
): Promise<void> {
  const set = countAssignments(SCOPE_COUNT_COLUMNS, fin.counts, 11);
  const res = await query<{ n: number }>(
    h,
    'finishScopeRun',
    `WITH u AS (
       UPDATE hss_internal.sync_scope_runs
       SET status = $5, finished_at = $6, inventory_complete = $7, calls_by_api = $8::jsonb,
           eta_seconds = $9, error = $10, ${set.sql}
       WHERE run_id = $1 AND project_id = $2 AND enterprise_project_id = $3 AND image_type = $4
       RETURNING target),
     s AS (
       INSERT INTO hss_internal.scope_state (project_id, enterprise_project_id, image_type, target, last_success_at)
       SELECT $2, $3, $4, u.target, $6 FROM u WHERE $5 = 'succeeded'
       ON CONFLICT (project_id, enterprise_project_id, image_type)
       DO UPDATE SET last_success_at = excluded.last_success_at)
     SELECT count(*)::int AS n FROM u`,
    [
      runId,
      scope.projectId,
      scope.enterpriseProjectId,
      scope.imageType,
      fin.status,
      fin.finishedAt,
      fin.inventoryComplete,
      JSON.stringify(fin.callsByApi),
      fin.etaSeconds,
      ledgerText(fin.error),
      ...set.values,
    ],
  );
  if (res.rows[0]?.n !== 1) {
    throw new DbError(
      `finishScopeRun failed: no scope run ${runId} ${scope.projectId}/${scope.enterpriseProjectId}/${scope.imageType}`,
    );
  }
}

/** A run still marked running. */
export interface RunningRun {
  runId: string;
  worker: string | null;
  startedAt: Date;
}

/** Runs whose status is still 'running', oldest first (to check whether their worker lives). */
export async function listRunningRuns(h: DbHandle): Promise<RunningRun[]> {
  const res = await query<{ run_id: string; worker: string | null; started_at: Date }>(
    h,
    'listRunningRuns',
    `SELECT run_id, worker, started_at FROM hss_internal.sync_runs WHERE status = 'running' ORDER BY started_at, run_id`,
    [],
  );
  return res.rows.map((r) => ({ runId: r.run_id, worker: r.worker, startedAt: r.started_at }));
}

export interface AbandonedRunsFilter {
  /** When the runs are marked ended. */
  at: Date;
  /** Runs known dead (their worker is gone). */
  runIds?: readonly string[];
  /** Also every run still running that started before this instant. */
  startedBefore?: Date;
  /** Stored as `error` where none was set. Default 'abandoned: worker stopped before the run ended'. */
  reason?: string;
}

/**
 * Marks runs still 'running' that match the filter (listed in `runIds`, or started before
 * `startedBefore`) as 'aborted' at `at`, and their scope runs still running too.
 * @returns the run ids marked, sorted.
 */
export async function markAbandonedRuns(h: DbHandle, filter: AbandonedRunsFilter): Promise<string[]> {
  const res = await query<{ run_id: string }>(
    h,
    'markAbandonedRuns',
    `WITH r AS (
       UPDATE hss_internal.sync_runs
       SET status = 'aborted', finished_at = $1, error = coalesce(error, $4)
       WHERE status = 'running' AND (run_id = ANY($2::uuid[]) OR started_at < $3)
       RETURNING run_id),
     s AS (
       UPDATE hss_internal.sync_scope_runs sr
       SET status = 'aborted', finished_at = $1, error = coalesce(sr.error, $4)
       FROM r WHERE sr.run_id = r.run_id AND sr.status = 'running')
     SELECT run_id FROM r ORDER BY run_id`,
    [
      filter.at,
      filter.runIds ?? [],
      filter.startedBefore ?? null,
      ledgerText(filter.reason ?? 'abandoned: worker stopped before the run ended'),
    ],
  );
  return res.rows.map((r) => r.run_id);
}
