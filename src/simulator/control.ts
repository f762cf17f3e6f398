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

/** One /_sim/ request: its query, its body as JSON (read on demand) and the simulator's levers. */
interface ControlRequest {
  q: Map<string, string>;
  body: () => Json;
  deps: ControlDeps;
}

/** The scope named by the query. */
const queryScope = (r: ControlRequest) => scopeFrom((n) => r.q.get(n));

function listScopes({ deps }: ControlRequest): Reply {
  return ok({
    scopes: deps.world.scopes().map((s) => ({
      project_id: s.projectId,
      enterprise_project_id: s.enterpriseProjectId,
      image_type: s.imageType,
    })),
  });
}

function truth(r: ControlRequest): Reply {
  const found = r.deps.world.groundTruth(queryScope(r));
  return ok({
    total_num: found.size,
    images: [...found].map(([imageId, results]) => ({ image_id: imageId, results })),
  });
}

function images(r: ControlRequest): Reply {
  const rows = r.deps.world.images(queryScope(r));
  return ok({ total_num: rows.length, data_list: rows });
}

function rescan(r: ControlRequest): Reply {
  const b = r.body();
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
    image_ids: r.deps.world.rescan(
      scope,
      (ids as string[] | undefined) ?? (count as number | undefined) ?? 1,
    ),
  });
}

function addImage(r: ControlRequest): Reply {
  const b = r.body();
  const partial = b.image ?? {};
  if (partial === null || typeof partial !== 'object') throw new ControlError(400, 'image must be an object');
  return ok({
    image_id: r.deps.world.addImage(
      scopeFrom((n) => b[n]),
      partial as SimImagePartial,
    ),
  });
}

function removeImage(r: ControlRequest): Reply {
  const b = r.body();
  if (typeof b.image_id !== 'string') throw new ControlError(400, 'image_id is required');
  return ok({
    removed: r.deps.world.removeImage(
      scopeFrom((n) => b[n]),
      b.image_id,
    ),
  });
}

function setScanStatus(r: ControlRequest): Reply {
  const b = r.body();
  if (typeof b.image_id !== 'string' || typeof b.status !== 'string') {
    throw new ControlError(400, 'image_id and status are required');
  }
  r.deps.world.setScanStatus(
    scopeFrom((n) => b[n]),
    b.image_id,
    b.status,
  );
  return ok();
}

function setCoverage(r: ControlRequest): Reply {
  const b = r.body();
  const states = ['no_results', 'inconsistent', 'consistent'];
  if (typeof b.image_id !== 'string' || typeof b.state !== 'string' || !states.includes(b.state)) {
    throw new ControlError(400, `image_id and state (${states.join(', ')}) are required`);
  }
  r.deps.world.setCoverage(
    scopeFrom((n) => b[n]),
    b.image_id,
    b.state as 'no_results' | 'inconsistent' | 'consistent',
  );
  return ok();
}

function setCicdRiskConfigs(r: ControlRequest): Reply {
  const b = r.body();
  if (b.mode !== 'empty' && b.mode !== 'seed') throw new ControlError(400, 'mode must be empty or seed');
  r.deps.world.cicdRiskConfigs = b.mode;
  return ok();
}

function setRateLimit(r: ControlRequest): Reply {
  const b = r.body();
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
  r.deps.setRateLimit(perMinute, b.retry_after as boolean | undefined);
  return ok();
}

/** The control routes, by `METHOD path`. */
const ROUTES: Record<string, (r: ControlRequest) => Reply> = {
  'GET /_sim/scopes': listScopes,
  'GET /_sim/truth': truth,
  'GET /_sim/images': images,
  'POST /_sim/rescan': rescan,
  'POST /_sim/add': addImage,
  'POST /_sim/remove': removeImage,
  'POST /_sim/scan-status': setScanStatus,
  'GET /_sim/coverage': (r) => ok(r.deps.world.coverageCases(queryScope(r))),
  'POST /_sim/coverage': setCoverage,
  'POST /_sim/cicd-risk-configs': setCicdRiskConfigs,
  'GET /_sim/stats': (r) => ok(r.deps.stats()),
  'POST /_sim/stats/reset': (r) => {
    r.deps.resetStats();
    return ok();
  },
  'POST /_sim/faults': (r) => {
    r.deps.setFaults(r.body() as FaultOptions);
    return ok();
  },
  'POST /_sim/expire-tokens': (r) => ok({ expired: r.deps.expireTokens() }),
  'POST /_sim/rate-limit': setRateLimit,
};

function route(method: string, path: string, q: Map<string, string>, body: string, deps: ControlDeps): Reply {
  const handler = Object.hasOwn(ROUTES, `${method} ${path}`) ? ROUTES[`${method} ${path}`] : undefined;
  if (!handler) return hssError(404, 'SIM.0404', `no control route ${method} ${path}`);
  return handler({ q, body: () => jsonBody(body), deps });
}
