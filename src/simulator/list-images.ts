/**
 * The three image list APIs (docs/hss-api.md section 2): ListRegistryImages, ListImageLocal and
 * ListCicdImages. Pure: world and parsed query in, reply out.
 *
 * Documented ranges played (400 HSS.0001 outside them), from the official SDK request models
 * (huaweicloud-sdk-java-v3 services/hss v5 model, `minimum`/`maximum` of each field; the Go
 * models say the same in words):
 * - ListRegistryImagesRequest: offset 0–2,000,000, limit 1–200 (default 10);
 * - ListImageLocalRequest: offset 0–2,000,000, limit 10–200 (default 10);
 * - ListCicdImagesRequest: offset 0–2,000,000, limit 10–200 (default 10);
 * - all three: enterprise_project_id 1–256 characters.
 */
import type { ImageType } from '../domain.js';
import { epParam, filterRefs, MAX_OFFSET, scopeDataFor } from './images-filter.js';
import { refToRow, tagCounts } from './listing-row.js';
import { intParam, pageOf } from './query.js';
import { invalidParam, type Reply } from './reply.js';
import type { SimImageRow } from './types.js';
import type { SimWorld } from './world.js';
import type { ScopeData, SimRef } from './world-gen.js';

const REGISTRY_TYPES: readonly string[] = ['private_image', 'shared_image', 'instance_image'];
/** ListRegistryImagesRequest.image_type also takes the registry kinds of the `registry` scope. */
const REGISTRY_KINDS: readonly string[] = ['harbor', 'jfrog'];

interface ListSpec {
  minLimit: number;
  /** The API documents an image_id filter (ListCicdImagesRequest only). */
  imageIdFilter?: boolean;
  /** The scope served and the row kind (image_type) kept, or null for an empty result. */
  imageType: (q: Map<string, string>) => { scope: ImageType; kind?: string } | null;
}

function listImages(world: SimWorld, projectId: string, q: Map<string, string>, spec: ListSpec): Reply {
  const offset = intParam(q, 'offset', 0, MAX_OFFSET, 0);
  if (offset === null) return invalidParam('offset', `an integer from 0 to ${MAX_OFFSET}`);
  const limit = intParam(q, 'limit', spec.minLimit, 200, 10);
  if (limit === null) return invalidParam('limit', `an integer from ${spec.minLimit} to 200`);
  const ep = epParam(q);
  if (typeof ep !== 'string') return ep;
  const served = spec.imageType(q);
  // References first, rows for the page only: a page of a 100,000-reference scope must not
  // serialise the whole scope (500 pages would build 50 million rows).
  const refs: { ref: SimRef; data: ScopeData }[] = [];
  if (served !== null) {
    for (const d of scopeDataFor(world, projectId, ep, served.scope)) {
      const matching = filterRefs(d.refs, {
        namespace: q.get('namespace'),
        imageName: q.get('image_name'),
        imageVersion: q.get('image_version'),
        instanceId: q.get('instance_id'),
        imageId: spec.imageIdFilter ? q.get('image_id') : undefined,
        scanStatus: q.get('scan_status'),
        hostName: q.get('host_name'),
      });
      for (const ref of matching) {
        if (served.kind === undefined || ref.imageType === served.kind) refs.push({ ref, data: d });
      }
    }
  }
  const page = pageOf(refs, offset, limit);
  const counts = new Map<ScopeData, Map<SimRef['content'], number>>();
  const rows: SimImageRow[] = page.data_list.map(({ ref, data }) => {
    let tags = counts.get(data);
    if (!tags) {
      tags = tagCounts(data);
      counts.set(data, tags);
    }
    return refToRow(ref, data.flavour, tags.get(ref.content));
  });
  return { status: 200, body: { ...page, data_list: rows } };
}

/**
 * ListRegistryImages: image_type private_image / shared_image / instance_image serves that scope,
 * harbor / jfrog the rows of that kind of the `registry` scope, no image_type the whole
 * `registry` scope, any other value an empty result. limit 1–200 (default 10).
 */
export function listRegistryImages(world: SimWorld, projectId: string, q: Map<string, string>): Reply {
  return listImages(world, projectId, q, {
    minLimit: 1,
    imageType: (query) => {
      const t = query.get('image_type');
      if (t === undefined || t === '') return { scope: 'registry' };
      if (REGISTRY_KINDS.includes(t)) return { scope: 'registry', kind: t };
      return REGISTRY_TYPES.includes(t) ? { scope: t as ImageType } : null;
    },
  });
}

/** ListImageLocal: the local_image data (also what image_type `local` means). limit 10–200. */
export function listImageLocal(world: SimWorld, projectId: string, q: Map<string, string>): Reply {
  return listImages(world, projectId, q, { minLimit: 10, imageType: () => ({ scope: 'local_image' }) });
}

/** ListCicdImages: the cicd scope. limit 10–200. */
export function listCicdImages(world: SimWorld, projectId: string, q: Map<string, string>): Reply {
  return listImages(world, projectId, q, {
    minLimit: 10,
    imageIdFilter: true,
    imageType: () => ({ scope: 'cicd' }),
  });
}
