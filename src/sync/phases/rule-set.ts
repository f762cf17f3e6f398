/**
 * What the drill-down stores as an image's rules, from the rule rows an API answered (pure):
 * nothing when no baseline of the image fails now (its failed rules are closed), else the rows
 * (the failed ones only under HSS_RULE_DETAIL=failed), one per rule. A row without a
 * check_rule_id cannot be keyed: it is set aside (counted), the rest of the set is stored.
 */
import type { RuleResult } from '../../domain.js';
import type { RulesDue } from '../store.js';
import { ruleKeyId } from './rule-descriptions.js';

export interface RuleSet {
  rules: RuleResult[];
  /** Rows left out for want of a check_rule_id. */
  setAside: number;
}

export function ruleSetOf(rows: readonly RuleResult[], due: RulesDue, mode: 'failed' | 'all'): RuleSet {
  if (due.failing.length === 0) return { rules: [], setAside: 0 };
  const byKey = new Map<string, RuleResult>();
  let setAside = 0;
  for (const r of rows) {
    if (mode === 'failed' && r.scanResult !== 'failed') continue;
    if (r.checkRuleId === '') {
      setAside++;
      continue;
    }
    // A rule listed twice (rescanned between two pages) keeps its first answer.
    const k = ruleKeyId(r);
    if (!byKey.has(k)) byKey.set(k, r);
  }
  return { rules: [...byKey.values()], setAside };
}
