/**
 * Validated upstream rows → domain rows (src/domain.ts). Pure.
 *
 * NUL policy: PostgreSQL `text` cannot hold U+0000, so every string from upstream has each U+0000
 * replaced by U+FFFD (the replacement character) and the replacements are counted. Nothing else is
 * changed: Chinese text, emoji, newlines, surrounding spaces and 65,534-character strings are kept
 * exactly as they came.
 */
import type { ImageListing, RiskConfig, RuleDetail, RuleResult } from '../domain.js';
import type { CheckRuleRow, ImageRow, RiskConfigRow, RuleDetailAnswer, RuleRow } from './schemas.js';

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

/**
 * One list row → ImageListing, or null (counted) when it has no usable image_id. `received` is the
 * item as it came (before the schema's transforms): kept whole as `raw`, NUL policy applied to
 * every string, keys included. NULs are counted once, in `raw` (it holds every field).
 */
export function normalizeImageRow(
  row: ImageRow,
  received: unknown,
  stats: NormalizeStats,
): ImageListing | null {
  // The mapped fields repeat what `raw` holds: their replacements are not counted twice.
  const fields = emptyStats();
  const imageId =
    row.image_id === undefined || row.image_id === null ? '' : cleanString(row.image_id, fields);
  if (imageId === '') {
    stats.skippedWithoutImageId++;
    return null;
  }
  return {
    imageId,
    imageDigest: opt(row.image_digest, fields),
    namespace: opt(row.namespace, fields),
    imageName: opt(row.image_name, fields),
    imageVersion: opt(row.image_version, fields),
    instanceId: opt(row.instance_id, fields),
    registryName: opt(row.registry_name, fields),
    registryType: opt(row.registry_type, fields),
    hostId: opt(row.host_id, fields),
    hostName: opt(row.host_name, fields),
    scanStatus: opt(row.scan_status, fields),
    // 0 is what HSS sends while an image waits for its first scan: never scanned, not 1970.
    latestScanTime: row.latest_scan_time === 0 ? null : optNum(row.latest_scan_time),
    unsafeSettingNum: optNum(row.unsafe_setting_num),
    imageSize: optNum(row.image_size),
    latestUpdateTime: optNum(row.latest_update_time),
    listedImageType: opt(row.image_type, fields),
    severityLevel: opt(row.severity_level, fields),
    scanFailedDesc: opt(row.scan_failed_desc, fields),
    scanFailedCode: opt(row.scan_failed_code, fields),
    nonScanReason: opt(row.non_scan_reason, fields),
    latestVersion: opt(row.latest_version, fields),
    latestSyncTime: optNum(row.latest_sync_time),
    instanceName: opt(row.instance_name, fields),
    isMultipleArch: row.is_multiple_arch ?? null,
    cicdName: opt(row.cicd_name, fields),
    pipelineType: opt(row.pipeline_type, fields),
    localImageType: opt(row.local_image_type, fields),
    agentId: opt(row.agent_id, fields),
    hostNum: optNum(row.host_num),
    raw: rawObject(received, stats),
  };
}

/** The received item, NUL-cleaned, as a JSON object (a row that passed the schema is one). */
function rawObject(received: unknown, stats: NormalizeStats): Record<string, unknown> {
  const cleaned = cleanJson(received, stats);
  return cleaned !== null && typeof cleaned === 'object' && !Array.isArray(cleaned)
    ? (cleaned as Record<string, unknown>)
    : {};
}

/** A validated list row and the item it was parsed from. */
export interface ReceivedImageRow {
  row: ImageRow;
  received: unknown;
}

/**
 * A validated list page → total (null when the answer had none) and listings (rows without
 * image_id skipped and counted).
 */
export function normalizeImagePage(
  totalNum: number | null | undefined,
  items: readonly ReceivedImageRow[],
  stats: NormalizeStats,
): { totalNum: number | null; rows: ImageListing[] } {
  const rows: ImageListing[] = [];
  for (const { row, received } of items) {
    const listing = normalizeImageRow(row, received, stats);
    if (listing) rows.push(listing);
  }
  return { totalNum: totalNum ?? null, rows };
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
 * One ListImageRiskConfigRules row → RuleResult. An absent check_name / standard defaults to the
 * call's filter (the row answers it); an absent check_type becomes '' as in summaries, so the keys
 * match; an absent check_rule_id becomes '' (the row is kept; the rule writer decides).
 */
export function normalizeRuleRow(
  row: RuleRow,
  defaults: { checkName: string; standard: string },
  stats: NormalizeStats,
): RuleResult {
  const checkName = row.check_name ? cleanString(row.check_name, stats) : defaults.checkName;
  return {
    checkName,
    checkType: key(row.check_type, stats),
    standard: row.standard ? cleanString(row.standard, stats) : defaults.standard,
    checkRuleId: key(row.check_rule_id, stats),
    checkRuleName: opt(row.check_rule_name, stats),
    severity: opt(row.severity, stats),
    scanResult: key(row.scan_result, stats),
  };
}

/**
 * One ListCheckRulesInfo row → RuleResult with checkTypeDesc. No filter names the baseline, so
 * absent key strings become '' (as in summaries).
 */
export function normalizeCheckRuleRow(row: CheckRuleRow, stats: NormalizeStats): RuleResult {
  return {
    checkName: key(row.check_name, stats),
    checkType: key(row.check_type, stats),
    standard: key(row.standard, stats),
    checkRuleId: key(row.check_rule_id, stats),
    checkRuleName: opt(row.check_rule_name, stats),
    severity: opt(row.severity, stats),
    scanResult: key(row.scan_result, stats),
    checkTypeDesc: opt(row.check_type_desc, stats),
  };
}

/**
 * Accumulates rule results across pages, keeping the first of each rule key and counting the
 * rest as duplicates. A row with an empty check_rule_id has no identity to compare: each is kept.
 */
export class RuleCollector {
  private readonly seen = new Set<string>();
  readonly rows: RuleResult[] = [];
  constructor(
    readonly stats: NormalizeStats,
    private readonly keyOf: (row: RuleResult) => string,
  ) {}

  add(row: RuleResult): void {
    if (row.checkRuleId !== '') {
      const k = this.keyOf(row);
      if (this.seen.has(k)) {
        this.stats.duplicates++;
        return;
      }
      this.seen.add(k);
    }
    this.rows.push(row);
  }
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
