/**
 * Selecting the references of a request: resolving enterprise projects (including
 * all_granted_eps) and applying the image filters the APIs document.
 */
import type { ImageType } from '../domain.js';
import { intParam } from './query.js';
import type { Reply } from './reply.js';
import { invalidParam } from './reply.js';
import type { SimWorld } from './world.js';
import type { ScopeData, SimContent, SimRef } from './world-gen.js';

export const ALL_GRANTED_EPS = 'all_granted_eps';

/** The largest offset the list APIs accept. */
export const MAX_OFFSET = 2_000_000;

/**
 * What the per-image APIs validate alike, in this order: the `required` parameters (present and
 * not empty), offset (0–MAX_OFFSET), limit (10–200, default 10), enterprise_project_id, image_id
 * (at most 128 characters); or the 400 reply for the first that breaks its rule. The ranges are
 * those of ListImageRiskConfigsRequest, ListImageRiskConfigRulesRequest and
 * ListCheckRulesInfoRequest (official SDK models: offset minimum 0 maximum 2000000, limit
 * minimum 10 maximum 200, enterprise_project_id 1–256, image_id 0–128 characters).
 */
export function imagePageParams<R extends string>(
  q: Map<string, string>,
  required: readonly R[],
): ({ offset: number; limit: number; ep: string; imageId: string } & Record<R, string>) | Reply {
  const values = {} as Record<R, string>;
  for (const name of required) {
    const value = q.get(name);
    if (value === undefined || value === '') return invalidParam(name, 'required');
    values[name] = value;
  }
  const offset = intParam(q, 'offset', 0, MAX_OFFSET, 0);
  if (offset === null) return invalidParam('offset', `an integer from 0 to ${MAX_OFFSET}`);
  const limit = intParam(q, 'limit', 10, 200, 10);
  if (limit === null) return invalidParam('limit', 'an integer from 10 to 200');
  const ep = epParam(q);
  if (typeof ep !== 'string') return ep;
  const imageId = q.get('image_id') ?? '';
  if (imageId.length > 128) return invalidParam('image_id', 'at most 128 characters');
  return { ...values, offset, limit, ep, imageId };
}

/** enterprise_project_id: default '0', 1–256 characters, or a 400 reply. */
export function epParam(q: Map<string, string>): string | Reply {
  const ep = q.get('enterprise_project_id');
  if (ep === undefined) return '0';
  if (ep.length < 1 || ep.length > 256) return invalidParam('enterprise_project_id', '1 to 256 characters');
  return ep;
}

/** The scope data a request reads: one EP, or every EP of the project for all_granted_eps. */
export function scopeDataFor(
  world: SimWorld,
  projectId: string,
  ep: string,
  imageType: ImageType,
): ScopeData[] {
  const eps = ep === ALL_GRANTED_EPS ? (world.enterpriseProjects(projectId) ?? []) : [ep];
  const out: ScopeData[] = [];
  for (const e of eps) {
    const d = world.scopeData(projectId, e, imageType);
    if (d) out.push(d);
  }
  return out;
}

/** Filters of the list APIs; empty values do not filter. */
export interface RefFilter {
  namespace?: string | undefined;
  /** substring */
  imageName?: string | undefined;
  imageVersion?: string | undefined;
  instanceId?: string | undefined;
  imageId?: string | undefined;
  scanStatus?: string | undefined;
  hostName?: string | undefined;
}

/** The references matching every non-empty filter (image_name as a case-sensitive substring). */
export function filterRefs(refs: readonly SimRef[], f: RefFilter): SimRef[] {
  return refs.filter(
    (r) =>
      (!f.namespace || r.namespace === f.namespace) &&
      (!f.imageName || r.imageName.includes(f.imageName)) &&
      (!f.imageVersion || r.imageVersion === f.imageVersion) &&
      (!f.instanceId || r.instanceId === f.instanceId) &&
      (!f.imageId || r.content.imageId === f.imageId) &&
      (!f.scanStatus || r.content.scanStatus === f.scanStatus) &&
      (!f.hostName || r.hostName === f.hostName),
  );
}

/**
 * The contents of the references matching `filter(imageType)` in the request's scopes, each once,
 * in listing order.
 */
export function matchingContents(
  world: SimWorld,
  projectId: string,
  ep: string,
  imageType: ImageType,
  filter: RefFilter,
): SimContent[] {
  const seen = new Set<SimContent>();
  for (const d of scopeDataFor(world, projectId, ep, imageType)) {
    for (const r of filterRefs(d.refs, filter)) seen.add(r.content);
  }
  return [...seen];
}
