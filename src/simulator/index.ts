/**
 * The HSS simulator: a real HTTP server playing Huawei Cloud HSS and IAM for tests, the demo
 * and benchmarks. See createSimulator().
 *
 * It plays each API's documented ranges (sources: the official SDK request and response models,
 * huaweicloud-sdk-go-v3 / -java-v3 services/hss/v5, cited in each handler):
 * - image_type: ListImageRiskConfigs private_image, shared_image, local_image, instance_image,
 *   registry, local (others, cicd included, an empty result; `cicdRiskConfigs: 'seed'` plays the
 *   seed's cicd example) — risk-configs.ts; ListImageRiskConfigRules and
 *   ShowImageCheckRuleDetail private_image, shared_image, local_image, instance_image — rules.ts;
 *   ListCheckRulesInfo cicd, registry — check-rules.ts; ListRegistryImages private_image,
 *   shared_image, instance_image, harbor, jfrog — list-images.ts;
 * - limit: 10–200 for ListImageRiskConfigs, ListImageRiskConfigRules, ListCheckRulesInfo,
 *   ListImageLocal, ListCicdImages; 1–200 for ListRegistryImages; offset 0–2,000,000 for all;
 *   outside: 400 {"error_code":"HSS.0001","error_msg":…};
 * - listing fields of RegistryImagesInfo, ImageLocalInfo, CicdImageResponseInfo — listing-row.ts.
 */

export { HOSTILE_KINDS, MAX_DESC_LENGTH } from './hostile.js';
export { createSimulator, type Simulator } from './server.js';
export { SIM_TEST_ACCESS_KEY, SIM_TEST_SECRET_KEY } from './test-keys.js';
export type {
  FaultOptions,
  HostileValue,
  RiskConfigTruth,
  SimApi,
  SimAuthOptions,
  SimImagePartial,
  SimImageRow,
  SimScope,
  SimStats,
  SimulatorOptions,
} from './types.js';
export { SIM_APIS } from './types.js';
export {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  encodeRfc3986,
  hmacHex,
  parseAuthorization,
  parseSdkDate,
  sha256Hex,
  stringToSign,
  verifyRequest,
} from './verify-signature.js';
export { type CicdRiskConfigs, SimWorld } from './world.js';
export { WORLD_EPOCH_MS } from './world-gen.js';
