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
import { refToRow } from './world-gen.js';

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
  const rows: SimImageRow[] = [];
  if (imageType !== null) {
    for (const d of scopeDataFor(world, projectId, ep, imageType)) {
      const refs = filterRefs(d.refs, {
        namespace: q.get('namespace'),
        imageName: q.get('image_name'),
        imageVersion: q.get('image_version'),
        instanceId: q.get('instance_id'),
        scanStatus: q.get('scan_status'),
        hostName: q.get('host_name'),
      });
      for (const r of refs) rows.push(refToRow(r, d.flavour));
    }
  }
  return { status: 200, body: pageOf(rows, offset, limit) };
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
