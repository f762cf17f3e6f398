/**
 * createHssClient: the HssClient (src/hss/types.ts) on top of the executor. It maps scopes to
 * list APIs, builds the exact requests, pages ListImageRiskConfigs, validates with zod and
 * normalises into domain rows.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { type Clock, systemClock } from '../clock.js';
import type { HttpLimits, TargetConfig } from '../config/types.js';
import {
  type ApiName,
  type ImageListing,
  type ImageType,
  listApiFor,
  type RiskConfig,
  type RuleDetail,
  type RuleKey,
  type RuleResult,
  type Scope,
} from '../domain.js';
import { HssBadResponseError, type HssErrorContext } from '../errors.js';
import { createAkSkProvider } from './auth/aksk.js';
import { createIamTokenProvider, IamTokenManager } from './auth/iam-token.js';
import type { AuthProvider } from './auth/provider.js';
import { createStaticTokenProvider } from './auth/static-token.js';
import type { CircuitBreaker } from './breaker.js';
import { buildPath, buildQuery, type QueryValue } from './encoding.js';
import {
  emptyStats,
  type NormalizeStats,
  normalizeImagePage,
  normalizeRuleDetail,
  normalizeRuleRow,
  RiskConfigCollector,
} from './normalize.js';
import type { Pacer } from './pacer.js';
import { ImageQuarantinedError, type InvalidItem, partitionItems } from './quarantine.js';
import { createDispatcher, createExecutor, type Executor, type HssResponse } from './retrying-executor.js';
import {
  describeIssues,
  imageEnvelopeSchema,
  imageRowSchema,
  riskConfigEnvelopeSchema,
  riskConfigRowSchema,
  ruleDetailSchema,
  ruleEnvelopeSchema,
  ruleRowSchema,
} from './schemas.js';
import type { CallOptions, HssClient, QuarantineEvent } from './types.js';

/** Largest number of ListImageRiskConfigs pages read for one image (200 000 rows at 200 a page). */
export const MAX_RISK_CONFIG_PAGES = 1_000;

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
  /** ListImageRiskConfigs page size (10..200). Default 200. */
  pageSize?: number;
}

/** An HssClient that also exposes what normalisation changed or skipped (for logs and metrics). */
export interface HssClientWithStats extends HssClient {
  /** Cumulative since the client was created. */
  readonly stats: Readonly<NormalizeStats>;
}

/**
 * A page with more rows than the `limit` asked for answers some other request (or none): its
 * rows cannot be placed at their offsets, and following its total_num could cost thousands of
 * calls. The same request would bring the same answer, so it is not retried.
 */
function refuseOverfullPage(rows: number, limit: number, context: HssErrorContext): void {
  if (rows <= limit) return;
  throw new HssBadResponseError(
    context,
    `${context.path}: ${rows} rows in a page of at most ${limit} (limit); the answer is not a page of this request`,
    { retryable: false },
  );
}

/** The list API serving an image type (same as listApiFor in src/domain.ts). */
export function listApiName(imageType: ImageType): ApiName {
  return listApiFor(imageType);
}

/** Path segments below /v5/{project_id}/ and the image_type filter of each image type's list API. */
function listRequest(imageType: ImageType): { segments: string[]; imageTypeParam: string | null } {
  switch (imageType) {
    case 'private_image':
    case 'shared_image':
    case 'instance_image':
      return { segments: ['image', 'registries', 'images'], imageTypeParam: imageType };
    case 'registry':
      // All registries (SWR, harbor, jfrog...): the same API without an image_type filter.
      return { segments: ['image', 'registries', 'images'], imageTypeParam: null };
    case 'local_image':
    case 'local':
      return { segments: ['image', 'local-repositories'], imageTypeParam: null };
    case 'cicd':
      return { segments: ['image', 'cicd', 'images'], imageTypeParam: null };
  }
}

/**
 * Builds the HssClient for one target. Requests go through `deps.pacer` keyed by
 * (auth.credentialId, API) and retry per retry.ts up to limits.maxAttempts.
 */
export function createHssClient(deps: HssClientDeps): HssClientWithStats {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const pageSize = Math.min(200, Math.max(10, Math.floor(deps.pageSize ?? 200)));
  const execute: Executor = createExecutor({
    endpoint: deps.target.endpoint,
    limits: deps.limits,
    pacer: deps.pacer,
    auth: deps.auth,
    dispatcher: deps.dispatcher ?? createDispatcher(deps.limits),
    clock,
    ...(deps.deadlineClock ? { deadlineClock: deps.deadlineClock } : {}),
    random: deps.random ?? Math.random,
    ...(deps.breaker ? { breaker: deps.breaker } : {}),
    ...(logger ? { logger } : {}),
  });
  const stats = emptyStats();

  function get(
    api: ApiName,
    projectId: string,
    segments: string[],
    query: Record<string, QueryValue>,
    options: CallOptions | undefined,
  ): Promise<HssResponse> {
    return execute(
      {
        api,
        method: 'GET',
        path: buildPath(['v5', projectId, ...segments]),
        query: buildQuery(query),
        projectId,
      },
      options,
    );
  }

  function validate<S extends z.ZodType>(
    schema: S,
    res: HssResponse,
    api: ApiName,
    path: string,
  ): z.output<S> {
    const parsed = schema.safeParse(res.json);
    if (parsed.success) return parsed.data;
    // The same request would get the same answer: not retryable.
    throw new HssBadResponseError(
      { api, path, status: res.status, requestId: res.requestId },
      `${path}: the answer does not match the ${api} schema: ${describeIssues(parsed.error)}`,
      { cause: parsed.error, retryable: false },
    );
  }

  /** Counts, logs and reports the items set aside from one answer. */
  function quarantine(
    invalid: readonly InvalidItem[],
    at: { api: ApiName; requestId: string | null; offset: number; imageId?: string },
    options: CallOptions | undefined,
  ): void {
    for (const item of invalid) {
      stats.quarantined++;
      const event: QuarantineEvent = {
        api: at.api,
        requestId: at.requestId,
        position: at.offset + item.index,
        problem: item.problem,
        sample: item.sample,
        ...(at.imageId !== undefined ? { imageId: at.imageId } : {}),
      };
      logger?.warn(event, 'schema-invalid item quarantined');
      options?.onQuarantine?.(event);
    }
  }

  function reportStats(before: NormalizeStats, fields: Record<string, unknown>): void {
    const delta = {
      nulReplaced: stats.nulReplaced - before.nulReplaced,
      skippedWithoutImageId: stats.skippedWithoutImageId - before.skippedWithoutImageId,
      duplicates: stats.duplicates - before.duplicates,
    };
    if (delta.nulReplaced + delta.skippedWithoutImageId + delta.duplicates > 0) {
      logger?.debug({ ...fields, ...delta }, 'HSS answer needed cleaning');
    }
  }

  /**
   * Pages an API filtered to one image until total_num is reached, advancing by the rows that
   * arrived (a server that caps limit lower must not make us skip rows), at most
   * MAX_RISK_CONFIG_PAGES pages, handing each page's rows to `take`. One schema-invalid item
   * quarantines the whole image: a result set with a hole would close the versions of the
   * missing keys, so nothing of it may be written.
   */
  async function pageImage<S extends z.ZodType>(o: {
    api: ApiName;
    scope: Scope;
    segments: string[];
    query: Record<string, QueryValue>;
    imageId: string;
    envelope: typeof riskConfigEnvelopeSchema;
    row: S;
    options: CallOptions | undefined;
    take(valid: z.output<S>[]): void;
  }): Promise<void> {
    const { api, imageId, options } = o;
    const path = `GET ${buildPath(['v5', o.scope.projectId, ...o.segments])}`;
    let offset = 0;
    let lastRequestId: string | null = null;
    for (let pageNo = 0; ; pageNo++) {
      if (pageNo >= MAX_RISK_CONFIG_PAGES) {
        throw new HssBadResponseError(
          { api, path, requestId: lastRequestId },
          `${path}: more than ${MAX_RISK_CONFIG_PAGES} pages for image ${imageId}; refusing to read further`,
          { retryable: false },
        );
      }
      const res = await get(
        api,
        o.scope.projectId,
        o.segments,
        { ...o.query, offset, limit: pageSize },
        options,
      );
      lastRequestId = res.requestId;
      const page = validate(o.envelope, res, api, path);
      const items = page.data_list ?? [];
      refuseOverfullPage(items.length, pageSize, { api, path, status: res.status, requestId: res.requestId });
      const { valid, invalid } = partitionItems(items, o.row);
      if (invalid.length > 0) {
        quarantine(invalid, { api, requestId: res.requestId, offset, imageId }, options);
        throw new ImageQuarantinedError(
          { api, path, status: res.status, requestId: res.requestId },
          imageId,
          invalid.length,
        );
      }
      o.take(valid);
      offset += items.length;
      const total = page.total_num;
      const done =
        items.length === 0 ||
        (total !== undefined && total !== null ? offset >= total : items.length < pageSize);
      if (done) return;
    }
  }

  return {
    stats,

    async listImagesPage(scope: Scope, offset: number, limit: number, options?: CallOptions) {
      const api = listApiFor(scope.imageType);
      const { segments, imageTypeParam } = listRequest(scope.imageType);
      const res = await get(
        api,
        scope.projectId,
        segments,
        {
          enterprise_project_id: scope.enterpriseProjectId,
          offset,
          limit,
          image_type: imageTypeParam,
        },
        options,
      );
      const path = `GET ${buildPath(['v5', scope.projectId, ...segments])}`;
      const envelope = validate(imageEnvelopeSchema, res, api, path);
      refuseOverfullPage(envelope.data_list?.length ?? 0, limit, {
        api,
        path,
        status: res.status,
        requestId: res.requestId,
      });
      const { valid, invalid } = partitionItems(envelope.data_list ?? [], imageRowSchema);
      quarantine(invalid, { api, requestId: res.requestId, offset }, options);
      const before = { ...stats };
      const { totalNum, rows } = normalizeImagePage(
        { total_num: envelope.total_num, data_list: valid },
        stats,
      );
      reportStats(before, { api, scope: scope.imageType, offset, requestId: res.requestId });
      return {
        totalNum,
        rows: rows satisfies ImageListing[],
        itemsReceived: envelope.data_list?.length ?? 0,
        requestId: res.requestId,
      };
    },

    async listRiskConfigs(scope: Scope, imageId: string, options?: CallOptions): Promise<RiskConfig[]> {
      const api: ApiName = 'ListImageRiskConfigs';
      const before = { ...stats };
      const collector = new RiskConfigCollector(stats);
      await pageImage({
        api,
        scope,
        segments: ['image', 'baseline', 'risk-configs'],
        query: {
          image_type: scope.imageType,
          enterprise_project_id: scope.enterpriseProjectId,
          image_id: imageId,
        },
        imageId,
        envelope: riskConfigEnvelopeSchema,
        row: riskConfigRowSchema,
        options,
        take: (valid) => collector.add(valid),
      });
      reportStats(before, { api, scope: scope.imageType, imageId });
      return collector.rows;
    },

    async listRiskConfigRules(scope, imageId, filter, options): Promise<RuleResult[]> {
      const api: ApiName = 'ListImageRiskConfigRules';
      const before = { ...stats };
      const seen = new Set<string>();
      const rows: RuleResult[] = [];
      await pageImage({
        api,
        scope,
        // check_name is a path segment: buildPath percent-encodes it on its own (`CentOS%207`).
        segments: ['image', 'baseline', 'risk-configs', filter.checkName, 'rules'],
        query: {
          image_type: scope.imageType,
          enterprise_project_id: scope.enterpriseProjectId,
          standard: filter.standard,
          image_id: imageId,
          result_type: filter.resultType,
        },
        imageId,
        envelope: ruleEnvelopeSchema,
        row: ruleRowSchema,
        options,
        take: (valid) => {
          for (const raw of valid) {
            const row = normalizeRuleRow(raw, filter, stats);
            const k = JSON.stringify([row.checkType, row.checkRuleId]);
            if (seen.has(k)) {
              stats.duplicates++;
              continue;
            }
            seen.add(k);
            rows.push(row);
          }
        },
      });
      reportStats(before, { api, scope: scope.imageType, imageId });
      return rows;
    },

    async showCheckRuleDetail(scope: Scope, key: RuleKey, options?: CallOptions): Promise<RuleDetail> {
      const api: ApiName = 'ShowImageCheckRuleDetail';
      const segments = ['image', 'baseline', 'check-rule', 'detail'];
      const path = `GET ${buildPath(['v5', scope.projectId, ...segments])}`;
      const res = await get(
        api,
        scope.projectId,
        segments,
        {
          image_type: scope.imageType,
          enterprise_project_id: scope.enterpriseProjectId,
          check_name: key.checkName,
          check_type: key.checkType,
          check_rule_id: key.checkRuleId,
          standard: key.standard,
        },
        options,
      );
      return normalizeRuleDetail(validate(ruleDetailSchema, res, api, path), stats);
    },
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
