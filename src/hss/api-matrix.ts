/**
 * Which HSS API serves what for each image type: the matrix docs/hss-api.md ("Image type × API")
 * explains cell by cell, with the source of each. Pure data and lookups; the sync follows it.
 *
 * Sources: `official` = the SDK definitions (huaweicloud-sdk-go-v3 / -nodejs-v3, services/hss/v5);
 * `seed` = the original API page (its example queries ListImageRiskConfigs with image_type=cicd);
 * `assumption` = no source settles it.
 */
import type { ApiName, ImageType, RuleSource, SummarySource } from '../domain.js';
import { listApiFor } from '../domain.js';

export type CellSource = 'official' | 'seed' | 'assumption';

/**
 * How the summaries of `cicd` images are obtained (HSS_CICD_SUMMARIES):
 * - `derived` (default): from ListCheckRulesInfo's rule results, as the official definitions say
 *   (ListImageRiskConfigs documents no cicd; a value outside its range answers empty);
 * - `risk-configs`: from ListImageRiskConfigs with image_type=cicd, as the seed's example does.
 */
export const CICD_SUMMARIES = ['derived', 'risk-configs'] as const;
export type CicdSummaries = (typeof CICD_SUMMARIES)[number];

export interface ImageTypeApis {
  /** The image list API that inventories the type. */
  list: ApiName;
  /** Where the baseline summaries come from. */
  summaries: SummarySource;
  /** The rule results API of the drill-down; null = no API documents rule results for the type. */
  rules: RuleSource | null;
  /** ShowImageCheckRuleDetail documents the type (descriptions and per-image current values). */
  ruleDetail: boolean;
  /** The source of each cell above. */
  sources: { list: CellSource; summaries: CellSource; rules: CellSource; ruleDetail: CellSource };
}

/** Every cell from the official definitions (the rows below name the ones that are not). */
const OFFICIAL: ImageTypeApis['sources'] = {
  list: 'official',
  summaries: 'official',
  rules: 'official',
  ruleDetail: 'official',
};

/** The matrix for one image type. */
export function apisFor(imageType: ImageType, cicdSummaries: CicdSummaries = 'derived'): ImageTypeApis {
  const list = listApiFor(imageType);
  switch (imageType) {
    case 'private_image':
    case 'shared_image':
    case 'local_image':
    case 'instance_image':
      return {
        list,
        summaries: 'ListImageRiskConfigs',
        rules: 'ListImageRiskConfigRules',
        ruleDetail: true,
        sources: OFFICIAL,
      };
    case 'registry':
      return {
        list,
        // Newer SDK definitions of ListImageRiskConfigs add `registry`.
        summaries: 'ListImageRiskConfigs',
        rules: 'ListCheckRulesInfo',
        ruleDetail: false,
        sources: OFFICIAL,
      };
    case 'local':
      return {
        list,
        // Newer SDK definitions of ListImageRiskConfigs add `local`; no rule API documents it.
        summaries: 'ListImageRiskConfigs',
        rules: null,
        ruleDetail: false,
        sources: { ...OFFICIAL, list: 'assumption' },
      };
    case 'cicd':
      return {
        list,
        summaries: cicdSummaries === 'derived' ? 'ListCheckRulesInfo' : 'ListImageRiskConfigs',
        rules: 'ListCheckRulesInfo',
        ruleDetail: false,
        sources: { ...OFFICIAL, summaries: cicdSummaries === 'derived' ? 'official' : 'seed' },
      };
  }
}
