/**
 * The three image list APIs (hss-api.md section 2): ListRegistryImages, ListImageLocal and
 * ListCicdImages. Pure: world and parsed query in, reply out.
 */
import type { ImageType } from '../domain.js';
import { epParam, filterRefs, MAX_OFFSET, scopeDataFor } from './images-filter.js';
import { intParam, pageOf } from './query.js';
import { invalidParam, type Reply } from './reply.js';
import type { SimImageRow } from './types.js';
import type { SimWorld } from './world.js';
import { type Flavour, refToRow, type SimRef } from './world-gen.js';

const REGISTRY_TYPES: readonly string[] = ['private_image', 'shared_image', 'instance_image'];

interface ListSpec {
  minLimit: number;
  /** The scope served, or null for an empty result. */
  imageType: (q: Map<string, string>) => ImageType | null;
}

function listImages(world: SimWorld, projectId: string, q: Map<string, string>, spec: ListSpec): Reply {
  const offset = intParam(q, 'offset', 0, MAX_OFFSET, 0);
  if (offset === null) return invalidParam('offset', `an integer from 0 to ${MAX_OFFSET}`);
  const limit = intParam(q, 'limit', spec.minLimit, 200, 10);
  if (limit === null) return invalidParam('limit', `an integer from ${spec.minLimit} to 200`);
  const ep = epParam(q);
  if (typeof ep !== 'string') return ep;
  const imageType = spec.imageType(q);
  // References first, rows for the page only: a page of a 100,000-reference scope must not
  // serialise the whole scope (500 pages would build 50 million rows).
  const refs: { ref: SimRef; flavour: Flavour }[] = [];
  if (imageType !== null) {
    for (const d of scopeDataFor(world, projectId, ep, imageType)) {
      const matching = filterRefs(d.refs, {
        namespace: q.get('namespace'),
        imageName: q.get('image_name'),
        imageVersion: q.get('image_version'),
        instanceId: q.get('instance_id'),
        scanStatus: q.get('scan_status'),
        hostName: q.get('host_name'),
      });
      for (const ref of matching) refs.push({ ref, flavour: d.flavour });
    }
  }
  const page = pageOf(refs, offset, limit);
  const rows: SimImageRow[] = page.data_list.map((r) => refToRow(r.ref, r.flavour));
  return { status: 200, body: { ...page, data_list: rows } };
}

/**
 * ListRegistryImages: image_type private_image / shared_image / instance_image serves that scope,
 * no image_type the `registry` scope, any other value an empty result. limit 1–200 (default 10).
 */
export function listRegistryImages(world: SimWorld, projectId: string, q: Map<string, string>): Reply {
  return listImages(world, projectId, q, {
    minLimit: 1,
    imageType: (query) => {
      const t = query.get('image_type');
      if (t === undefined || t === '') return 'registry';
      return REGISTRY_TYPES.includes(t) ? (t as ImageType) : null;
    },
  });
}

/** ListImageLocal: the local_image data (also what image_type `local` means). limit 1–200. */
export function listImageLocal(world: SimWorld, projectId: string, q: Map<string, string>): Reply {
  return listImages(world, projectId, q, { minLimit: 1, imageType: () => 'local_image' });
}

/** ListCicdImages: the cicd scope. limit 10–200. */
export function listCicdImages(world: SimWorld, projectId: string, q: Map<string, string>): Reply {
  return listImages(world, projectId, q, { minLimit: 10, imageType: () => 'cicd' });
}
