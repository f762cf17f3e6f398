/**
 * The baseline check APIs of one image: its summaries (ListImageRiskConfigs), its rule results
 * for one baseline (ListImageRiskConfigRules), and a rule's description (ShowImageCheckRuleDetail).
 */
import type { ImageFilter, RiskConfig, RuleDetail, RuleKey, RuleResult, Scope } from '../domain.js';
import { type CallKit, pageImage } from './call-kit.js';
import type { QueryValue } from './encoding.js';
import { normalizeRuleDetail, normalizeRuleRow, RiskConfigCollector, RuleCollector } from './normalize.js';
import {
  riskConfigEnvelopeSchema,
  riskConfigRowSchema,
  ruleDetailSchema,
  ruleEnvelopeSchema,
  ruleRowSchema,
} from './schemas.js';
import type { CallOptions } from './types.js';

/**
 * HssClient.listRiskConfigs: all pages of one image, deduplicated by result key. One
 * schema-invalid item quarantines the whole image (a partial summary set must not be written).
 */
export async function listRiskConfigs(
  kit: CallKit,
  scope: Scope,
  imageId: string,
  options?: CallOptions,
): Promise<RiskConfig[]> {
  const api = 'ListImageRiskConfigs';
  const before = { ...kit.stats };
  const collector = new RiskConfigCollector(kit.stats);
  const query = {
    image_type: scope.imageType,
    enterprise_project_id: scope.enterpriseProjectId,
    image_id: imageId,
  };
  await pageImage(
    kit,
    { api, scope, segments: ['image', 'baseline', 'risk-configs'], query, options },
    {
      imageId,
      envelope: riskConfigEnvelopeSchema,
      row: riskConfigRowSchema,
      invalidItems: 'quarantine-image',
      take: (valid) => collector.add(valid),
    },
  );
  kit.reportStats(before, { api, scope: scope.imageType, imageId });
  return collector.rows;
}

/**
 * HssClient.listRiskConfigRules: all pages of one image and baseline, deduplicated by
 * (check_type, check_rule_id); rows without check_rule_id are each kept. A schema-invalid row is
 * quarantined alone (onQuarantine) and the others are returned.
 */
export async function listRiskConfigRules(
  kit: CallKit,
  scope: Scope,
  imageId: string,
  filter: { checkName: string; standard: string; resultType: 'failed' | 'pass' },
  options?: CallOptions,
): Promise<RuleResult[]> {
  const api = 'ListImageRiskConfigRules';
  const before = { ...kit.stats };
  const collector = new RuleCollector(kit.stats, (r) => JSON.stringify([r.checkType, r.checkRuleId]));
  // check_name is a path segment: buildPath percent-encodes it on its own (`CentOS%207`).
  const segments = ['image', 'baseline', 'risk-configs', filter.checkName, 'rules'];
  const query = {
    image_type: scope.imageType,
    enterprise_project_id: scope.enterpriseProjectId,
    standard: filter.standard,
    image_id: imageId,
    result_type: filter.resultType,
  };
  await pageImage(
    kit,
    { api, scope, segments, query, options },
    {
      imageId,
      envelope: ruleEnvelopeSchema,
      row: ruleRowSchema,
      invalidItems: 'quarantine-row',
      take: (valid) => {
        for (const raw of valid) collector.add(normalizeRuleRow(raw, filter, kit.stats));
      },
    },
  );
  kit.reportStats(before, { api, scope: scope.imageType, imageId });
  return collector.rows;
}

/**
 * HssClient.showCheckRuleDetail. With an image, its filters (ShowImageCheckRuleDetailRequest:
 * image_id, and namespace, image_name, image_version, instance_id when known) make
 * check_info_list[].current_value that image's value.
 */
export async function showCheckRuleDetail(
  kit: CallKit,
  scope: Scope,
  key: RuleKey,
  image: ImageFilter | null,
  options?: CallOptions,
): Promise<RuleDetail> {
  const api = 'ShowImageCheckRuleDetail';
  const segments = ['image', 'baseline', 'check-rule', 'detail'];
  const query: Record<string, QueryValue> = {
    image_type: scope.imageType,
    enterprise_project_id: scope.enterpriseProjectId,
    check_name: key.checkName,
    check_type: key.checkType,
    check_rule_id: key.checkRuleId,
    standard: key.standard,
  };
  if (image) {
    query.image_id = image.imageId;
    query.namespace = image.namespace;
    query.image_name = image.imageName;
    query.image_version = image.imageVersion;
    query.instance_id = image.instanceId;
  }
  const res = await kit.get({ api, scope, segments, query, options });
  const answer = kit.validate(ruleDetailSchema, res, api, kit.pathOf({ scope, segments }));
  return normalizeRuleDetail(answer, kit.stats);
}
