/**
 * What the sync engine needs from storage. The PostgreSQL implementation lives in
 * src/sync/pg-store.ts on top of src/db, an in-memory one for tests in memory-store.test-helper.ts;
 * the engine knows only this interface.
 */

import type { RulesDue } from '../db/rules/due.js';
import type { RuleValuesCursor } from '../db/rules/values.js';
import type { ImageRulesItem } from '../db/rules/write.js';
import type {
  CoverageCounts,
  ImageListing,
  ImageResultItem,
  ImageRuleRef,
  ImageRuleValues,
  MaintenanceReport,
  RuleCounts,
  RuleDetail,
  RuleKey,
  RunStatus,
  RunTrigger,
  Scope,
  ScopeCounts,
} from '../domain.js';
import type { ApiBacklog } from './api-board.js';
import type { StoredContent } from './plan.js';

export type { ImageResultItem, ImageRulesItem, RulesDue };

/** Counts kept per scope and summed per run. */
export type Counts = ScopeCounts;

export function zeroCounts(): Counts {
  return {
    imagesListed: 0,
    imagesDistinct: 0,
    imagesDue: 0,
    imagesFetched: 0,
    imagesNotScanned: 0,
    imagesPending: 0,
    imagesRetired: 0,
    versionsOpened: 0,
    versionsClosed: 0,
    apiCalls: 0,
    throttled: 0,
    retries: 0,
    itemsQuarantined: 0,
  };
}

export function addCounts(into: Counts, c: Counts): void {
  for (const k of Object.keys(into) as (keyof Counts)[]) into[k] += c[k];
}

export function addCalls(into: Record<string, number>, c: Record<string, number>): void {
  for (const [k, v] of Object.entries(c)) into[k] = (into[k] ?? 0) + v;
}

export interface ScopeOutcome {
  status: Exclude<RunStatus, 'running'>;
  finishedAt: Date;
  inventoryComplete: boolean;
  counts: Counts;
  callsByApi: Record<string, number>;
  etaSeconds: number;
  error: string | null;
}

export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>;
  finishedAt: Date;
  scopes: { total: number; succeeded: number; partial: number; failed: number };
  counts: Counts;
  /** What the rule drill-down phase did; absent = it did not run. */
  ruleCounts?: RuleCounts;
  callsByApi: Record<string, number>;
  /** Per API: calls made, calls still due and the time to catch up (src/sync/api-board.ts). */
  apiBacklog?: ApiBacklog[];
  /** What the end-of-run maintenance did; absent = it did not run. */
  maintenance?: MaintenanceReport;
  /** Current images per coverage state in the run's scopes at its end (store.countCoverage). */
  coverage?: CoverageCounts;
  error: string | null;
}

/** What one maintenance pass did (store.maintain). */
export type MaintenanceWork = Pick<MaintenanceReport, 'dailyDays' | 'pruned'>;

/** What the rule drill-down needs from storage (src/db/rules). */
export interface DrillStore {
  /** Present, fetched images whose summaries changed since their rules were fetched (see due.ts). */
  loadRulesDue(scope: Scope, mode: 'failed' | 'all'): Promise<RulesDue[]>;
  /** loadRulesDue restricted to `imageIds` (images whose summaries were just written). */
  loadRulesDueFor(scope: Scope, mode: 'failed' | 'all', imageIds: readonly string[]): Promise<RulesDue[]>;
  /** Replaces the rules of each image (one transaction per call). */
  writeImageRules(
    runId: string,
    at: Date,
    items: ImageRulesItem[],
  ): Promise<{ versionsOpened: number; versionsClosed: number }>;
  /** Rules of the scope's current results whose description is missing or older than `staleBefore`. */
  loadDescriptionsDue(scope: Scope, staleBefore: Date): Promise<RuleKey[]>;
  /** Of `keys`, those whose description is missing or older than `staleBefore`. */
  filterDescriptionsDue(keys: readonly RuleKey[], staleBefore: Date): Promise<RuleKey[]>;
  upsertRuleDescription(key: RuleKey, detail: RuleDetail, at: Date): Promise<void>;
  /**
   * One page of the failed rules of the scope's current rule results whose per-image values are
   * missing or older than the rule version in force (each with the image's filters, from one
   * current reference), in (image, rule) order after `after` (null: from the first), at most
   * `limit`; a shorter page is the last (src/db/rules/values.ts).
   */
  loadRuleValuesDue(scope: Scope, after: RuleValuesCursor | null, limit: number): Promise<ImageRuleRef[]>;
  /** Records the current values of rules on images (replacing what was stored for each). */
  upsertRuleValues(runId: string, at: Date, items: ImageRuleValues[]): Promise<void>;
}

export interface SyncStore extends DrillStore {
  /**
   * Marks runs left `running` by a process that died as `aborted`; returns their ids.
   * Called before each run starts.
   */
  reapAbandonedRuns(at: Date): Promise<string[]>;
  /** Opens the run in the ledger; `schedule`: the daemon's, recorded for `status`. */
  startRun(run: {
    runId: string;
    startedAt: Date;
    trigger: RunTrigger;
    worker: string;
    schedule: { expression: string; timezone: string } | null;
  }): Promise<void>;
  /** Records the run's outcome and lets go of the run (its run lock). */
  finishRun(runId: string, outcome: RunOutcome): Promise<void>;
  /**
   * The end-of-run maintenance: the daily facts brought up to `at`, then the retention policy
   * applied. Idempotent; throws on failure (the maintenance phase records it).
   */
  maintain(at: Date): Promise<MaintenanceWork>;
  /** Records where a running run stands per API (read by `status` while the run goes on). */
  recordRunProgress(runId: string, apiBacklog: ApiBacklog[]): Promise<void>;
  startScopeRun(runId: string, scope: Scope, startedAt: Date): Promise<void>;
  finishScopeRun(runId: string, scope: Scope, outcome: ScopeOutcome): Promise<void>;
  /** Corrects the ETA of finished scope runs of `runId` (the shared budget's, known at the run's end). */
  recordScopeEtas(runId: string, etas: { scope: Scope; etaSeconds: number }[]): Promise<void>;
  upsertImageRefs(scope: Scope, refs: ImageListing[], at: Date): Promise<void>;
  recordScopeInventory(
    scope: Scope,
    runId: string,
    at: Date,
    inv: { complete: boolean; imageCount: number },
  ): Promise<void>;
  loadContentStates(scope: Scope): Promise<Map<string, StoredContent>>;
  writeImageResults(
    runId: string,
    at: Date,
    items: ImageResultItem[],
  ): Promise<{ versionsOpened: number; versionsClosed: number }>;
  /** Current images per coverage state (hss.image_coverage) in the given scopes. */
  countCoverage(scopes: readonly Scope[]): Promise<CoverageCounts>;
  retireContents(
    scope: Scope,
    runId: string,
    at: Date,
    what: { missingImageIds: string[]; presentRefKeys: string[] },
  ): Promise<{ contentsRetired: number; versionsClosed: number }>;
}
