/** What a scope's rule drill-down counts, and the APIs it calls (read by the run's API board). */
import type { ApiName, RuleCounts } from '../../domain.js';

export function zeroDrillCounts(): RuleCounts {
  return {
    ruleImagesDue: 0,
    ruleImagesFetched: 0,
    ruleImagesPending: 0,
    ruleVersionsOpened: 0,
    ruleVersionsClosed: 0,
    ruleDescriptionsFetched: 0,
  };
}

export function addDrillCounts(into: RuleCounts, c: RuleCounts): void {
  for (const k of Object.keys(into) as (keyof RuleCounts)[]) into[k] += c[k];
}

/** Calls still due per rule API, read live by the run's API board. */
export interface DrillDue {
  ListImageRiskConfigRules: number;
  ListCheckRulesInfo: number;
  ShowImageCheckRuleDetail: number;
}

/** The counts, the problem, and what the ledger has no column for (the log line has). */
export type DrillResult = RuleCounts & {
  problem: string | null;
  /** Current values of a rule on an image stored (ShowImageCheckRuleDetail per image). */
  ruleValuesFetched: number;
  /** Rule rows without a check_rule_id, set aside. */
  ruleRowsSetAside: number;
};

/** The APIs of the drill-down, in the order of its lanes. */
export const DRILL_APIS: readonly (keyof DrillDue & ApiName)[] = [
  'ListImageRiskConfigRules',
  'ListCheckRulesInfo',
  'ShowImageCheckRuleDetail',
];
