/**
 * The HSS simulator: a real HTTP server playing Huawei Cloud HSS and IAM for tests, the demo
 * and benchmarks. See createSimulator().
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
