/**
 * The rules of the simulated world, derived, not stored: a baseline row with check_rule_num N
 * has the rules `<n>.1` … `<n>.N` (the same catalogue for every image), and which of them fail is
 * a seeded choice of exactly failed_rule_num of them from (image_id, row key, failed_rule_num).
 * The world (world.ts) and the rule APIs (rules.ts) both read them from here.
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
