/**
 * The rule level of the simulated world (hss-api.md section 3): ListImageRiskConfigRules and
 * ShowImageCheckRuleDetail. Rules are derived, not stored: a baseline row with check_rule_num N
 * has the rules `<n>.1` … `<n>.N` (the same catalogue for every image), and which of them fail is
 * a seeded choice of exactly failed_rule_num of them from (image_id, row key, failed_rule_num).
 * So the failed rules of an image always number its failed_rule_num, and a rescan that changes a
 * row's failed_rule_num changes its failed rules with it. Pure: world and parsed query in, reply out.
 */
import { IMAGE_TYPES, type ImageType, type RuleDetail, type RuleResult } from '../domain.js';
import { epParam, imagePageParams, matchingContents } from './images-filter.js';
import { filterParam, pageOf } from './query.js';
import { EMPTY_PAGE, invalidParam, type Reply } from './reply.js';
import { RESULT_TYPES, ruleNameOf, ruleSection, rulesOfRow, SEVERITIES, STANDARDS } from './rule-gen.js';
import type { SimWorld } from './world.js';

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

/**
 * ListImageRiskConfigRules for `checkName` (the decoded path segment). Validation (400 HSS.0001):
 * image_type and standard required, offset 0–2,000,000, limit 10–200, enterprise_project_id 1–256,
 * image_id ≤ 128 chars; unknown image_type / standard / severity / result_type give an empty
 * result. Rows: every rule of the matching contents' rows of that baseline and standard.
 */
export function listImageRiskConfigRules(
  world: SimWorld,
  projectId: string,
  checkName: string,
  q: Map<string, string>,
): Reply {
  const params = imagePageParams(q, ['image_type', 'standard']);
  if ('status' in params) return params;
  const { image_type: imageType, standard, offset, limit, ep, imageId } = params;

  const severity = filterParam(q, 'severity', SEVERITIES);
  const resultType = filterParam(q, 'result_type', RESULT_TYPES);
  const known = (IMAGE_TYPES as readonly string[]).includes(imageType) && STANDARDS.includes(standard);
  if (!known || severity === null || resultType === null) return EMPTY_PAGE;
  const ruleName = q.get('check_rule_name') || undefined;

  const contents = matchingContents(world, projectId, ep, imageType as ImageType, {
    imageId: imageId || undefined,
  });
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

/** The description of a rule: derived from its key alone, so the same for every image. */
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
      { checkDescription: `${name} value`, currentValue: 'unset', suggestValue: `recommended-${ruleId}` },
    ],
  };
}

/**
 * ShowImageCheckRuleDetail: image_type, check_name, check_type, check_rule_id and standard
 * required (400 HSS.0001 when missing); a rule outside the world's catalogue answers 404 HSS.0005.
 */
export function showImageCheckRuleDetail(
  _world: SimWorld,
  _projectId: string,
  q: Map<string, string>,
): Reply {
  for (const name of ['image_type', 'check_name', 'check_type', 'check_rule_id', 'standard']) {
    if (!q.get(name)) return invalidParam(name, 'required');
  }
  const ep = epParam(q);
  if (typeof ep !== 'string') return ep;
  const checkName = q.get('check_name') as string;
  const checkType = q.get('check_type') as string;
  const standard = q.get('standard') as string;
  const ruleId = q.get('check_rule_id') as string;
  const prefix = `${ruleSection(checkType)}.`;
  if (!ruleId.startsWith(prefix) || !/^\d+$/.test(ruleId.slice(prefix.length))) {
    return { status: 404, body: { error_code: 'HSS.0005', error_msg: 'The check rule does not exist' } };
  }
  const d = ruleDetailOf(checkName, checkType, standard, ruleId);
  return {
    status: 200,
    body: {
      description: d.description,
      reference: d.reference,
      audit: d.audit,
      remediation: d.remediation,
      check_info_list: d.checkInfoList.map((i) => ({
        check_description: i.checkDescription,
        current_value: i.currentValue,
        suggest_value: i.suggestValue,
      })),
    },
  };
}
