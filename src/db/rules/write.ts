/**
 * Writes rule results and rule descriptions. Rule results of an image are replaced as a whole,
 * like its summaries: in one transaction per batch the image's rule state is recorded, every open
 * version no incoming row repeats exactly is closed, and a version is opened for every incoming
 * row without an identical open one. Identical results write no history tuple (a new scan time or
 * source alone opens nothing: scanned_at and source_api are set when a version opens). Every version is
 * chained to the previous one of its key and sealed when closed (docs/sql.md, "Tamper evidence").
 *
 * A version is closed only by an answer that covers it: an `all` answer covers every rule of the
 * image, a `failed` answer only its failed ones. Under `failed`, a passed version (opened under
 * `all`) stays open unless the answer lists its rule with other values (the rule fails now);
 * HSS_RULE_DETAIL going from `all` to `failed` closes nothing by itself (docs/sql.md, "Rules").
 */
import type { RuleDetail, RuleKey, RuleResult, RuleSource, Scope } from '../../domain.js';
import { type ColumnSpec, Params } from '../params.js';
import type { DbHandle } from '../pool.js';
import {
  CHAIN_CLOSE_SQL,
  IMAGE_KEY_COLUMNS as IMAGE_COLS,
  RULE_RESULT_KEY_COLUMNS as KEY_COLS,
  ruleResultKeySql,
} from '../schema/index.js';
import { inTransaction, query } from '../tx.js';
import { scanTimeIso } from '../writer/results-plan.js';

/** The rules fetched for one image (all of them for the mode: an absent rule is closed). */
export interface ImageRulesItem {
  scope: Scope;
  imageId: string;
  /** Signature of the summaries the rules were fetched for (src/db/rules/due.ts). */
  signature: string;
  mode: 'failed' | 'all';
  /** Rows with an empty checkRuleId are not given (the caller sets them aside). */
  rules: RuleResult[];
  /** The API the rules came from (history column source_api). */
  source: RuleSource;
  /** The image's latest_scan_time (epoch ms) the rules answer to (history column scanned_at). */
  scannedAt: number | null;
  /**
   * False when rows of the answer were set aside (schema-invalid, or without a check_rule_id):
   * the rows given are written, but no open version is closed (an absent rule may be one of the
   * rows set aside, not a fixed one) and the rule state is not recorded, so the image stays due
   * and its rules are fetched again. Absent = true.
   */
  complete?: boolean;
}

interface Statement {
  text: string;
  values: unknown[];
}

const VALUE_COLS = ['check_rule_name', 'severity', 'scan_result'] as const;
const IMAGE_SPEC: ColumnSpec = IMAGE_COLS.map((c) => [c, 'text'] as const);
const RULE_SPEC: ColumnSpec = [...KEY_COLS, ...VALUE_COLS].map((c) => [c, 'text'] as const);

const eq = (a: string, b: string, cols: readonly string[]) =>
  cols.map((c) => `${a}.${c} = ${b}.${c}`).join(' AND ');
const list = (a: string, cols: readonly string[]) => cols.map((c) => `${a}.${c}`).join(', ');

interface ImageRow {
  project_id: string;
  enterprise_project_id: string;
  image_type: string;
  image_id: string;
}

function imageRow(item: ImageRulesItem): ImageRow {
  return {
    project_id: item.scope.projectId,
    enterprise_project_id: item.scope.enterpriseProjectId,
    image_type: item.scope.imageType,
    image_id: item.imageId,
  };
}

function stateSql(items: readonly ImageRulesItem[], at: Date, runId: string): Statement {
  const p = new Params();
  const rows = items.map((i) => ({
    ...imageRow(i),
    summary_signature: i.signature,
    rule_detail: i.mode,
    rule_count: i.rules.length,
  }));
  const from = p.unnest(
    rows,
    [...IMAGE_SPEC, ['summary_signature', 'text'], ['rule_detail', 'text'], ['rule_count', 'integer']],
    'r',
  );
  const $at = p.add(at);
  const $run = p.add(runId);
  const text = `
INSERT INTO hss_internal.image_rule_state AS s (${IMAGE_COLS.join(', ')}, summary_signature, rule_detail,
  rule_count, fetched_at, run_id)
SELECT ${list('r', IMAGE_COLS)}, r.summary_signature, r.rule_detail, r.rule_count, ${$at}, ${$run}
FROM ${from}
ON CONFLICT (${IMAGE_COLS.join(', ')}) DO UPDATE SET
  summary_signature = excluded.summary_signature, rule_detail = excluded.rule_detail,
  rule_count = excluded.rule_count, fetched_at = excluded.fetched_at, run_id = excluded.run_id`;
  return { text, values: p.values };
}

/**
 * Per image, the instant its versions open and close at: `at`, or when the clock went back or
 * stood still, the earliest later instant after everything in the image's history (a version
 * being closed must end after it began; a key reopened must not overlap its last version).
 */
function floorsSql(items: readonly ImageRulesItem[], at: Date): Statement {
  const p = new Params();
  const img = p.unnest(items.map(imageRow), IMAGE_SPEC, 'i');
  const $at = p.add(at);
  const text = `
SELECT ${list('i', IMAGE_COLS)},
  greatest(${$at}::timestamptz, (
    SELECT max(greatest(h.valid_from + interval '1 millisecond', h.valid_to))
    FROM hss_internal.image_rule_history h WHERE ${eq('h', 'i', IMAGE_COLS)})) AS at
FROM ${img}`;
  return { text, values: p.values };
}

function rulesRows(items: readonly ImageRulesItem[], atOf: Map<string, Date>) {
  return items.flatMap((i) =>
    i.rules.map((r) => ({
      ...imageRow(i),
      check_name: r.checkName,
      check_type: r.checkType,
      standard: r.standard,
      check_rule_id: r.checkRuleId,
      check_rule_name: r.checkRuleName,
      severity: r.severity,
      scan_result: r.scanResult,
      at: atOf.get(imageKey(imageRow(i))),
      scanned_at: scanTimeIso(i.scannedAt),
      source_api: i.source,
    })),
  );
}

function imageKey(r: ImageRow): string {
  return JSON.stringify([r.project_id, r.enterprise_project_id, r.image_type, r.image_id]);
}

function closeSql(
  images: readonly (ImageRow & { at: Date; rule_detail: string })[],
  rules: readonly object[],
  runId: string,
): Statement {
  const p = new Params();
  const img = p.unnest(images, [...IMAGE_SPEC, ['at', 'timestamptz'], ['rule_detail', 'text']], 'i');
  const res = p.unnest(rules, RULE_SPEC, 'r');
  const $run = p.add(runId);
  const text = `
WITH img AS (SELECT * FROM ${img}),
res AS (SELECT * FROM ${res}),
gone AS (
  SELECT h.version_id, img.at
  FROM img JOIN hss_internal.image_rule_history h ON h.valid_to IS NULL AND ${eq('h', 'img', IMAGE_COLS)}
  WHERE NOT EXISTS (
    SELECT 1 FROM res r
    WHERE ${eq('r', 'h', KEY_COLS)}
      AND (${list('r', VALUE_COLS)}) IS NOT DISTINCT FROM (${list('h', VALUE_COLS)}))
    -- Covered by the answer: every rule under 'all', failed ones under 'failed', and any rule the
    -- answer lists (with other values: the version it replaces closes).
    AND (img.rule_detail = 'all' OR h.scan_result = 'failed'
      OR EXISTS (SELECT 1 FROM res r WHERE ${eq('r', 'h', KEY_COLS)}))
)
UPDATE hss_internal.image_rule_history h SET valid_to = gone.at, closed_run_id = ${$run},
  chain_hash = ${CHAIN_CLOSE_SQL('gone.at', `${$run}::uuid`, 'h')}
FROM gone WHERE h.version_id = gone.version_id`;
  return { text, values: p.values };
}

function openSql(rules: readonly object[], runId: string): Statement {
  const p = new Params();
  const res = p.unnest(
    rules,
    [...RULE_SPEC, ['at', 'timestamptz'], ['scanned_at', 'timestamptz'], ['source_api', 'text']],
    'r',
  );
  const $run = p.add(runId);
  const text = `
INSERT INTO hss_internal.image_rule_history (${KEY_COLS.join(', ')}, ${VALUE_COLS.join(', ')}, valid_from,
  opened_run_id, scanned_at, source_api, prev_hash, chain_hash)
SELECT ${list('r', KEY_COLS)}, ${list('r', VALUE_COLS)}, r.at, ${$run}, r.scanned_at, r.source_api, prev.chain_hash,
  hss_internal.rule_version_hash(prev.chain_hash, ${list('r', KEY_COLS)}, ${list('r', VALUE_COLS)}, r.at, ${$run}::uuid,
    r.scanned_at, r.source_api)
FROM ${res}
LEFT JOIN LATERAL (
  SELECT f.chain_hash FROM hss_internal.image_rule_history f
  WHERE f.rule_result_key = ${ruleResultKeySql('r')}
  ORDER BY f.valid_from DESC LIMIT 1) AS prev ON true
WHERE NOT EXISTS (
  SELECT 1 FROM hss_internal.image_rule_history h
  WHERE h.valid_to IS NULL AND h.rule_result_key = ${ruleResultKeySql('r')})`;
  return { text, values: p.values };
}

/**
 * Writes the rules of a batch of images in ONE transaction: rule state (signature, mode,
 * fetched_at = at), then closes and opens versions as described in the module comment. An
 * incomplete item (`complete: false`) only opens versions.
 */
export async function writeImageRules(
  h: DbHandle,
  runId: string,
  at: Date,
  items: readonly ImageRulesItem[],
): Promise<{ versionsOpened: number; versionsClosed: number }> {
  if (items.length === 0) return { versionsOpened: 0, versionsClosed: 0 };
  return inTransaction(h, { op: 'writeImageRules' }, async (client) => {
    const run = (s: Statement) => client.query(s.text, s.values);
    const complete = items.filter((i) => i.complete !== false);
    if (complete.length > 0) await run(stateSql(complete, at, runId));
    const floors = await client.query<ImageRow & { at: Date }>(floorsSql(items, at));
    const atOf = new Map(floors.rows.map((r) => [imageKey(r), r.at]));
    const rows = rulesRows(items, atOf);
    const modeOf = new Map(complete.map((i) => [imageKey(imageRow(i)), i.mode]));
    const closing = floors.rows.flatMap((r) => {
      const mode = modeOf.get(imageKey(r));
      return mode ? [{ ...r, rule_detail: mode }] : [];
    });
    const closed = closing.length > 0 ? await run(closeSql(closing, rows, runId)) : { rowCount: 0 };
    const opened = await run(openSql(rows, runId));
    return { versionsOpened: opened.rowCount ?? 0, versionsClosed: closed.rowCount ?? 0 };
  });
}

const UPSERT_DESCRIPTION = `
INSERT INTO hss_internal.rule_descriptions (check_name, check_type, standard, check_rule_id, description,
  reference, audit, remediation, check_info_list, fetched_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
ON CONFLICT (rule_key) DO UPDATE SET
  description = excluded.description, reference = excluded.reference, audit = excluded.audit,
  remediation = excluded.remediation, check_info_list = excluded.check_info_list,
  fetched_at = excluded.fetched_at`;

/** Stores (or refreshes) one rule's description, fetched at `at`. */
export async function upsertRuleDescription(
  h: DbHandle,
  key: RuleKey,
  detail: RuleDetail,
  at: Date,
): Promise<void> {
  await query(h, 'upsertRuleDescription', UPSERT_DESCRIPTION, [
    key.checkName,
    key.checkType,
    key.standard,
    key.checkRuleId,
    detail.description,
    detail.reference,
    detail.audit,
    detail.remediation,
    JSON.stringify(
      detail.checkInfoList.map((i) => ({
        check_description: i.checkDescription,
        current_value: i.currentValue,
        suggest_value: i.suggestValue,
      })),
    ),
    at,
  ]);
}
