import { describe, expect, it } from 'vitest';
import { type ImageListing, noListingExtras } from '../domain.js';
import { imageRefKey } from './ref-key.js';

const base: ImageListing = {
  ...noListingExtras(),
  imageId: 'sha256:1',
  imageDigest: 'sha256:d1',
  namespace: 'ns',
  imageName: 'app',
  imageVersion: 'v1',
  instanceId: null,
  registryName: 'SWR',
  registryType: null,
  hostId: null,
  hostName: 'h',
  scanStatus: 'success',
  latestScanTime: 1,
  unsafeSettingNum: 0,
  imageSize: 1,
  latestUpdateTime: 1,
};

describe('imageRefKey', () => {
  it('is the JSON of the six identity fields', () => {
    expect(imageRefKey(base)).toBe('["ns","app","v1",null,"SWR",null]');
  });

  it('does not change when the content or the scan changes (a re-pushed tag keeps its key)', () => {
    expect(
      imageRefKey({ ...base, imageId: 'sha256:2', imageDigest: 'x', latestScanTime: 9, hostName: 'other' }),
    ).toBe(imageRefKey(base));
  });

  it('adds the image_id when there is no image_name', () => {
    expect(imageRefKey({ ...base, imageName: null })).toBe('["ns",null,"v1",null,"SWR",null,"sha256:1"]');
    expect(imageRefKey({ ...base, imageName: null, imageId: 'sha256:2' })).not.toBe(
      imageRefKey({ ...base, imageName: null }),
    );
  });

  it('cannot be confused by separators inside the fields', () => {
    expect(imageRefKey({ ...base, namespace: 'a","b', imageName: 'c' })).not.toBe(
      imageRefKey({ ...base, namespace: 'a', imageName: 'b","c' }),
    );
  });
});
