/**
 * The HSS client of one target, a small facade: createHssClient wires the retrying executor
 * (retrying-executor.ts) to the API families (image-lists.ts, baseline-results.ts,
 * check-rules.ts) over their shared call kit (call-kit.ts: GET, validation, quarantine, paging);
 * createAuthProvider builds the target's auth provider.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { type Clock, systemClock } from '../clock.js';
import type { HttpLimits, TargetConfig } from '../config/types.js';
import { createAkSkProvider } from './auth/aksk.js';
import { createIamTokenProvider, IamTokenManager } from './auth/iam-token.js';
import type { AuthProvider } from './auth/provider.js';
import { createStaticTokenProvider } from './auth/static-token.js';
import { listRiskConfigRules, listRiskConfigs, showCheckRuleDetail } from './baseline-results.js';
import type { CircuitBreaker } from './breaker.js';
import { createCallKit } from './call-kit.js';
import { listCheckRules } from './check-rules.js';
import { listImagesPage } from './image-lists.js';
import { emptyStats, type NormalizeStats } from './normalize.js';
import type { Pacer } from './pacer.js';
import { createDispatcher, createExecutor } from './retrying-executor.js';
import type { HssClient } from './types.js';

export interface HssClientDeps {
  target: TargetConfig;
  limits: HttpLimits;
  /** The app-wide pacer (one per process, shared by every client). */
  pacer: Pacer;
  /** The app-wide circuit breaker per (credential, API); none = never opens. */
  breaker?: CircuitBreaker;
  auth: AuthProvider;
  /** Default: createDispatcher(limits). Pass the one the auth provider uses. */
  dispatcher?: Dispatcher;
  /** Default: systemClock. */
  clock?: Clock;
  /** The clock of the per-attempt deadline; default systemClock (ExecutorDeps.deadlineClock). */
  deadlineClock?: Clock;
  /** [0, 1) source for backoff jitter. Default Math.random. */
  random?: () => number;
  logger?: Logger;
  /** Page size of the per-image APIs (ListImageRiskConfigs, the rule APIs; 10..200). Default 200. */
  pageSize?: number;
}

/** An HssClient that also exposes what normalisation changed or skipped (for logs and metrics). */
export interface HssClientWithStats extends HssClient {
  /** Cumulative since the client was created. */
  readonly stats: Readonly<NormalizeStats>;
}

/**
 * Builds the HssClient for one target. Requests go through `deps.pacer` keyed by
 * (auth.credentialId, API) and retry per retry.ts up to limits.maxAttempts.
 */
export function createHssClient(deps: HssClientDeps): HssClientWithStats {
  const logger = deps.logger;
  const execute = createExecutor({
    endpoint: deps.target.endpoint,
    limits: deps.limits,
    pacer: deps.pacer,
    auth: deps.auth,
    dispatcher: deps.dispatcher ?? createDispatcher(deps.limits),
    clock: deps.clock ?? systemClock,
    ...(deps.deadlineClock ? { deadlineClock: deps.deadlineClock } : {}),
    random: deps.random ?? Math.random,
    ...(deps.breaker ? { breaker: deps.breaker } : {}),
    ...(logger ? { logger } : {}),
  });
  const stats = emptyStats();
  const pageSize = Math.min(200, Math.max(10, Math.floor(deps.pageSize ?? 200)));
  const kit = createCallKit({ execute, stats, pageSize, logger });
  return {
    stats,
    listImagesPage: (scope, offset, limit, options) => listImagesPage(kit, scope, offset, limit, options),
    listRiskConfigs: (scope, imageId, options) => listRiskConfigs(kit, scope, imageId, options),
    listRiskConfigRules: (scope, imageId, filter, options) =>
      listRiskConfigRules(kit, scope, imageId, filter, options),
    listCheckRules: (scope, imageId, filter, options) => listCheckRules(kit, scope, imageId, filter, options),
    showCheckRuleDetail: (scope, key, image, options) => showCheckRuleDetail(kit, scope, key, image, options),
  };
}

export interface AuthProviderDeps {
  /** The dispatcher HSS calls use; IAM calls go through it too. */
  dispatcher: Dispatcher;
  clock: Clock;
  limits: HttpLimits;
  /** [0, 1) source for IAM retry jitter. Default Math.random. */
  random?: () => number;
  logger?: Logger;
}

/**
 * The AuthProvider for a target's configured method. credentialId: the AK for AK/SK,
 * `domain/user` for IAM passwords, `token:<12 hex of sha256>` for a static token.
 */
export function createAuthProvider(target: TargetConfig, deps: AuthProviderDeps): AuthProvider {
  const auth = target.auth;
  switch (auth.method) {
    case 'token':
      return createStaticTokenProvider(auth.token);
    case 'aksk':
      return createAkSkProvider({
        accessKey: auth.accessKey,
        secretKey: auth.secretKey,
        securityToken: auth.securityToken,
        clock: deps.clock,
      });
    case 'password': {
      const manager = new IamTokenManager({
        iamEndpoint: target.iamEndpoint,
        projectId: target.projectId,
        domain: auth.domain,
        user: auth.user,
        password: auth.password,
        agency: auth.agency,
        dispatcher: deps.dispatcher,
        clock: deps.clock,
        limits: deps.limits,
        ...(deps.random ? { random: deps.random } : {}),
        ...(deps.logger ? { logger: deps.logger } : {}),
      });
      return createIamTokenProvider(manager, `${auth.domain}/${auth.user}`);
    }
  }
}
