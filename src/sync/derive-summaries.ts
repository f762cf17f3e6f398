/**
 * Baseline summaries derived from rule results, for image types whose summaries ListImageRiskConfigs
 * does not serve (src/hss/api-matrix.ts: `cicd` under HSS_CICD_SUMMARIES=derived). Pure.
 *
 * Per (check_name, check_type, standard): check_rule_num = the rows, failed_rule_num = the rows
 * whose scan_result is `failed`, severity = the worst among the failed rows (Critical > High >
 * Medium > Low > Security; any other string ranks below Security; failed rows without a severity
 * = null), or `Security` when no row failed: ListImageRiskConfigs' lowest level, which its answers
 * give a baseline with nothing failed (an assumption: no source defines the derivation; the
 * simulator plays the same rule). check_type_desc = the first one given. Rows without a
 * check_rule_id count too.
 */
import type { RiskConfig, RuleResult } from '../domain.js';

/** Severities from the worst; a string not listed ranks below them all. */
const SEVERITY_ORDER = ['Critical', 'High', 'Medium', 'Low', 'Security'] as const;

function rank(severity: string): number {
  const i = (SEVERITY_ORDER as readonly string[]).indexOf(severity);
  return i === -1 ? SEVERITY_ORDER.length : i;
}

/** The worst severity of `rows`; ties keep the first seen (two unknown strings: the first). */
function worst(rows: readonly RuleResult[]): string | null {
  let best: string | null = null;
  for (const r of rows) {
    if (r.severity === null) continue;
    if (best === null || rank(r.severity) < rank(best)) best = r.severity;
  }
  return best;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The summaries `rows` (one image's rule results, all of them) add up to, sorted by result key. */
export function deriveSummaries(rows: readonly RuleResult[]): RiskConfig[] {
  const groups = new Map<string, RuleResult[]>();
  for (const r of rows) {
    const k = JSON.stringify([r.checkName, r.checkType, r.standard]);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: RiskConfig[] = [];
  for (const g of groups.values()) {
    const first = g[0] as RuleResult;
    const failed = g.filter((r) => r.scanResult === 'failed');
    out.push({
      checkName: first.checkName,
      checkType: first.checkType,
      standard: first.standard,
      severity: failed.length === 0 ? 'Security' : worst(failed),
      checkRuleNum: g.length,
      failedRuleNum: failed.length,
      checkTypeDesc: g.find((r) => r.checkTypeDesc != null)?.checkTypeDesc ?? null,
    });
  }
  return out.sort(
    (a, b) => cmp(a.checkName, b.checkName) || cmp(a.checkType, b.checkType) || cmp(a.standard, b.standard),
  );
}
