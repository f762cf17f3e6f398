/** Counts the HTTP attempts of one part of a run (a scope, a scope's drill-down) for the ledger. */
import { isThrottled } from '../errors.js';
import type { CallEvent } from '../hss/types.js';

export class CallTally {
  readonly callsByApi: Record<string, number> = {};
  apiCalls = 0;
  throttled = 0;
  retries = 0;
  constructor(private readonly forward?: (e: CallEvent) => void) {}
  readonly onCall = (e: CallEvent) => {
    this.forward?.(e);
    this.apiCalls++;
    this.callsByApi[e.api] = (this.callsByApi[e.api] ?? 0) + 1;
    if (isThrottled(e)) this.throttled++;
    if (e.willRetry) this.retries++;
  };
}
