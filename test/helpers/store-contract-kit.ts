/**
 * Builders of the SyncStore contract (test/helpers/store-contract.ts): scopes of their own, rule
 * rows, run outcomes, and runs that are always finished (a failed case must not leave a run lock
 * checked out, or the database could not be dropped).
 */
import { randomUUID } from 'node:crypto';
import type { RuleResult, Scope } from '../../src/domain.js';
import type { ImageResultItem, ImageRulesItem, RunOutcome, SyncStore } from '../../src/sync/store.js';
import { zeroCounts } from '../../src/sync/store.js';
import { scope, T0, T3 } from './db-fixtures.js';

export interface ContractStore {
  store: SyncStore;
  /** A scope no other case uses (the PostgreSQL cases share one database). */
  scope: Scope;
}

let n = 0;
/** A scope of its own for one case. */
export function freshScope(): Scope {
  n++;
  return scope({
    target: `cn-north-4/contract-${n}`,
    projectId: `contract-${n}-${randomUUID().slice(0, 8)}`,
  });
}

/** A scan time of the listings (epoch ms). */
export const SCAN = Date.UTC(2026, 0, 1, 8);

export const NO_COVERAGE = {
  covered: 0,
  not_scanned: 0,
  scan_failed: 0,
  no_results: 0,
  inconsistent: 0,
  pending: 0,
};

/** `item` as fetched for the scan at `latestScanTime`. */
export function scannedAt(item: ImageResultItem, latestScanTime: number | null): ImageResultItem {
  return { ...item, signal: { ...item.signal, latestScanTime } };
}

export function rule(overrides: Partial<RuleResult> = {}): RuleResult {
  return {
    checkName: 'CentOS 7',
    checkType: 'CentOS 7',
    standard: 'hw_standard',
    checkRuleId: '1.1',
    checkRuleName: 'Password length',
    severity: 'High',
    scanResult: 'failed',
    ...overrides,
  };
}

export function rulesItem(s: Scope, imageId: string, signature: string, rules: RuleResult[]): ImageRulesItem {
  return {
    scope: s,
    imageId,
    signature,
    mode: 'failed',
    rules,
    source: 'ListImageRiskConfigRules',
    scannedAt: null,
  };
}

export function outcome(status: RunOutcome['status'], at: Date): RunOutcome {
  return {
    status,
    finishedAt: at,
    scopes: { total: 1, succeeded: status === 'succeeded' ? 1 : 0, partial: 0, failed: 0 },
    counts: zeroCounts(),
    callsByApi: {},
    error: null,
  };
}

/** Runs started and not finished: a failed case must not leave its run lock checked out. */
const unfinished = new Map<string, SyncStore>();

export async function begin(store: SyncStore): Promise<string> {
  const runId = randomUUID();
  await store.startRun({ runId, startedAt: T0, trigger: 'test', worker: 'contract', schedule: null });
  unfinished.set(runId, store);
  return runId;
}

export async function end(store: SyncStore, runId: string, at: Date): Promise<void> {
  unfinished.delete(runId);
  await store.finishRun(runId, outcome('succeeded', at));
}

/** Finishes (as failed) every run a case started and did not finish. */
export async function finishLeftovers(): Promise<void> {
  for (const [runId, store] of unfinished) {
    unfinished.delete(runId);
    await store.finishRun(runId, outcome('failed', T3)).catch(() => undefined);
  }
}
