/**
 * ListCheckRulesInfo: `GET /v5/{project_id}/baseline/check-rules`, the rule results of CI/CD and
 * registry images (docs/hss-api.md section 3). Pure: world and parsed query in, reply out.
 *
 * Documented ranges played (ListCheckRulesInfoRequest of huaweicloud-sdk-go-v3 / -java-v3
 * services/hss/v5): `type` (only `image`) and `image_type` (`cicd`, `registry`) are required;
 * offset 0–2,000,000, limit 10–200 (default 10), enterprise_project_id 1–256 characters, image_id
 * 0–128 characters; scan_result pass / failed. Rows follow ImageCheckRuleResponseInfo: severity
 * (Security, Low, Medium, High), check_name, check_type, standard, check_type_desc,
 * check_rule_name, check_rule_id, scan_result, latest_scan_time (ms), image_num.
 *
 * Assumptions (the definition does not say): a missing or empty `type` / `image_type`, or a
 * value outside its range, answers 400 HSS.0001 (the definition marks both required and gives
 * closed ranges, with no "empty result" clause as ListImageRiskConfigs has); an unknown
 * scan_result answers an empty result; the `registry` image type reads the world's `registry`
 * scope. Rows are one per rule (check_name, check_type, standard, check_rule_id) over the
 * images the filters match: image_num counts those images that have the rule (with scan_result,
 * those with that result), scan_result is `failed` when it failed on any of them, severity the
 * highest, latest_scan_time the latest. With image_id (one image) the rows are exactly that
 * image's rule results, image_num 1: for every baseline, check_rule_num rows of which
 * failed_rule_num failed.
 */
import type { ImageType, RuleResult } from '../domain.js';
import { imagePageParams, matchingContents } from './images-filter.js';
import { filterParam, pageOf } from './query.js';
import { emptyPage, invalidParam, type Reply } from './reply.js';
import { CHECK_RULES_SEVERITIES, checkRulesOfRow, RESULT_TYPES } from './rule-gen.js';
import { imageFilterOf } from './rules.js';
import { CHECK_RULES_API_TYPES, type SimWorld } from './world.js';

interface RuleRow {
  rule: RuleResult;
  images: number;
  failed: boolean;
  latestScanTime: number;
}

function toWire(r: RuleRow): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    severity: r.rule.severity,
    check_name: r.rule.checkName,
    check_type: r.rule.checkType,
    standard: r.rule.standard,
  };
  if (r.rule.checkTypeDesc !== null && r.rule.checkTypeDesc !== undefined) {
    wire.check_type_desc = r.rule.checkTypeDesc;
  }
  wire.check_rule_name = r.rule.checkRuleName;
  wire.check_rule_id = r.rule.checkRuleId;
  wire.scan_result = r.failed ? 'failed' : 'pass';
  wire.latest_scan_time = r.latestScanTime;
  wire.image_num = r.images;
  return wire;
}

const rank = (s: string | null) => CHECK_RULES_SEVERITIES.indexOf(s ?? '');

export function listCheckRulesInfo(world: SimWorld, projectId: string, q: Map<string, string>): Reply {
  const params = imagePageParams(q, ['type', 'image_type']);
  if ('status' in params) return params;
  const { type, image_type: imageType, offset, limit, ep } = params;
  if (type !== 'image') return invalidParam('type', 'image');
  if (!(CHECK_RULES_API_TYPES as readonly string[]).includes(imageType)) {
    return invalidParam('image_type', 'cicd or registry');
  }
  const scanResult = filterParam(q, 'scan_result', RESULT_TYPES);
  if (scanResult === null) return emptyPage();

  const groups = new Map<string, RuleRow>();
  for (const c of matchingContents(
    world,
    projectId,
    ep,
    imageType as ImageType,
    imageFilterOf(q, imageType, true),
  )) {
    for (const row of c.rows) {
      for (const rule of checkRulesOfRow(c.imageId, row)) {
        if (scanResult && rule.scanResult !== scanResult) continue;
        const key = [rule.checkName, rule.checkType, rule.standard, rule.checkRuleId].join('\u0001');
        const g = groups.get(key);
        const scanTime = c.latestScanTime ?? 0;
        if (!g) {
          groups.set(key, {
            rule,
            images: 1,
            failed: rule.scanResult === 'failed',
            latestScanTime: scanTime,
          });
          continue;
        }
        g.images++;
        g.failed ||= rule.scanResult === 'failed';
        g.latestScanTime = Math.max(g.latestScanTime, scanTime);
        if (rank(rule.severity) > rank(g.rule.severity)) g.rule = { ...g.rule, severity: rule.severity };
      }
    }
  }
  const page = pageOf([...groups.values()], offset, limit);
  return { status: 200, body: { total_num: page.total_num, data_list: page.data_list.map(toWire) } };
}
