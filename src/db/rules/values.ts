/**
 * The current values of failed rules per image (ShowImageCheckRuleDetail with the image's
 * filters: check_info_list[].current_value is that image's value). Descriptions stay once per
 * rule in rule_descriptions (write.ts); the values live in hss_internal.image_rule_values, one
 * row per image and rule, replaced when the rule result's version in force is newer.
 */
import type { ImageRuleRef, ImageRuleValues, RuleKey, Scope } from '../../domain.js';
import { Params } from '../params.js';
import type { DbHandle } from '../pool.js';
import { RULE_RESULT_KEY_COLUMNS, ruleResultKeySql } from '../schema/index.js';
import { query } from '../tx.js';

// Failed current rule results of present contents whose values are missing or were fetched
// before the version in force began, each with the filters of one present reference of its
// content (chosen as hss_internal.content_listing chooses: latest scan, then most recently
// changed, then ref_key). One page in key order after the cursor ($4..$8; '' before the first
// key, which no rule has: its check_rule_id is never empty), at most $9 rows. Linear at any
// scale, statistics or not: the open failed rules are read in key order from their partial
// index from the cursor on, and each row probes its content, its values and its image's present
// references by key; nothing reads the scope whole.
const RULE_VALUES_DUE = `
SELECT d.image_id, d.check_name, d.check_type, d.standard, d.check_rule_id,
       l.namespace, l.image_name, l.image_version, l.instance_id
FROM (
  SELECT h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type,
         h.standard, h.check_rule_id
  FROM hss_internal.image_rule_history h
  WHERE h.project_id = $1 AND h.enterprise_project_id = $2 AND h.image_type = $3
    AND h.valid_to IS NULL AND h.scan_result = 'failed' AND h.check_rule_id <> ''
    AND (h.image_id, h.check_name, h.check_type, h.standard, h.check_rule_id) > ($4, $5, $6, $7, $8)
    -- A scalar subquery, not EXISTS: the planner cannot turn it into a join that scans the scope's
    -- contents for each rule; it probes the content's primary key.
    AND (SELECT c.removed_at IS NULL FROM hss_internal.image_contents c
         WHERE c.project_id = h.project_id AND c.enterprise_project_id = h.enterprise_project_id
           AND c.image_type = h.image_type AND c.image_id = h.image_id) IS TRUE
    AND NOT EXISTS (
      SELECT 1 FROM hss_internal.image_rule_values v
      WHERE v.rule_result_key = h.rule_result_key AND v.fetched_at >= h.valid_from)
  ORDER BY h.image_id, h.check_name, h.check_type, h.standard, h.check_rule_id
  LIMIT $9) AS d
CROSS JOIN LATERAL (
  SELECT r.namespace, r.image_name, r.image_version, r.instance_id
  FROM hss_internal.image_refs r
  WHERE r.project_id = d.project_id AND r.enterprise_project_id = d.enterprise_project_id
    AND r.image_type = d.image_type AND r.image_id = d.image_id AND r.removed_at IS NULL
  ORDER BY r.latest_scan_time DESC NULLS LAST, r.changed_at DESC, r.ref_key
  LIMIT 1) AS l
ORDER BY d.image_id, d.check_name, d.check_type, d.standard, d.check_rule_id`;

/** Where a page of the values due ends: the next page starts after this (image, rule). */
export interface RuleValuesCursor {
  imageId: string;
  key: RuleKey;
}

/** Rows of a page of the values due (a bounded batch; the drill-down reads the next on demand). */
export const RULE_VALUES_PAGE = 500;

interface DueRow {
  image_id: string;
  check_name: string;
  check_type: string;
  standard: string;
  check_rule_id: string;
  namespace: string | null;
  image_name: string | null;
  image_version: string | null;
  instance_id: string | null;
}

/**
 * One page of the failed current rule results of `scope` (present contents; valid_to NULL,
 * scan_result failed, a rule id) whose values are missing or older than the rule version's
 * valid_from, with the image's filters; ordered by image_id, check_name, check_type, standard,
 * check_rule_id, after `after` (null: from the first), at most `limit` (default
 * RULE_VALUES_PAGE). A page shorter than `limit` is the last. An image without a present
 * reference has no filters to ask with: it is left out (as a removed content is).
 */
export async function loadRuleValuesDue(
  h: DbHandle,
  scope: Scope,
  after: RuleValuesCursor | null = null,
  limit = RULE_VALUES_PAGE,
): Promise<ImageRuleRef[]> {
  const res = await query<DueRow>(h, 'loadRuleValuesDue', RULE_VALUES_DUE, [
    scope.projectId,
    scope.enterpriseProjectId,
    scope.imageType,
    after?.imageId ?? '',
    after?.key.checkName ?? '',
    after?.key.checkType ?? '',
    after?.key.standard ?? '',
    after?.key.checkRuleId ?? '',
    limit,
  ]);
  return res.rows.map((r) => ({
    scope,
    image: {
      imageId: r.image_id,
      namespace: r.namespace,
      imageName: r.image_name,
      imageVersion: r.image_version,
      instanceId: r.instance_id,
    },
    key: {
      checkName: r.check_name,
      checkType: r.check_type,
      standard: r.standard,
      checkRuleId: r.check_rule_id,
    },
  }));
}

/** One item as the upsert reads it (snake_case, check_info_list as JSON text). */
function valueRow(item: ImageRuleValues): Record<string, string> {
  return {
    project_id: item.scope.projectId,
    enterprise_project_id: item.scope.enterpriseProjectId,
    image_type: item.scope.imageType,
    image_id: item.imageId,
    check_name: item.key.checkName,
    check_type: item.key.checkType,
    standard: item.key.standard,
    check_rule_id: item.key.checkRuleId,
    check_info_list: JSON.stringify(
      item.checkInfoList.map((i) => ({
        check_description: i.checkDescription,
        current_value: i.currentValue,
        suggest_value: i.suggestValue,
      })),
    ),
  };
}

/**
 * Records the values of each (image, rule) of `items` fetched at `at` by `runId`, replacing what
 * was stored for it, with the rule result version open now (NULL when none is). One statement;
 * an (image, rule) given twice keeps the last.
 */
export async function upsertRuleValues(
  h: DbHandle,
  runId: string,
  at: Date,
  items: readonly ImageRuleValues[],
): Promise<void> {
  if (items.length === 0) return;
  const byKey = new Map<string, Record<string, string>>();
  for (const row of items.map(valueRow)) {
    byKey.set(JSON.stringify(RULE_RESULT_KEY_COLUMNS.map((c) => row[c])), row);
  }
  const p = new Params();
  const from = p.unnest(
    [...byKey.values()],
    [...RULE_RESULT_KEY_COLUMNS.map((c) => [c, 'text'] as const), ['check_info_list', 'jsonb']],
    'i',
  );
  const [$at, $run] = [p.add(at), p.add(runId)];
  const cols = RULE_RESULT_KEY_COLUMNS.join(', ');
  await query(
    h,
    'upsertRuleValues',
    `INSERT INTO hss_internal.image_rule_values AS t (${cols}, check_info_list, version_id, fetched_at, run_id)
     SELECT ${RULE_RESULT_KEY_COLUMNS.map((c) => `i.${c}`).join(', ')}, i.check_info_list,
            (SELECT r.version_id FROM hss_internal.image_rule_history r
              WHERE r.rule_result_key = ${ruleResultKeySql('i')} AND r.valid_to IS NULL),
            ${$at}, ${$run}::uuid
     FROM ${from}
     ON CONFLICT (rule_result_key) DO UPDATE SET
       check_info_list = excluded.check_info_list,
       version_id = excluded.version_id,
       fetched_at = excluded.fetched_at,
       run_id = excluded.run_id`,
    p.values,
  );
}
