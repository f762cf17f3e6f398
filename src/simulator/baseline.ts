/**
 * Baseline (risk config) rows of one simulated image: generation, the severity rule, the change a
 * rescan makes, and the two views of a row (the JSON HSS sends, the normalised truth).
 */
import type { Rng } from './prng.js';
import type { RiskConfigTruth } from './types.js';

/** One ListImageRiskConfigs row as the simulator stores it. */
export interface SimRiskRow {
  checkName: string;
  checkType: string;
  /** Serialise check_type as a JSON number (as the seed doc's example does); checkType is numeric text. */
  checkTypeNumeric: boolean;
  standard: string;
  severity: string;
  checkRuleNum: number;
  failedRuleNum: number;
  /** null = the field is omitted from the JSON. */
  checkTypeDesc: string | null;
}

export const LINUX_BASELINES = ['CentOS 7', 'Debian 10', 'EulerOS', 'Ubuntu16'] as const;
export const WINDOWS_CHECK_TYPES = [
  'Windows Server 2019 R2',
  'Windows Server 2016',
  'Windows Server 2012 R2',
];
export const STANDARDS = ['cn_standard', 'hw_standard'] as const;
export const SEVERITIES = ['Security', 'Low', 'Medium', 'High'] as const;

/**
 * The severity rule the world keeps: no failed item => Security; otherwise by the failed share
 * (≤ 20 % Low, ≤ 50 % Medium, above High). Bands are never empty for check_rule_num ≥ 10.
 */
export function severityFor(failed: number, total: number): string {
  if (failed <= 0) return 'Security';
  const share = failed / Math.max(1, total);
  if (share <= 0.2) return 'Low';
  if (share <= 0.5) return 'Medium';
  return 'High';
}

/** The failed_rule_num range [min, max] of a severity band for `total` check items. */
function bandRange(severity: string, total: number): [number, number] {
  const low = Math.floor(total * 0.2);
  const medium = Math.floor(total * 0.5);
  switch (severity) {
    case 'Security':
      return [0, 0];
    case 'Low':
      return [1, low];
    case 'Medium':
      return [low + 1, medium];
    default:
      return [medium + 1, total];
  }
}

function description(checkName: string, checkType: string, standard: string): string {
  const std = standard === 'cn_standard' ? 'DJCP MLPS compliance' : 'cloud security practice';
  return `Checks the system configuration and SSH settings of ${checkType === checkName ? checkName : `${checkName} (${checkType})`} images against the ${std} standard.`;
}

/** A fresh row with generated counts. `checkType` defaults to the check name (Linux). */
export function makeRow(rng: Rng, checkName: string, checkType: string, standard: string): SimRiskRow {
  const checkRuleNum = rng.int(10, 80);
  const failedRuleNum = rng.chance(0.3) ? 0 : rng.int(1, checkRuleNum);
  return {
    checkName,
    checkType,
    checkTypeNumeric: false,
    standard,
    severity: severityFor(failedRuleNum, checkRuleNum),
    checkRuleNum,
    failedRuleNum,
    checkTypeDesc: description(checkName, checkType, standard),
  };
}

/**
 * The 1–4 rows of one scanned image: one baseline (80 %) or two, each under one standard or
 * both. Keys (check_name, check_type, standard) are distinct within the image.
 */
export function makeRows(rng: Rng): SimRiskRow[] {
  const names = [...LINUX_BASELINES, 'Windows'];
  const first = rng.pick(names);
  const baselines = [first];
  if (rng.chance(0.2)) baselines.push(rng.pick(names.filter((n) => n !== first)));
  const rows: SimRiskRow[] = [];
  for (const checkName of baselines) {
    const checkType = checkName === 'Windows' ? rng.pick(WINDOWS_CHECK_TYPES) : checkName;
    const standards = rng.chance(0.35) ? [...STANDARDS] : [rng.pick(STANDARDS)];
    for (const standard of standards) rows.push(makeRow(rng, checkName, checkType, standard));
  }
  return rows;
}

/**
 * What a rescan changes: one row (at least) gets a failed_rule_num in another severity band, so
 * both failed_rule_num and severity change. Other rows change with probability 0.3.
 */
export function rescanRows(rng: Rng, rows: SimRiskRow[]): void {
  const forced = rng.int(0, rows.length - 1);
  rows.forEach((row, i) => {
    if (i !== forced && !rng.chance(0.3)) return;
    const others = SEVERITIES.filter((s) => s !== row.severity);
    const target = rng.pick(others);
    const [min, max] = bandRange(target, row.checkRuleNum);
    row.failedRuleNum = rng.int(min, max);
    row.severity = severityFor(row.failedRuleNum, row.checkRuleNum);
  });
}

/** unsafe_setting_num of an image: the sum of failed_rule_num over its rows. */
export function unsafeSettingNum(rows: readonly SimRiskRow[]): number {
  return rows.reduce((sum, r) => sum + r.failedRuleNum, 0);
}

/** The row as HSS serialises it (keys in the seed doc's order; check_type maybe a number). */
export function rowToWire(row: SimRiskRow): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    check_name: row.checkName,
    check_rule_num: row.checkRuleNum,
    check_type: row.checkTypeNumeric ? Number(row.checkType) : row.checkType,
  };
  if (row.checkTypeDesc !== null) wire.check_type_desc = row.checkTypeDesc;
  wire.failed_rule_num = row.failedRuleNum;
  wire.severity = row.severity;
  wire.standard = row.standard;
  return wire;
}

/** The row as the client normalises it (see RiskConfigTruth). */
export function rowToTruth(row: SimRiskRow): RiskConfigTruth {
  return {
    checkName: row.checkName,
    checkType: row.checkType,
    standard: row.standard,
    severity: row.severity,
    checkRuleNum: row.checkRuleNum,
    failedRuleNum: row.failedRuleNum,
    checkTypeDesc: row.checkTypeDesc,
  };
}
