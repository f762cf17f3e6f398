/**
 * The one failure policy of a run: what a failed piece of work means, whichever phase it belongs
 * to (the summaries' fetch, the rule drill-down). One table, one breaker, one quarantine tally.
 *
 * | what failed                                   | kind            | what the phase does                         |
 * |-----------------------------------------------|-----------------|---------------------------------------------|
 * | anything, while the run or phase is stopping  | `stopped`       | nothing: the item stays due                 |
 * | HSS answered schema-invalid data for the item | `item-problem`  | quarantined: stays due, not a failure       |
 * | a retryable HSS error (its retries spent)     | `retry`         | once more at the end of the phase, if any   |
 * | any other HSS error                           | `item-failure`  | counted failed, stays due; the phase goes on |
 * | credentials refused, circuit open, database   | `scope-failure` | the scope's phase stops                     |
 * | anything else (a defect)                      | `defect`        | the scope's phase stops                     |
 *
 * Every failure but `stopped` and `item-problem` counts toward MAX_CONSECUTIVE_FAILURES, after
 * which the scope's phase stops. A phase without a second round (the drill-down) counts `retry`
 * as an item failure. The inventory has no items: a page that failed fails its scope's inventory.
 * A run fails only on a defect outside every scope; a scope's failure makes the run `partial`.
 */
import {
  AbortedError,
  DbError,
  errorSummary,
  HssAuthError,
  HssCircuitOpenError,
  HssSyncError,
} from '../errors.js';
import { ImageQuarantinedError } from '../hss/quarantine.js';
import type { QuarantineEvent } from '../hss/types.js';

export type FailureKind = 'stopped' | 'item-problem' | 'retry' | 'item-failure' | 'scope-failure' | 'defect';

/** The table above. `stopping`: the run or the phase is stopping (signal, deadline, lock lost, stop). */
export function classifyFailure(err: unknown, stopping: boolean): FailureKind {
  if (err instanceof AbortedError || stopping) return 'stopped';
  if (err instanceof ImageQuarantinedError) return 'item-problem';
  if (err instanceof HssAuthError || err instanceof HssCircuitOpenError || err instanceof DbError)
    return 'scope-failure';
  if (!(err instanceof HssSyncError)) return 'defect';
  return err.retryable ? 'retry' : 'item-failure';
}

/** Why a scope's phase stopped on a `scope-failure` or `defect`; `writing` names what a DbError failed to write. */
export function stopReason(err: unknown, writing: string, what: string): string {
  if (err instanceof DbError) return `writing ${writing} failed: ${errorSummary(err)}`;
  if (err instanceof HssSyncError) return errorSummary(err);
  return `${what} failed unexpectedly: ${errorSummary(err)}`;
}

/** Consecutive failed items after which a scope's phase stops (a breaker per scope and phase). */
export const MAX_CONSECUTIVE_FAILURES = 5;

/** Failures in a row of one scope's phase. */
export class FailureStreak {
  private n = 0;
  /** An item succeeded: the streak is broken. */
  succeeded(): void {
    this.n = 0;
  }
  /** An item failed; returns the stop reason once the streak reaches the limit, else null. */
  failed(err: unknown, items: string): string | null {
    if (++this.n < MAX_CONSECUTIVE_FAILURES) return null;
    return `stopped after ${this.n} consecutive failed ${items}; last: ${errorSummary(err)}`;
  }
}

/** Schema-invalid items of one scope: counted, the first kept for the reason, a limit. */
export class QuarantineTally {
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
  /** The scope's failure once over the limit. */
  overLimitReason(detail: string): string {
    return `too many schema-invalid answers (more than ${this.limit}): ${detail}`;
  }
  describe(): string {
    const f = this.first;
    const where = f
      ? ` (first: ${f.api}${f.imageId ? ` image ${f.imageId}` : ''} position ${f.position}${f.requestId ? ` request_id=${f.requestId}` : ''}: ${f.problem})`
      : '';
    return `${this.items} schema-invalid item(s) quarantined${where}`;
  }
}
