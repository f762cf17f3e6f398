/** The image list APIs: one page of a scope's images, validated item by item and normalised. */
import { type ImageListing, type ImageType, listApiFor, type Page, type Scope } from '../domain.js';
import { type CallKit, refuseOverfullPage } from './call-kit.js';
import { normalizeImagePage } from './normalize.js';
import { partitionItems } from './quarantine.js';
import { imageEnvelopeSchema, imageRowSchema } from './schemas.js';
import type { CallOptions } from './types.js';

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
 * HssClient.listImagesPage: schema-invalid items are quarantined, the rest normalised, each with
 * its item as received (`raw`). total_num is optional upstream: totalNum null without it.
 */
export async function listImagesPage(
  kit: CallKit,
  scope: Scope,
  offset: number,
  limit: number,
  options?: CallOptions,
): Promise<Page<ImageListing>> {
  const api = listApiFor(scope.imageType);
  const { segments, imageTypeParam } = listRequest(scope.imageType);
  const query = {
    enterprise_project_id: scope.enterpriseProjectId,
    offset,
    limit,
    image_type: imageTypeParam,
  };
  const res = await kit.get({ api, scope, segments, query, options });
  const path = kit.pathOf({ scope, segments });
  const envelope = kit.validate(imageEnvelopeSchema, res, api, path);
  const items = envelope.data_list ?? [];
  refuseOverfullPage(items.length, limit, { api, path, status: res.status, requestId: res.requestId });
  const { valid, received, invalid } = partitionItems(items, imageRowSchema);
  kit.quarantine(invalid, { api, requestId: res.requestId, offset }, options);
  const before = { ...kit.stats };
  const { totalNum, rows } = normalizeImagePage(
    envelope.total_num,
    valid.map((row, i) => ({ row, received: received[i] })),
    kit.stats,
  );
  kit.reportStats(before, { api, scope: scope.imageType, offset, requestId: res.requestId });
  return {
    totalNum,
    rows,
    itemsReceived: items.length,
    requestId: res.requestId,
  };
}
