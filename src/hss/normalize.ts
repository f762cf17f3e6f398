/**
 * Validated upstream rows → domain rows (src/domain.ts). Pure.
 *
 * NUL policy: PostgreSQL `text` cannot hold U+0000, so every string from upstream has each U+0000
 * replaced by U+FFFD (the replacement character) and the replacements are counted. Nothing else is
 * changed: Chinese text, emoji, newlines, surrounding spaces and 65,534-character strings are kept
 * exactly as they came.
 */
import type { ImageListing, RiskConfig, RuleDetail, RuleResult } from '../domain.js';
import type { ImagePage, ImageRow, RiskConfigRow, RuleDetailAnswer, RuleRow } from './schemas.js';

/** What normalisation changed or dropped, so the caller can log and count it. */
export interface NormalizeStats {
  /** U+0000 characters replaced by U+FFFD. */
  nulReplaced: number;
  /** List rows without image_id (or with an empty one), skipped. */
  skippedWithoutImageId: number;
  /** Risk-config rows whose (check_name, check_type, standard) was already seen, dropped. */
  duplicates: number;
  /** Items that did not match the schema, set aside (see quarantine.ts). */
  quarantined: number;
}

export function emptyStats(): NormalizeStats {
  return { nulReplaced: 0, skippedWithoutImageId: 0, duplicates: 0, quarantined: 0 };
}

/** Applies the NUL policy to one string. */
export function cleanString(value: string, stats: NormalizeStats): string {
  if (!value.includes('\u0000')) return value;
  let count = 0;
  const cleaned = value.replace(/\u0000/g, () => {
    count++;
    return '\uFFFD';
  });
  stats.nulReplaced += count;
  return cleaned;
}

/** Applies the NUL policy to every string (keys included) of a JSON value. */
export function cleanJson(value: unknown, stats: NormalizeStats): unknown {
  if (typeof value === 'string') return cleanString(value, stats);
  if (Array.isArray(value)) return value.map((v) => cleanJson(v, stats));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[cleanString(k, stats)] = cleanJson(v, stats);
    return out;
  }
  return value;
}

function opt(value: string | null | undefined, stats: NormalizeStats): string | null {
  return value === undefined || value === null ? null : cleanString(value, stats);
}

function key(value: string | null | undefined, stats: NormalizeStats): string {
  return value === undefined || value === null ? '' : cleanString(value, stats);
}

function optNum(value: number | null | undefined): number | null {
  return value === undefined || value === null ? null : value;
}

/** One list row → ImageListing, or null (counted) when it has no usable image_id. */
export function normalizeImageRow(row: ImageRow, stats: NormalizeStats): ImageListing | null {
  const imageId = row.image_id === undefined || row.image_id === null ? '' : cleanString(row.image_id, stats);
  if (imageId === '') {
    stats.skippedWithoutImageId++;
    return null;
  }
  return {
    imageId,
    imageDigest: opt(row.image_digest, stats),
    namespace: opt(row.namespace, stats),
    imageName: opt(row.image_name, stats),
    imageVersion: opt(row.image_version, stats),
    instanceId: opt(row.instance_id, stats),
    registryName: opt(row.registry_name, stats),
    registryType: opt(row.registry_type, stats),
    hostId: opt(row.host_id, stats),
    hostName: opt(row.host_name, stats),
    scanStatus: opt(row.scan_status, stats),
    // 0 is what HSS sends while an image waits for its first scan: never scanned, not 1970.
    latestScanTime: row.latest_scan_time === 0 ? null : optNum(row.latest_scan_time),
    unsafeSettingNum: optNum(row.unsafe_setting_num),
    imageSize: optNum(row.image_size),
    latestUpdateTime: optNum(row.latest_update_time),
    listedImageType: opt(row.image_type, stats),
    severityLevel: opt(row.severity_level, stats),
    scanFailedDesc: opt(row.scan_failed_desc, stats),
    scanFailedCode: opt(row.scan_failed_code, stats),
    nonScanReason: opt(row.non_scan_reason, stats),
    latestVersion: opt(row.latest_version, stats),
    latestSyncTime: optNum(row.latest_sync_time),
    instanceName: opt(row.instance_name, stats),
    isMultipleArch: row.is_multiple_arch ?? null,
    cicdName: opt(row.cicd_name, stats),
    pipelineType: opt(row.pipeline_type, stats),
    localImageType: opt(row.local_image_type, stats),
    agentId: opt(row.agent_id, stats),
    hostNum: optNum(row.host_num),
    raw: cleanJson(row, stats) as Record<string, unknown>,
  };
}

/** A validated list page → total and listings (rows without image_id skipped and counted). */
export function normalizeImagePage(
  page: ImagePage,
  stats: NormalizeStats,
): { totalNum: number; rows: ImageListing[] } {
  const rows: ImageListing[] = [];
  for (const raw of page.data_list ?? []) {
    const row = normalizeImageRow(raw, stats);
    if (row) rows.push(row);
  }
  return { totalNum: page.total_num, rows };
}

/** One risk-config row → RiskConfig: absent key strings become '', absent values null. */
export function normalizeRiskConfigRow(row: RiskConfigRow, stats: NormalizeStats): RiskConfig {
  return {
    checkName: key(row.check_name, stats),
    checkType: key(row.check_type, stats),
    standard: key(row.standard, stats),
    severity: opt(row.severity, stats),
    checkRuleNum: optNum(row.check_rule_num),
    failedRuleNum: optNum(row.failed_rule_num),
    checkTypeDesc: opt(row.check_type_desc, stats),
  };
}

/** The result key of a risk-config row inside one image. */
export function riskConfigKey(row: RiskConfig): string {
  return JSON.stringify([row.checkName, row.checkType, row.standard]);
}

/**
 * Accumulates risk-config rows across pages, keeping the first row of each
 * (check_name, check_type, standard) and counting the rest as duplicates.
 */
export class RiskConfigCollector {
  private readonly seen = new Set<string>();
  readonly rows: RiskConfig[] = [];
  constructor(readonly stats: NormalizeStats) {}

  add(rows: readonly RiskConfigRow[]): void {
    for (const raw of rows) {
      const row = normalizeRiskConfigRow(raw, this.stats);
      const k = riskConfigKey(row);
      if (this.seen.has(k)) {
        this.stats.duplicates++;
        continue;
      }
      this.seen.add(k);
      this.rows.push(row);
    }
  }
}

/**
 * One rule row → RuleResult. An absent check_name / standard defaults to the call's filter (the
 * row answers it); an absent check_type becomes '' as in summaries, so the keys match.
 */
export function normalizeRuleRow(
  row: RuleRow,
  defaults: { checkName: string; standard: string },
  stats: NormalizeStats,
): RuleResult {
  const checkRuleId = cleanString(row.check_rule_id, stats);
  const checkName = row.check_name ? cleanString(row.check_name, stats) : defaults.checkName;
  return {
    checkName,
    checkType: key(row.check_type, stats),
    standard: row.standard ? cleanString(row.standard, stats) : defaults.standard,
    checkRuleId,
    checkRuleName: opt(row.check_rule_name, stats),
    severity: opt(row.severity, stats),
    scanResult: key(row.scan_result, stats),
  };
}

/** The answer of ShowImageCheckRuleDetail → RuleDetail (NUL policy on every string). */
export function normalizeRuleDetail(answer: RuleDetailAnswer, stats: NormalizeStats): RuleDetail {
  return {
    description: opt(answer.description, stats),
    reference: opt(answer.reference, stats),
    audit: opt(answer.audit, stats),
    remediation: opt(answer.remediation, stats),
    checkInfoList: (answer.check_info_list ?? []).map((i) => ({
      checkDescription: opt(i.check_description, stats),
      currentValue: opt(i.current_value, stats),
      suggestValue: opt(i.suggest_value, stats),
    })),
  };
}
