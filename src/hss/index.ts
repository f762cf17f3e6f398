/** The HSS boundary: client, auth providers, pacer and the pure helpers others may reuse. */
export { createAkSkProvider, describeClockSkew } from './auth/aksk.js';
export { createIamTokenProvider, IamTokenManager, renewMarginMs } from './auth/iam-token.js';
export type {
  AuthProvider,
  AuthRequest,
  UnauthorizedContext,
  UnauthorizedDecision,
} from './auth/provider.js';
export { formatSdkDate, signRequest } from './auth/signer.js';
export { createStaticTokenProvider, staticTokenRejectedMessage } from './auth/static-token.js';
export { type BreakerOptions, CircuitBreaker } from './breaker.js';
export {
  type AuthProviderDeps,
  createAuthProvider,
  createHssClient,
  type HssClientDeps,
  type HssClientWithStats,
  listApiName,
  MAX_RISK_CONFIG_PAGES,
} from './client.js';
export { buildPath, buildQuery, percentEncode } from './encoding.js';
export { hssEndpoint, iamEndpoint, KNOWN_REGIONS } from './endpoints.js';
export {
  createDispatcher,
  createExecutor,
  type Executor,
  type HssRequest,
  type HssResponse,
} from './http.js';
export type { NormalizeStats } from './normalize.js';
export { Pacer, type PacerKeySnapshot, type PacerOptions } from './pacer.js';
export { ImageQuarantinedError } from './quarantine.js';
export { backoffDelay, classifyOutcome, parseRetryAfter } from './retry.js';
export { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export type { CallEvent, CallOptions, HssClient, QuarantineEvent } from './types.js';
