/**
 * The rule level of the simulated world (docs/hss-api.md section 3): ListImageRiskConfigRules and
 * ShowImageCheckRuleDetail. Rules are derived, not stored (rule-gen.ts): a baseline row with
 * check_rule_num N has N rules, exactly failed_rule_num of them failed, so the rule rows of an
 * image add up to its summaries. Pure: world and parsed query in, reply out.
 *
 * Documented ranges played (official SDK request models, huaweicloud-sdk-go-v3 / -java-v3
 * services/hss/v5):
 * - ListImageRiskConfigRulesRequest: image_type private_image, shared_image, local_image,
 *   instance_image (other values, cicd / registry / local included: an empty result, as the
 *   sibling ListImageRiskConfigs documents for values outside its range); offset 0–2,000,000,
 *   limit 10–200 (400 HSS.0001 outside); standard cn_standard, hw_standard, qt_standard; severity
 *   Security…Critical; result_type pass / failed (other values: an empty result).
 * - ShowImageCheckRuleDetailRequest: the same four image types; image_type, check_name,
 *   check_type, check_rule_id and standard required (400 HSS.0001); optional image filters
 *   image_id, namespace, image_name, image_version, instance_id.
 *
 * Assumptions (no source settles them): ShowImageCheckRuleDetail for an image_type outside its
 * range answers 200 with every field absent (`{}`); without image filters, or when no image of
 * the scope matches them or the matching image has no result for the rule, check_info_list
 * carries no current_value; image filters that match several images answer for the first in
 * listing order.
 */
import type { ImageType, RuleDetail, RuleResult } from '../domain.js';
import { epParam, imagePageParams, matchingContents, type RefFilter } from './images-filter.js';
import { filterParam, pageOf } from './query.js';
import { emptyPage, invalidParam, type Reply } from './reply.js';
import {
  currentValueOf,
  RESULT_TYPES,
  ruleNameOf,
  ruleSection,
  rulesOfRow,
  SEVERITIES,
  STANDARDS,
  suggestValueOf,
} from './rule-gen.js';
import { RULES_API_TYPES, type SimWorld } from './world.js';

function ruleToWire(r: RuleResult): Record<string, unknown> {
  return {
    check_name: r.checkName,
    check_rule_id: r.checkRuleId,
    check_rule_name: r.checkRuleName,
    check_type: r.checkType,
    scan_result: r.scanResult,
    severity: r.severity,
    standard: r.standard,
  };
}

const NAMESPACE_TYPES: readonly string[] = ['private_image', 'shared_image'];

/**
 * The image filters of a per-image request, as ListImageRiskConfigs reads them (image_id
 * outranks image_name + image_version; image_version only with image_name); namespace only for
 * private_image / shared_image unless `anyNamespace`.
 */
export function imageFilterOf(q: Map<string, string>, imageType: string, anyNamespace = false): RefFilter {
  const imageId = q.get('image_id') || undefined;
  const imageName = q.get('image_name');
  return {
    namespace: anyNamespace || NAMESPACE_TYPES.includes(imageType) ? q.get('namespace') : undefined,
    instanceId: q.get('instance_id'),
    imageId,
    imageName: imageId ? undefined : imageName,
    imageVersion: imageId || !imageName ? undefined : q.get('image_version'),
  };
}

/**
 * ListImageRiskConfigRules for `checkName` (the decoded path segment). Validation (400 HSS.0001):
 * image_type and standard required, offset 0–2,000,000, limit 10–200, enterprise_project_id 1–256,
 * image_id ≤ 128 chars; image_type outside its range and unknown standard / severity /
 * result_type give an empty result. Rows: every rule of the matching contents' rows of that
 * baseline and standard.
 */
export function listImageRiskConfigRules(
  world: SimWorld,
  projectId: string,
  checkName: string,
  q: Map<string, string>,
): Reply {
  const params = imagePageParams(q, ['image_type', 'standard']);
  if ('status' in params) return params;
  const { image_type: imageType, standard, offset, limit, ep } = params;

  const severity = filterParam(q, 'severity', SEVERITIES);
  const resultType = filterParam(q, 'result_type', RESULT_TYPES);
  const known = (RULES_API_TYPES as readonly string[]).includes(imageType) && STANDARDS.includes(standard);
  if (!known || severity === null || resultType === null) return emptyPage();
  const ruleName = q.get('check_rule_name') || undefined;

  const contents = matchingContents(
    world,
    projectId,
    ep,
    imageType as ImageType,
    imageFilterOf(q, imageType),
  );
  const rows = contents
    .flatMap((c) =>
      c.rows
        .filter((row) => row.checkName === checkName && row.standard === standard)
        .flatMap((row) => rulesOfRow(c.imageId, row)),
    )
    .filter(
      (r) =>
        (!resultType || r.scanResult === resultType) &&
        (!severity || r.severity === severity) &&
        (!ruleName || (r.checkRuleName ?? '').includes(ruleName)),
    );
  const page = pageOf(rows, offset, limit);
  return { status: 200, body: { total_num: page.total_num, data_list: page.data_list.map(ruleToWire) } };
}

/**
 * The description of a rule: derived from its key alone, so the same for every image. Its one
 * check_info_list entry has no current value (currentValue null): that is per image.
 */
export function ruleDetailOf(
  checkName: string,
  checkType: string,
  standard: string,
  ruleId: string,
): RuleDetail {
  const name = ruleNameOf(checkName, checkType, ruleId);
  return {
    description: `${name} must be set as the ${standard} standard requires.`,
    reference: `${standard} ${checkType} benchmark, item ${ruleId}`,
    audit: `Check ${name} in the image's configuration files.`,
    remediation: `Set ${name} to its recommended value and rebuild the image.`,
    checkInfoList: [
      { checkDescription: `${name} value`, currentValue: null, suggestValue: suggestValueOf(ruleId) },
    ],
  };
}

/**
 * The current value of a rule on the image the filters name, or undefined (no image filter, no
 * matching image, or no result of that rule on it).
 */
function currentValueFor(
  world: SimWorld,
  projectId: string,
  ep: string,
  q: Map<string, string>,
  key: { checkName: string; checkType: string; standard: string; checkRuleId: string },
): string | undefined {
  const imageType = q.get('image_type') as ImageType;
  const filter = imageFilterOf(q, imageType);
  const filtered = filter.imageId || filter.imageName || filter.namespace || filter.instanceId;
  if (!filtered) return undefined;
  const content = matchingContents(world, projectId, ep, imageType, filter)[0];
  const row = content?.rows.find(
    (r) => r.checkName === key.checkName && r.checkType === key.checkType && r.standard === key.standard,
  );
  if (!content || !row) return undefined;
  const rule = rulesOfRow(content.imageId, row).find((r) => r.checkRuleId === key.checkRuleId);
  if (!rule) return undefined;
  return currentValueOf(content.imageId, key, rule.scanResult === 'failed');
}

/**
 * ShowImageCheckRuleDetail: image_type, check_name, check_type, check_rule_id and standard
 * required (400 HSS.0001 when missing); image_type outside its range: `{}` (assumption, see the
 * file comment); a rule outside the world's catalogue answers 404 HSS.0005. With image filters,
 * check_info_list[].current_value is that image's value (rule-gen.ts currentValueOf).
 */
export function showImageCheckRuleDetail(world: SimWorld, projectId: string, q: Map<string, string>): Reply {
  for (const name of ['image_type', 'check_name', 'check_type', 'check_rule_id', 'standard']) {
    if (!q.get(name)) return invalidParam(name, 'required');
  }
  const ep = epParam(q);
  if (typeof ep !== 'string') return ep;
  if ((q.get('image_id') ?? '').length > 128) return invalidParam('image_id', 'at most 128 characters');
  if (!(RULES_API_TYPES as readonly string[]).includes(q.get('image_type') as string)) {
    return { status: 200, body: {} };
  }
  const key = {
    checkName: q.get('check_name') as string,
    checkType: q.get('check_type') as string,
    standard: q.get('standard') as string,
    checkRuleId: q.get('check_rule_id') as string,
  };
  const prefix = `${ruleSection(key.checkType)}.`;
  if (!key.checkRuleId.startsWith(prefix) || !/^\d+$/.test(key.checkRuleId.slice(prefix.length))) {
    return { status: 404, body: { error_code: 'HSS.0005', error_msg: 'The check rule does not exist' } };
  }
  const d = ruleDetailOf(key.checkName, key.checkType, key.standard, key.checkRuleId);
  const current = currentValueFor(world, projectId, ep, q, key);
  return {
    status: 200,
    body: {
      description: d.description,
      reference: d.reference,
      audit: d.audit,
      remediation: d.remediation,
      check_info_list: d.checkInfoList.map((i) => ({
        check_description: i.checkDescription,
        ...(current === undefined ? {} : { current_value: current }),
        suggest_value: i.suggestValue,
      })),
    },
  };
}
