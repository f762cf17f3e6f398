/**
 * The stable key of an image reference (a tag) inside its scope. Pure.
 */
import type { ImageListing } from '../domain.js';

/**
 * JSON of [namespace, image_name, image_version, instance_id, registry_name, host_id], plus the
 * image_id when the listing has no image_name (nothing else would tell such rows apart).
 * A re-pushed tag keeps its key and gets a new image_id, so the row is updated, not duplicated.
 */
export function imageRefKey(listing: ImageListing): string {
  const parts: (string | null)[] = [
    listing.namespace,
    listing.imageName,
    listing.imageVersion,
    listing.instanceId,
    listing.registryName,
    listing.hostId,
  ];
  if (listing.imageName === null) parts.push(listing.imageId);
  return JSON.stringify(parts);
}
