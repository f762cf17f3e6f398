/**
 * What the rule drill-down has to do in a scope, read set-based from what is stored: the images
 * whose summaries changed since their rules were fetched, and the rule descriptions missing or
 * due for a refresh.
 */
import type { RuleKey, Scope } from '../../domain.js';
import type { DbHandle } from '../pool.js';
import { ruleKeySql } from '../schema/index.js';
import { query } from '../tx.js';

/** A baseline and standard of an image whose summary says some of its rules failed. */
export interface FailingBaseline {
  checkName: string;
  standard: string;
}

/** An image whose rules must be fetched (again). */
export interface RulesDue {
  imageId: string;
  /** Signature of the image's current summaries (recorded with the rules). */
  signature: string;
  /** Pairs to page through, sorted; empty = no rule fails now (its failed rules are closed). */
  failing: FailingBaseline[];
  /**
   * The latest_scan_time (epoch ms) of the listing the image's summaries were fetched for
   * (image_contents.fetched_scan_time): the rules' scanned_at. Absent = not known.
   */
  scannedAt?: number | null;
}

/**
 * The signature of an image's current summaries: md5 over (result key, check_rule_num,
 * failed_rule_num) of its open versions, in key order. Any rescan that changes a count changes it.
 */
const SIGNATURE = `md5(coalesce(string_agg(
  h.result_key::text || ':' || coalesce(h.check_rule_num::text, '-') || ':' || coalesce(h.failed_rule_num::text, '-'),
  ',' ORDER BY h.result_key), ''))`;

const rulesDue = (onlyImages: boolean) => `
SELECT c.image_id, s.signature, s.failing,
  (extract(epoch FROM c.fetched_scan_time) * 1000)::bigint AS scanned_at
FROM hss_internal.image_contents c
CROSS JOIN LATERAL (
  SELECT ${SIGNATURE} AS signature,
    coalesce(jsonb_agg(DISTINCT jsonb_build_object('checkName', h.check_name, 'standard', h.standard))
      FILTER (WHERE h.failed_rule_num > 0), '[]'::jsonb) AS failing
  FROM hss_internal.image_baseline_history h
  WHERE h.valid_to IS NULL AND h.project_id = c.project_id
    AND h.enterprise_project_id = c.enterprise_project_id AND h.image_type = c.image_type
    AND h.image_id = c.image_id) AS s
LEFT JOIN hss_internal.image_rule_state r
  ON r.project_id = c.project_id AND r.enterprise_project_id = c.enterprise_project_id
  AND r.image_type = c.image_type AND r.image_id = c.image_id
WHERE c.project_id = $1 AND c.enterprise_project_id = $2 AND c.image_type = $3
  AND c.removed_at IS NULL AND c.outcome = 'fetched'
  AND (r.image_id IS NULL OR r.summary_signature <> s.signature OR r.rule_detail <> $4)
  ${onlyImages ? 'AND c.image_id = ANY($5::text[])' : ''}
ORDER BY c.image_id`;

/**
 * Present, fetched images of `scope` whose current summaries differ from those their rules were
 * fetched for (or that were fetched under another HSS_RULE_DETAIL), with the baselines to page.
 */
export async function loadRulesDue(h: DbHandle, scope: Scope, mode: 'failed' | 'all'): Promise<RulesDue[]> {
  return rulesDueOf(h, scope, mode, null);
}

/**
 * loadRulesDue for the given images only: the drill-down asks it for the images whose summaries
 * were just written, so their rules are fetched within the same run.
 */
export async function loadRulesDueFor(
  h: DbHandle,
  scope: Scope,
  mode: 'failed' | 'all',
  imageIds: readonly string[],
): Promise<RulesDue[]> {
  if (imageIds.length === 0) return [];
  return rulesDueOf(h, scope, mode, imageIds);
}

async function rulesDueOf(
  h: DbHandle,
  scope: Scope,
  mode: 'failed' | 'all',
  imageIds: readonly string[] | null,
): Promise<RulesDue[]> {
  const params: unknown[] = [scope.projectId, scope.enterpriseProjectId, scope.imageType, mode];
  if (imageIds) params.push([...imageIds]);
  const res = await query<{
    image_id: string;
    signature: string;
    failing: FailingBaseline[];
    scanned_at: string | null;
  }>(h, imageIds ? 'loadRulesDueFor' : 'loadRulesDue', rulesDue(imageIds !== null), params);
  return res.rows.map((r) => ({
    imageId: r.image_id,
    signature: r.signature,
    scannedAt: r.scanned_at === null ? null : Number(r.scanned_at),
    failing: [...r.failing].sort(
      (a, b) =>
        (a.checkName < b.checkName ? -1 : a.checkName > b.checkName ? 1 : 0) ||
        (a.standard < b.standard ? -1 : a.standard > b.standard ? 1 : 0),
    ),
  }));
}

/** A rule key as the queries below return it. */
interface RuleKeyRow {
  check_name: string;
  check_type: string;
  standard: string;
  check_rule_id: string;
}

const ruleKeyOf = (r: RuleKeyRow): RuleKey => ({
  checkName: r.check_name,
  checkType: r.check_type,
  standard: r.standard,
  checkRuleId: r.check_rule_id,
});

const DESCRIPTIONS_DUE = `
SELECT DISTINCT ON (h.rule_key) h.check_name, h.check_type, h.standard, h.check_rule_id
FROM hss_internal.image_rule_history h
LEFT JOIN hss_internal.rule_descriptions d ON d.rule_key = h.rule_key
WHERE h.valid_to IS NULL AND h.project_id = $1 AND h.enterprise_project_id = $2 AND h.image_type = $3
  AND (d.rule_key IS NULL OR d.fetched_at < $4)
ORDER BY h.rule_key`;

/**
 * Distinct rules of the scope's current rule results whose description is missing or was
 * fetched before `staleBefore`.
 */
export async function loadDescriptionsDue(h: DbHandle, scope: Scope, staleBefore: Date): Promise<RuleKey[]> {
  const res = await query<RuleKeyRow>(h, 'loadDescriptionsDue', DESCRIPTIONS_DUE, [
    scope.projectId,
    scope.enterpriseProjectId,
    scope.imageType,
    staleBefore,
  ]);
  return res.rows.map(ruleKeyOf);
}

/**
 * Of `keys` (rules just written), those whose description is missing or was fetched before
 * `staleBefore`: the drill-down asks for their descriptions within the same run.
 */
export async function filterDescriptionsDue(
  h: DbHandle,
  keys: readonly RuleKey[],
  staleBefore: Date,
): Promise<RuleKey[]> {
  if (keys.length === 0) return [];
  const res = await query<RuleKeyRow>(
    h,
    'filterDescriptionsDue',
    `SELECT k.check_name, k.check_type, k.standard, k.check_rule_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
            WITH ORDINALITY AS k(check_name, check_type, standard, check_rule_id, n)
       LEFT JOIN hss_internal.rule_descriptions d ON d.rule_key = ${ruleKeySql('k')}
      WHERE d.rule_key IS NULL OR d.fetched_at < $5
      ORDER BY k.n`,
    [
      keys.map((k) => k.checkName),
      keys.map((k) => k.checkType),
      keys.map((k) => k.standard),
      keys.map((k) => k.checkRuleId),
      staleBefore,
    ],
  );
  return res.rows.map(ruleKeyOf);
}
