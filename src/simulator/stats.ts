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

  /** One answered call of `api` with `status` (0 = socket reset). */
  call(api: string, status: number): void {
    const byStatus = this.s.calls[api] ?? {};
    this.s.calls[api] = byStatus;
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
    this.s.callsByApi[api] = (this.s.callsByApi[api] ?? 0) + 1;
  }
  arrived(api: string): void {
    this.s.arrivedByApi[api] = (this.s.arrivedByApi[api] ?? 0) + 1;
  }
  throttled(): void {
    this.s.throttled++;
  }
  rejected(by: 'signature' | 'token'): void {
    if (by === 'signature') this.s.rejectedSignatures++;
    else this.s.rejectedTokens++;
  }
  tokenIssued(): void {
    this.s.tokensIssued++;
  }
  fault(kind: string): void {
    this.s.faultsInjected[kind] = (this.s.faultsInjected[kind] ?? 0) + 1;
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
  }
  snapshot(): SimStats {
    return structuredClone(this.s);
  }
  reset(): void {
    this.s = emptyStats();
  }
}
