/**
 * How a scope and a run end, decided from what their phases found (pure: unit-tested in
 * outcome.test.ts). The phases collect problems; these functions turn them into statuses.
 */
import { errorSummary } from '../errors.js';
import type { ScopeOutcome } from './store.js';

export type EndStatus = ScopeOutcome['status'];

/** Why a scope stopped when its lock was lost. */
export const LOCK_LOST =
  'the scope lock was lost (its database connection failed): stopped so that only one worker writes the scope';

/** The longest reason kept in a scope's ledger row. */
const MAX_ERROR = 2000;

export interface ScopeResult {
  status: EndStatus;
  inventoryComplete: boolean;
  error: string | null;
}

/** What a scope's phases found, in the order they ran. */
export interface ScopeFindings {
  inventoryComplete: boolean;
  /** The run's signal (SIGTERM) aborted. */
  aborted: boolean;
  /** The scope lock was lost. */
  lockLost: boolean;
  /** Set when a phase stopped the scope (auth, breaker, the database, too many quarantined). */
  stoppedBy: string | null;
  /** Everything that went wrong or was left, the stop reason included. */
  problems: readonly string[];
}

/**
 * aborted > lock lost > stopped (failed) > problems (partial) > succeeded. A scope whose phases
 * found nothing wrong succeeded.
 */
export function scopeResult(f: ScopeFindings): ScopeResult {
  const inventoryComplete = f.inventoryComplete;
  if (f.aborted) return { status: 'aborted', inventoryComplete, error: 'aborted by signal' };
  if (f.lockLost)
    return { status: 'failed', inventoryComplete, error: [LOCK_LOST, ...f.problems].join('; ') };
  const error = f.problems.length ? f.problems.join('; ').slice(0, MAX_ERROR) : null;
  if (f.stoppedBy) return { status: 'failed', inventoryComplete, error };
  return { status: error === null ? 'succeeded' : 'partial', inventoryComplete, error };
}

/** A scope whose phases threw (a page that failed, a store that failed): aborted or failed. */
export function scopeResultOfError(err: unknown, f: { aborted: boolean; lockLost: boolean }): ScopeResult {
  if (f.aborted) return { status: 'aborted', inventoryComplete: false, error: 'aborted by signal' };
  if (f.lockLost) return { status: 'failed', inventoryComplete: false, error: LOCK_LOST };
  return { status: 'failed', inventoryComplete: false, error: errorSummary(err) };
}

/** Scopes that ran, by how they ended (skipped scopes are left out; aborted ones count as partial). */
export interface ScopeTally {
  total: number;
  succeeded: number;
  partial: number;
  failed: number;
}

export function tallyScopes(statuses: readonly (EndStatus | 'skipped')[]): ScopeTally {
  const tally = { total: 0, succeeded: 0, partial: 0, failed: 0 };
  for (const s of statuses) {
    if (s === 'skipped') continue;
    tally.total++;
    if (s === 'succeeded') tally.succeeded++;
    else if (s === 'failed') tally.failed++;
    else tally.partial++;
  }
  return tally;
}

/**
 * aborted when the run's signal aborted; else succeeded when no scope ran or all succeeded,
 * failed when all failed, else partial.
 */
export function runStatus(tally: ScopeTally, aborted: boolean): EndStatus {
  if (aborted) return 'aborted';
  if (tally.total === 0 || tally.succeeded === tally.total) return 'succeeded';
  if (tally.failed === tally.total) return 'failed';
  return 'partial';
}

/** The run's ledger reason: the signal, else its problems and warnings (diagnose.ts), else none. */
export function runError(
  aborted: boolean,
  problems: readonly string[],
  warnings: readonly string[],
): string | null {
  if (aborted) return 'aborted by signal';
  const notes = [...problems, ...warnings.map((w) => `warning: ${w}`)];
  return notes.length ? notes.join('; ').slice(0, MAX_ERROR) : null;
}
