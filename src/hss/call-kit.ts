/**
 * What every HSS API call of one client shares: the GET on the executor, schema validation of
 * answers, quarantine of schema-invalid items, the normalisation counters, and paging of an API
 * filtered to one image. The API families (image-lists.ts, baseline-results.ts) are built on it.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ApiName, Scope } from '../domain.js';
import { HssBadResponseError, type HssErrorContext } from '../errors.js';
import type { HssResponse } from './answer.js';
import { buildPath, buildQuery, type QueryValue } from './encoding.js';
import type { NormalizeStats } from './normalize.js';
import { ImageQuarantinedError, type InvalidItem, partitionItems } from './quarantine.js';
import type { Executor } from './retrying-executor.js';
import { describeIssues, type riskConfigEnvelopeSchema } from './schemas.js';
import type { CallOptions, QuarantineEvent } from './types.js';

/** Largest number of pages read for one image (200 000 rows at 200 a page). */
export const MAX_IMAGE_PAGES = 1_000;

/** One GET of an API below /v5/{project_id}/. */
export interface Call {
  api: ApiName;
  scope: Scope;
  /** Path segments below /v5/{project_id}/ (each percent-encoded on its own). */
  segments: string[];
  query: Record<string, QueryValue>;
  options: CallOptions | undefined;
}

/** Where a quarantined item came from. */
export interface QuarantineSite {
  api: ApiName;
  requestId: string | null;
  offset: number;
  imageId?: string;
}

export interface CallKit {
  /** Cumulative normalisation counters of the client. */
  readonly stats: NormalizeStats;
  /** Rows asked for per page when paging one image (10..200). */
  readonly pageSize: number;
  /** `GET /v5/{project}/{segments}`, as error messages name it (no query). */
  pathOf(call: Pick<Call, 'scope' | 'segments'>): string;
  get(call: Call): Promise<HssResponse>;
  /** The answer parsed by `schema`; a mismatch is a non-retryable HssBadResponseError. */
  validate<S extends z.ZodType>(schema: S, res: HssResponse, api: ApiName, path: string): z.output<S>;
  /** Counts, logs and reports the items set aside from one answer. */
  quarantine(invalid: readonly InvalidItem[], at: QuarantineSite, options: CallOptions | undefined): void;
  /** Logs what normalisation changed since `before` (a copy of `stats`), when anything. */
  reportStats(before: NormalizeStats, fields: Record<string, unknown>): void;
}

export function createCallKit(o: {
  execute: Executor;
  stats: NormalizeStats;
  pageSize: number;
  logger?: Logger | undefined;
}): CallKit {
  const { execute, stats, logger } = o;
  return {
    stats,
    pageSize: o.pageSize,
    pathOf: ({ scope, segments }) => `GET ${buildPath(['v5', scope.projectId, ...segments])}`,
    get: ({ api, scope, segments, query, options }) =>
      execute(
        {
          api,
          method: 'GET',
          path: buildPath(['v5', scope.projectId, ...segments]),
          query: buildQuery(query),
          projectId: scope.projectId,
        },
        options,
      ),
    validate(schema, res, api, path) {
      const parsed = schema.safeParse(res.json);
      if (parsed.success) return parsed.data;
      // The same request would get the same answer: not retryable.
      throw new HssBadResponseError(
        { api, path, status: res.status, requestId: res.requestId },
        `${path}: the answer does not match the ${api} schema: ${describeIssues(parsed.error)}`,
        { cause: parsed.error, retryable: false },
      );
    },
    quarantine(invalid, at, options) {
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
    },
    reportStats(before, fields) {
      const delta = {
        nulReplaced: stats.nulReplaced - before.nulReplaced,
        skippedWithoutImageId: stats.skippedWithoutImageId - before.skippedWithoutImageId,
        duplicates: stats.duplicates - before.duplicates,
      };
      if (delta.nulReplaced + delta.skippedWithoutImageId + delta.duplicates > 0) {
        logger?.debug({ ...fields, ...delta }, 'HSS answer needed cleaning');
      }
    },
  };
}

/**
 * A page with more rows than the `limit` asked for answers some other request (or none): its
 * rows cannot be placed at their offsets, and following its total_num could cost thousands of
 * calls. The same request would bring the same answer, so it is not retried.
 */
export function refuseOverfullPage(rows: number, limit: number, context: HssErrorContext): void {
  if (rows <= limit) return;
  throw new HssBadResponseError(
    context,
    `${context.path}: ${rows} rows in a page of at most ${limit} (limit); the answer is not a page of this request`,
    { retryable: false },
  );
}

/**
 * What a schema-invalid item of an image's answer means:
 * - `quarantine-image`: the result set would have a hole, and a hole would close the versions of
 *   the missing keys, so nothing of the image may be written: ImageQuarantinedError
 *   (ListImageRiskConfigs: a partial summary set must not be written);
 * - `quarantine-row`: the item is reported through onQuarantine and left out, the rest is
 *   returned (the rule APIs: each rule row stands on its own).
 */
export type InvalidItemPolicy = 'quarantine-image' | 'quarantine-row';

/**
 * Pages an API filtered to one image until total_num is reached (without total_num: until a page
 * shorter than the limit), advancing by the rows that arrived (a server that caps limit lower
 * must not make us skip rows), at most MAX_IMAGE_PAGES pages, handing each page's valid rows to
 * `take`. Schema-invalid items are quarantined per `invalidItems`.
 */
export async function pageImage<S extends z.ZodType>(
  kit: CallKit,
  call: Call,
  o: {
    imageId: string;
    envelope: typeof riskConfigEnvelopeSchema;
    row: S;
    invalidItems: InvalidItemPolicy;
    take(valid: z.output<S>[]): void;
  },
): Promise<void> {
  const { api } = call;
  const { imageId } = o;
  const path = kit.pathOf(call);
  const limit = kit.pageSize;
  let offset = 0;
  let lastRequestId: string | null = null;
  for (let pageNo = 0; ; pageNo++) {
    if (pageNo >= MAX_IMAGE_PAGES) {
      throw new HssBadResponseError(
        { api, path, requestId: lastRequestId },
        `${path}: more than ${MAX_IMAGE_PAGES} pages for image ${imageId}; refusing to read further`,
        { retryable: false },
      );
    }
    const res = await kit.get({ ...call, query: { ...call.query, offset, limit } });
    lastRequestId = res.requestId;
    const at = { api, path, status: res.status, requestId: res.requestId };
    const page = kit.validate(o.envelope, res, api, path);
    const items = page.data_list ?? [];
    refuseOverfullPage(items.length, limit, at);
    const { valid, invalid } = partitionItems(items, o.row);
    if (invalid.length > 0) {
      kit.quarantine(invalid, { api, requestId: res.requestId, offset, imageId }, call.options);
      if (o.invalidItems === 'quarantine-image') throw new ImageQuarantinedError(at, imageId, invalid.length);
    }
    o.take(valid);
    offset += items.length;
    const total = page.total_num;
    const done =
      items.length === 0 || (total !== undefined && total !== null ? offset >= total : items.length < limit);
    if (done) return;
  }
}
