/** Counters of what the simulator answered; snapshots are deep copies. */
import type { SimStats } from './types.js';

function emptyStats(): SimStats {
  return {
    calls: {},
    callsByApi: {},
    arrivedByApi: {},
    throttled: 0,
    rejectedSignatures: 0,
    rejectedTokens: 0,
    tokensIssued: 0,
    faultsInjected: {},
    riskConfigCallsByImageId: {},
    ruleCallsByImageId: {},
    checkRuleCallsByImageId: {},
    ruleDetailCallsByImageId: {},
  };
}

export class StatsRecorder {
  private s = emptyStats();
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` after every change of the counters; returns the function that removes it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  /** One answered call of `api` with `status` (0 = socket reset). */
  call(api: string, status: number): void {
    const byStatus = this.s.calls[api] ?? {};
    this.s.calls[api] = byStatus;
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
    this.s.callsByApi[api] = (this.s.callsByApi[api] ?? 0) + 1;
    this.changed();
  }
  arrived(api: string): void {
    this.s.arrivedByApi[api] = (this.s.arrivedByApi[api] ?? 0) + 1;
    this.changed();
  }
  throttled(): void {
    this.s.throttled++;
    this.changed();
  }
  rejected(by: 'signature' | 'token'): void {
    if (by === 'signature') this.s.rejectedSignatures++;
    else this.s.rejectedTokens++;
    this.changed();
  }
  tokenIssued(): void {
    this.s.tokensIssued++;
    this.changed();
  }
  fault(kind: string): void {
    this.s.faultsInjected[kind] = (this.s.faultsInjected[kind] ?? 0) + 1;
    this.changed();
  }
  /** A 200 answer of a per-image API filtered on `imageId`, counted under the API's record. */
  perImageCall(api: string, imageId: string): void {
    const by =
      api === 'ListImageRiskConfigs'
        ? this.s.riskConfigCallsByImageId
        : api === 'ListImageRiskConfigRules'
          ? this.s.ruleCallsByImageId
          : api === 'ListCheckRulesInfo'
            ? this.s.checkRuleCallsByImageId
            : api === 'ShowImageCheckRuleDetail'
              ? this.s.ruleDetailCallsByImageId
              : null;
    if (by) by[imageId] = (by[imageId] ?? 0) + 1;
    this.changed();
  }
  snapshot(): SimStats {
    return structuredClone(this.s);
  }
  reset(): void {
    this.s = emptyStats();
    this.changed();
  }
}
