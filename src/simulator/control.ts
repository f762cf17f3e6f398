/**
 * The control surface under /_sim/ for other processes (the demo, cross-process tests): read the
 * world and its truth, mutate it (coverage cases and the cicd switch included), read and reset
 * stats, set faults and the rate limit.
 * No auth: it is a test instrument bound to loopback by default.
 */
import { IMAGE_TYPES, type ImageType } from '../domain.js';
import type { Reply } from './reply.js';
import { hssError } from './reply.js';
import type { FaultOptions, SimImagePartial, SimScope, SimStats } from './types.js';
import type { SimWorld } from './world.js';

export interface ControlDeps {
  world: SimWorld;
  stats: () => SimStats;
  resetStats: () => void;
  setFaults: (f: FaultOptions) => void;
  setRateLimit: (perMinute: number | null, retryAfter?: boolean) => void;
  /** Expires every IAM-issued token now; returns how many. */
  expireTokens: () => number;
}

type Json = Record<string, unknown>;

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function scopeFrom(src: (name: string) => unknown): SimScope {
  const projectId = src('project_id');
  const ep = src('enterprise_project_id') ?? '0';
  const imageType = src('image_type');
  if (typeof projectId !== 'string' || projectId === '')
    throw new ControlError(400, 'project_id is required');
  if (typeof ep !== 'string') throw new ControlError(400, 'enterprise_project_id must be a string');
  if (typeof imageType !== 'string' || !(IMAGE_TYPES as readonly string[]).includes(imageType)) {
    throw new ControlError(400, `image_type must be one of ${IMAGE_TYPES.join(', ')}`);
  }
  return { projectId, enterpriseProjectId: ep, imageType: imageType as ImageType };
}

function jsonBody(body: string): Json {
  if (body.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new ControlError(400, 'the body is not JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new ControlError(400, 'the body must be an object');
  return v as Json;
}

const ok = (body: unknown = {}): Reply => ({ status: 200, body });

/** Answers one /_sim/ request; unknown routes get 404 SIM.0404. */
export function handleControl(
  method: string,
  path: string,
  q: Map<string, string>,
  body: string,
  deps: ControlDeps,
): Reply {
  try {
    return route(method, path, q, body, deps);
  } catch (err) {
    if (err instanceof ControlError) return hssError(err.status, 'SIM.0001', err.message);
    // World methods throw plain Errors for unknown scopes and images.
    return hssError(404, 'SIM.0002', err instanceof Error ? err.message : String(err));
  }
}

function route(method: string, path: string, q: Map<string, string>, body: string, deps: ControlDeps): Reply {
  const { world } = deps;
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /_sim/scopes':
      return ok({
        scopes: world.scopes().map((s) => ({
          project_id: s.projectId,
          enterprise_project_id: s.enterpriseProjectId,
          image_type: s.imageType,
        })),
      });
    case 'GET /_sim/truth': {
      const truth = world.groundTruth(scopeFrom((n) => q.get(n)));
      return ok({
        total_num: truth.size,
        images: [...truth].map(([imageId, results]) => ({ image_id: imageId, results })),
      });
    }
    case 'GET /_sim/images': {
      const rows = world.images(scopeFrom((n) => q.get(n)));
      return ok({ total_num: rows.length, data_list: rows });
    }
    case 'POST /_sim/rescan': {
      const b = jsonBody(body);
      const scope = scopeFrom((n) => b[n]);
      const ids = b.image_ids;
      if (ids !== undefined && (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string'))) {
        throw new ControlError(400, 'image_ids must be an array of strings');
      }
      const count = b.count;
      if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 0)) {
        throw new ControlError(400, 'count must be a non-negative integer');
      }
      return ok({
        image_ids: world.rescan(scope, (ids as string[] | undefined) ?? (count as number | undefined) ?? 1),
      });
    }
    case 'POST /_sim/add': {
      const b = jsonBody(body);
      const partial = b.image ?? {};
      if (partial === null || typeof partial !== 'object')
        throw new ControlError(400, 'image must be an object');
      return ok({
        image_id: world.addImage(
          scopeFrom((n) => b[n]),
          partial as SimImagePartial,
        ),
      });
    }
    case 'POST /_sim/remove': {
      const b = jsonBody(body);
      if (typeof b.image_id !== 'string') throw new ControlError(400, 'image_id is required');
      return ok({
        removed: world.removeImage(
          scopeFrom((n) => b[n]),
          b.image_id,
        ),
      });
    }
    case 'POST /_sim/scan-status': {
      const b = jsonBody(body);
      if (typeof b.image_id !== 'string' || typeof b.status !== 'string') {
        throw new ControlError(400, 'image_id and status are required');
      }
      world.setScanStatus(
        scopeFrom((n) => b[n]),
        b.image_id,
        b.status,
      );
      return ok();
    }
    case 'GET /_sim/coverage':
      return ok(world.coverageCases(scopeFrom((n) => q.get(n))));
    case 'POST /_sim/coverage': {
      const b = jsonBody(body);
      const states = ['no_results', 'inconsistent', 'consistent'];
      if (typeof b.image_id !== 'string' || typeof b.state !== 'string' || !states.includes(b.state)) {
        throw new ControlError(400, `image_id and state (${states.join(', ')}) are required`);
      }
      world.setCoverage(
        scopeFrom((n) => b[n]),
        b.image_id,
        b.state as 'no_results' | 'inconsistent' | 'consistent',
      );
      return ok();
    }
    case 'POST /_sim/cicd-risk-configs': {
      const b = jsonBody(body);
      if (b.mode !== 'empty' && b.mode !== 'seed') throw new ControlError(400, 'mode must be empty or seed');
      world.cicdRiskConfigs = b.mode;
      return ok();
    }
    case 'GET /_sim/stats':
      return ok(deps.stats());
    case 'POST /_sim/stats/reset':
      deps.resetStats();
      return ok();
    case 'POST /_sim/faults':
      deps.setFaults(jsonBody(body) as FaultOptions);
      return ok();
    case 'POST /_sim/expire-tokens':
      return ok({ expired: deps.expireTokens() });
    case 'POST /_sim/rate-limit': {
      const b = jsonBody(body);
      const perMinute = b.per_minute ?? null;
      if (
        perMinute !== null &&
        (typeof perMinute !== 'number' || !Number.isInteger(perMinute) || perMinute < 0)
      ) {
        throw new ControlError(400, 'per_minute must be a non-negative integer or null');
      }
      if (b.retry_after !== undefined && typeof b.retry_after !== 'boolean') {
        throw new ControlError(400, 'retry_after must be a boolean');
      }
      deps.setRateLimit(perMinute, b.retry_after as boolean | undefined);
      return ok();
    }
    default:
      return hssError(404, 'SIM.0404', `no control route ${method} ${path}`);
  }
}
