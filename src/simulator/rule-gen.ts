/**
 * The rules of the simulated world, derived, not stored: a baseline row with check_rule_num N
 * has the rules `<n>.1` … `<n>.N` (the same catalogue for every image), and which of them fail is
 * a seeded choice of exactly failed_rule_num of them from (image_id, row key, failed_rule_num).
 * So for every image and baseline (check_name, check_type, standard) the rule rows number
 * check_rule_num and the failed ones failed_rule_num, in ListImageRiskConfigRules and in
 * ListCheckRulesInfo alike. The world (world.ts) and the rule APIs (rules.ts, check-rules.ts)
 * read them from here, as do the per-image current values of ShowImageCheckRuleDetail.
 */
import type { RuleResult } from '../domain.js';
import type { SimRiskRow } from './baseline.js';
import { Rng } from './prng.js';
import type { SimContent } from './world-gen.js';

export const SEVERITIES: readonly string[] = ['Security', 'Low', 'Medium', 'High', 'Critical'];
export const STANDARDS: readonly string[] = ['cn_standard', 'hw_standard', 'qt_standard'];
export const RESULT_TYPES: readonly string[] = ['pass', 'failed'];

/** FNV-1a of a string: a seed for the per-row choice of failed rules. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Short stable prefix of a baseline's rule ids (`1`… per check_type), so ids read like HSS's `1.3`. */
export function ruleSection(checkType: string): number {
  return (hash(checkType) % 9) + 1;
}

/** The id of the i-th (0-based) rule of a baseline. */
export function ruleIdOf(checkType: string, i: number): string {
  return `${ruleSection(checkType)}.${i + 1}`;
}

/** The display name of a rule (the same for every image). */
export function ruleNameOf(checkName: string, checkType: string, ruleId: string): string {
  return `${checkType === checkName ? checkName : checkType}: configuration item ${ruleId}`;
}

/** The severity of a rule (fixed per rule, from its id). */
function ruleSeverity(checkType: string, ruleId: string): string {
  return ['Low', 'Medium', 'High', 'Critical'][hash(`${checkType}\u0001${ruleId}`) % 4] as string;
}

/** Indices of the failed rules of one row of one image: exactly failedRuleNum of checkRuleNum. */
function failedIndices(imageId: string, row: SimRiskRow): Set<number> {
  const n = row.checkRuleNum;
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(
    hash(
      `${imageId}\u0001${row.checkName}\u0001${row.checkType}\u0001${row.standard}\u0001${row.failedRuleNum}`,
    ),
  );
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return new Set(order.slice(0, Math.min(n, Math.max(0, row.failedRuleNum))));
}

/** Every rule result of one row of one image, in rule order. */
export function rulesOfRow(imageId: string, row: SimRiskRow): RuleResult[] {
  const failed = failedIndices(imageId, row);
  return Array.from({ length: row.checkRuleNum }, (_, i) => {
    const id = ruleIdOf(row.checkType, i);
    return {
      checkName: row.checkName,
      checkType: row.checkType,
      standard: row.standard,
      checkRuleId: id,
      checkRuleName: ruleNameOf(row.checkName, row.checkType, id),
      severity: ruleSeverity(row.checkType, id),
      scanResult: failed.has(i) ? 'failed' : 'pass',
    };
  });
}

/** Every rule result of an image content (all its rows), in row then rule order. */
export function rulesOfContent(content: SimContent): RuleResult[] {
  return content.rows.flatMap((row) => rulesOfRow(content.imageId, row));
}

/** ListCheckRulesInfo's documented severity range (ImageCheckRuleResponseInfo.severity). */
export const CHECK_RULES_SEVERITIES: readonly string[] = ['Security', 'Low', 'Medium', 'High'];
const RANK = new Map(CHECK_RULES_SEVERITIES.map((s, i) => [s, i]));
const rank = (s: string | null): number => RANK.get(s ?? '') ?? 0;

/**
 * The rule results of one row as ListCheckRulesInfo serves them (cicd and registry images):
 * rulesOfRow with severities in that API's documented range (Critical served as High) and with
 * check_type_desc of the baseline. The failed rules' severities never exceed the baseline
 * summary's, and the first failed rule has exactly it, so summaries derived from these rows
 * (rows, failed rows, worst severity of the failed rows, Security when none failed) equal the
 * world's summaries.
 */
export function checkRulesOfRow(imageId: string, row: SimRiskRow): RuleResult[] {
  let first = true;
  return rulesOfRow(imageId, row).map((r) => {
    let severity = r.severity === 'Critical' ? 'High' : r.severity;
    if (r.scanResult === 'failed') {
      if (first || rank(severity) > rank(row.severity)) severity = row.severity;
      first = false;
    }
    return { ...r, severity, checkTypeDesc: row.checkTypeDesc };
  });
}

/** Every ListCheckRulesInfo rule result of an image content, in row then rule order. */
export function checkRulesOfContent(content: SimContent): RuleResult[] {
  return content.rows.flatMap((row) => checkRulesOfRow(content.imageId, row));
}

/** The suggested value of a rule's check (the same for every image). */
export function suggestValueOf(ruleId: string): string {
  return `recommended-${ruleId}`;
}

/**
 * The current value of a rule's check on one image: the suggested value where the rule passed,
 * else a value derived from (image_id, rule key), so two images failing one rule differ.
 */
export function currentValueOf(
  imageId: string,
  key: { checkName: string; checkType: string; standard: string; checkRuleId: string },
  failed: boolean,
): string {
  if (!failed) return suggestValueOf(key.checkRuleId);
  const h = hash(
    `${imageId}\u0001${key.checkName}\u0001${key.checkType}\u0001${key.standard}\u0001${key.checkRuleId}`,
  );
  return `observed-${h.toString(16).padStart(8, '0')}`;
}
