/**
 * The baseline check APIs of one image: its summaries (ListImageRiskConfigs), its rule results
 * for one baseline (ListImageRiskConfigRules), and a rule's description (ShowImageCheckRuleDetail).
 */
import type { RiskConfig, RuleDetail, RuleKey, RuleResult, Scope } from '../domain.js';
import { type CallKit, pageImage } from './call-kit.js';
import { normalizeRuleDetail, normalizeRuleRow, RiskConfigCollector } from './normalize.js';
import {
  riskConfigEnvelopeSchema,
  riskConfigRowSchema,
  ruleDetailSchema,
  ruleEnvelopeSchema,
  ruleRowSchema,
} from './schemas.js';
import type { CallOptions } from './types.js';

/** HssClient.listRiskConfigs: all pages of one image, deduplicated by result key. */
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
      take: (valid) => collector.add(valid),
    },
  );
  kit.reportStats(before, { api, scope: scope.imageType, imageId });
  return collector.rows;
}

/** HssClient.listRiskConfigRules: all pages of one image and baseline, deduplicated by rule. */
export async function listRiskConfigRules(
  kit: CallKit,
  scope: Scope,
  imageId: string,
  filter: { checkName: string; standard: string; resultType: 'failed' | 'pass' },
  options?: CallOptions,
): Promise<RuleResult[]> {
  const api = 'ListImageRiskConfigRules';
  const before = { ...kit.stats };
  const seen = new Set<string>();
  const rows: RuleResult[] = [];
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
      take: (valid) => {
        for (const raw of valid) {
          const row = normalizeRuleRow(raw, filter, kit.stats);
          const k = JSON.stringify([row.checkType, row.checkRuleId]);
          if (seen.has(k)) {
            kit.stats.duplicates++;
            continue;
          }
          seen.add(k);
          rows.push(row);
        }
      },
    },
  );
  kit.reportStats(before, { api, scope: scope.imageType, imageId });
  return rows;
}

/** HssClient.showCheckRuleDetail. */
export async function showCheckRuleDetail(
  kit: CallKit,
  scope: Scope,
  key: RuleKey,
  options?: CallOptions,
): Promise<RuleDetail> {
  const api = 'ShowImageCheckRuleDetail';
  const segments = ['image', 'baseline', 'check-rule', 'detail'];
  const query = {
    image_type: scope.imageType,
    enterprise_project_id: scope.enterpriseProjectId,
    check_name: key.checkName,
    check_type: key.checkType,
    check_rule_id: key.checkRuleId,
    standard: key.standard,
  };
  const res = await kit.get({ api, scope, segments, query, options });
  const answer = kit.validate(ruleDetailSchema, res, api, kit.pathOf({ scope, segments }));
  return normalizeRuleDetail(answer, kit.stats);
}
