/**
 * What the sync engine takes and gives: its dependencies, run options, events and reports. The
 * engine's callers (the app, the commands, metrics, progress) import these from engine.ts.
 */

import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { TargetConfig } from '../config/types.js';
import type {
  ApiName,
  CoverageCounts,
  MaintenanceReport,
  RuleCounts,
  RuleDetailMode,
  RunStatus,
  RunTrigger,
  Scope,
} from '../domain.js';
import type { CicdSummaries } from '../hss/api-matrix.js';
import type { RetryBudgetOptions } from '../hss/retry-budget.js';
import type { CallEvent, HssClient } from '../hss/types.js';
import type { ApiBacklog } from './api-board.js';
import type { RuleValuesMode } from './plan.js';
import type { Counts, ScopeOutcome, SyncStore } from './store.js';

/** The configured values a run works with: every one given by the caller (the config decides defaults). */
export interface RunSettings {
  pageSize: number;
  fetchConcurrency: number;
  /** Scopes synced at once (each holds a lock connection). */
  scopeConcurrency: number;
  maxResultAgeMs: number;
  maxRetireFraction: number;
  allowMassRetire: boolean;
  /** Schema-invalid items a scope may quarantine before it fails (HSS_MAX_QUARANTINED_ITEMS). */
  maxQuarantinedItems: number;
  /** The per-run retry budget (HSS_RETRY_BUDGET; see src/hss/retry-budget.ts). */
  retryBudget: RetryBudgetOptions;
  /** The rule drill-down beside the summaries (HSS_RULE_DETAIL). */
  ruleDetail: RuleDetailMode;
  /**
   * Per-image current values of failed rules (HSS_RULE_VALUES, default `off` in the config);
   * absent = `all`, the behaviour before the setting existed.
   */
  ruleValues?: RuleValuesMode;
  /** Where the summaries of cicd images come from (HSS_CICD_SUMMARIES; src/hss/api-matrix.ts). */
  cicdSummaries: CicdSummaries;
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
  settings: RunSettings;
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
  trigger: RunTrigger;
  signal?: AbortSignal;
  /** The schedule of the daemon starting the run, recorded in the ledger for `status`. */
  schedule?: { expression: string; timezone: string };
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
  /** What the end-of-run maintenance did; absent when it did not run (an aborted run). */
  maintenance?: MaintenanceReport;
  /** Current images per coverage state in the run's scopes at its end; absent = not counted. */
  coverage?: CoverageCounts;
}
