/**
 * Selecting the references of a request: resolving enterprise projects (including
 * all_granted_eps) and applying the image filters the APIs document.
 */
import type { ImageType } from '../domain.js';
import type { Reply } from './reply.js';
import { invalidParam } from './reply.js';
import type { SimWorld } from './world.js';
import type { ScopeData, SimRef } from './world-gen.js';

export const ALL_GRANTED_EPS = 'all_granted_eps';

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
