/**
 * ListCheckRulesInfo: the rule results of one CI/CD or registry image
 * (`GET /v5/{project_id}/baseline/check-rules?type=image`), the image types that
 * ListImageRiskConfigRules does not document (src/hss/api-matrix.ts).
 */
import type { RuleResult, Scope } from '../domain.js';
import { type CallKit, pageImage } from './call-kit.js';
import { normalizeCheckRuleRow, RuleCollector } from './normalize.js';
import { checkRuleRowSchema, ruleEnvelopeSchema } from './schemas.js';
import type { CallOptions } from './types.js';

/** The rule key of a ListCheckRulesInfo row inside one image (no filter names the baseline). */
function checkRuleKey(r: RuleResult): string {
  return JSON.stringify([r.checkName, r.checkType, r.standard, r.checkRuleId]);
}

/**
 * HssClient.listCheckRules: all pages (offset/limit at the client's page size, 10..200) of one
 * image, filtered by scan_result when given, deduplicated by (check_name, check_type, standard,
 * check_rule_id); rows without check_rule_id are each kept. A schema-invalid row is quarantined
 * alone (onQuarantine) and the others are returned.
 */
export async function listCheckRules(
  kit: CallKit,
  scope: Scope,
  imageId: string,
  filter: { scanResult: 'failed' | 'pass' | null },
  options?: CallOptions,
): Promise<RuleResult[]> {
  const api = 'ListCheckRulesInfo';
  const before = { ...kit.stats };
  const collector = new RuleCollector(kit.stats, checkRuleKey);
  const query = {
    type: 'image',
    image_type: scope.imageType,
    enterprise_project_id: scope.enterpriseProjectId,
    image_id: imageId,
    scan_result: filter.scanResult,
  };
  await pageImage(
    kit,
    { api, scope, segments: ['baseline', 'check-rules'], query, options },
    {
      imageId,
      envelope: ruleEnvelopeSchema,
      row: checkRuleRowSchema,
      invalidItems: 'quarantine-row',
      take: (valid) => {
        for (const raw of valid) collector.add(normalizeCheckRuleRow(raw, kit.stats));
      },
    },
  );
  kit.reportStats(before, { api, scope: scope.imageType, imageId });
  return collector.rows;
}
