/**
 * Seeded generation of one scope's data: image contents, their references (tags) and baseline
 * rows, with the realistic mess (shared image_ids, unscanned images, hostile strings, images
 * scanned without results, listings that disagree with their results) planted
 * deterministically. Pure apart from the Rng it is handed.
 */
import type { ImageType, ScanStatus } from '../domain.js';
import { makeRows, type SimRiskRow } from './baseline.js';
import { type CoverageShares, plantCoverage } from './coverage.js';
import { plantHostile } from './hostile.js';
import type { Rng } from './prng.js';
import type { SimImagePartial } from './types.js';

/** Which list API shape a scope's rows have. */
export type Flavour = 'registry' | 'local' | 'cicd';

/** The image type whose data a scope serves: 'local' is the global view of the local_image data. */
export function dataImageType(imageType: ImageType): ImageType {
  return imageType === 'local' ? 'local_image' : imageType;
}

/** The list API row shape of an image type. */
export function flavourOf(imageType: ImageType): Flavour {
  const t = dataImageType(imageType);
  if (t === 'local_image') return 'local';
  if (t === 'cicd') return 'cicd';
  return 'registry';
}

/** One image content: what every tag sharing its image_id has in common. */
export interface SimContent {
  imageId: string;
  imageDigest: string;
  scanStatus: ScanStatus;
  latestScanTime: number | null;
  latestUpdateTime: number;
  imageSize: number;
  vulNum: number;
  /** The scan_failed_code of a failed scan ('' otherwise); listing-row.ts words its description. */
  scanFailedCode: string;
  /**
   * The listing's unsafe_setting_num contradicts the results (coverage `inconsistent`): it says
   * 0 when the results have failed items, 3 when they have none.
   */
  inconsistent: boolean;
  /** Baseline rows; empty when the image has no results. */
  rows: SimRiskRow[];
}

/** One image reference (tag) of a content. */
export interface SimRef {
  content: SimContent;
  namespace: string;
  imageName: string;
  imageVersion: string;
  imageType: string;
  instanceId: string;
  registryName: string;
  registryType: string;
  hostId: string;
  hostName: string;
}

/** Everything one scope holds, plus the random stream its later mutations draw from. */
export interface ScopeData {
  imageType: ImageType;
  flavour: Flavour;
  /** References in listing order. */
  refs: SimRef[];
  hosts: { hostId: string; hostName: string }[];
  instances: string[];
  /** Keys of existing references, to keep tags unique. */
  refKeys: Set<string>;
  imageIds: Set<string>;
  rng: Rng;
  /** Hostile kinds planted at generation (for tests and docs). */
  hostileKinds: string[];
}

/** Initial scan times lie before this fixed instant, so a world never depends on the clock. */
export const WORLD_EPOCH_MS = Date.UTC(2025, 9, 1);
const DAY_MS = 86_400_000;

const NAMESPACES = ['scc_hss_container', 'library', 'team-a', 'platform', 'ml-ops'];
const IMAGE_NAMES = [
  'euleros',
  'nginx',
  'redis',
  'euleros/test',
  'app/api-gateway',
  'postgres',
  'busybox',
  'java-runtime',
  'python',
  'node',
];
const NOT_SCANNED: ScanStatus[] = ['unscan', 'waiting_for_scan', 'scanning', 'failed'];

/** The identity of a reference within its scope (unique across tags). */
export function refKey(ref: Pick<SimRef, 'namespace' | 'imageName' | 'imageVersion' | 'hostId'>): string {
  return [ref.namespace, ref.imageName, ref.imageVersion, ref.hostId].join('\u0001');
}

function newImageId(rng: Rng, flavour: Flavour, taken: Set<string>): string {
  for (;;) {
    // cicd ids are short (like the seed doc's `image_id=111` example), others full digests.
    const id = flavour === 'cicd' ? rng.hex(24) : `sha256:${rng.hex(64)}`;
    if (!taken.has(id)) return id;
  }
}

function newVersion(rng: Rng): string {
  if (rng.chance(0.1)) return 'latest';
  return `${rng.int(1, 4)}.${rng.int(0, 12)}.${rng.int(0, 30)}`;
}

function registryFields(
  imageType: ImageType,
  rng: Rng,
  instances: string[],
): Pick<SimRef, 'imageType' | 'instanceId' | 'registryName' | 'registryType'> {
  switch (imageType) {
    case 'private_image':
      return { imageType, instanceId: '', registryName: 'SWR', registryType: 'SwrPrivate' };
    case 'shared_image':
      return { imageType, instanceId: '', registryName: 'SWR', registryType: 'SwrShared' };
    case 'instance_image': {
      const instanceId = rng.pick(instances);
      return {
        imageType,
        instanceId,
        registryName: `swr-ee-${instanceId.slice(0, 6)}`,
        registryType: 'SwrEnterprise',
      };
    }
    case 'cicd':
      return { imageType, instanceId: '', registryName: 'cicd-pipeline', registryType: '' };
    default: {
      const harbor = rng.chance(0.5);
      // RegistryImagesInfo.image_type names the registry kind in this scope: harbor or jfrog.
      return {
        imageType: harbor ? 'harbor' : 'jfrog',
        instanceId: '',
        registryName: harbor ? 'harbor-prod' : 'jfrog-central',
        registryType: harbor ? 'Harbor' : 'Jfrog',
      };
    }
  }
}

function pickHost(data: ScopeData, avoid: Set<string>): { hostId: string; hostName: string } {
  const free = data.hosts.filter((h) => !avoid.has(h.hostId));
  return data.rng.pick(free.length > 0 ? free : data.hosts);
}

/**
 * A new reference of `content`, unique in the scope; `partial` fixes fields, the rest is drawn.
 * `avoidHosts` keeps local tags of one content on different hosts.
 */
export function makeRef(
  data: ScopeData,
  content: SimContent,
  partial: SimImagePartial = {},
  base?: SimRef,
  avoidHosts: Set<string> = new Set(),
): SimRef {
  const { rng, flavour } = data;
  for (let attempt = 0; ; attempt++) {
    const host = flavour === 'local' ? pickHost(data, avoidHosts) : { hostId: '', hostName: '' };
    const reg = flavour === 'local' ? null : registryFields(data.imageType, rng, data.instances);
    const ref: SimRef = {
      content,
      namespace: flavour === 'local' ? '' : (partial.namespace ?? base?.namespace ?? rng.pick(NAMESPACES)),
      imageName: partial.image_name ?? base?.imageName ?? rng.pick(IMAGE_NAMES),
      // Local tags of one content differ by host and keep name and version; others differ by version.
      imageVersion:
        partial.image_version ?? (flavour === 'local' && base ? base.imageVersion : newVersion(rng)),
      imageType: base?.imageType ?? reg?.imageType ?? '',
      instanceId: partial.instance_id ?? base?.instanceId ?? reg?.instanceId ?? '',
      registryName: partial.registry_name ?? base?.registryName ?? reg?.registryName ?? '',
      registryType: partial.registry_type ?? base?.registryType ?? reg?.registryType ?? '',
      hostId: partial.host_id ?? host.hostId,
      hostName: partial.host_name ?? host.hostName,
    };
    if (attempt > 20 && data.refKeys.has(refKey(ref))) {
      ref.imageVersion = `${ref.imageVersion}-${data.refs.length}-${attempt}`;
    }
    if (!data.refKeys.has(refKey(ref))) {
      data.refKeys.add(refKey(ref));
      return ref;
    }
  }
}

/** A new, successfully scanned content with results, scanned at `scanTime`. */
export function makeContent(data: ScopeData, scanTime: number, partial: SimImagePartial = {}): SimContent {
  const { rng } = data;
  const imageId = partial.image_id ?? newImageId(rng, data.flavour, data.imageIds);
  data.imageIds.add(imageId);
  const rows = makeRows(rng);
  return {
    imageId,
    imageDigest: partial.image_digest ?? `sha256:${rng.hex(64)}`,
    scanStatus: 'success',
    latestScanTime: scanTime,
    latestUpdateTime: scanTime - rng.int(DAY_MS, 300 * DAY_MS),
    imageSize: rng.int(5_000_000, 2_000_000_000),
    vulNum: rng.int(0, 120),
    scanFailedCode: '',
    inconsistent: false,
    rows,
  };
}

/** Unique tags of one content: 1, or 2–3 for about one content in five. */
function addTags(data: ScopeData, content: SimContent, tags: number): void {
  const hostsUsed = new Set<string>();
  let base: SimRef | undefined;
  for (let t = 0; t < tags; t++) {
    const ref = makeRef(data, content, {}, base, hostsUsed);
    hostsUsed.add(ref.hostId);
    base ??= ref;
    data.refs.push(ref);
  }
}

/**
 * Generates a scope: `count` contents; every 10th (index 7, 17, …) not successfully scanned,
 * cycling unscan, waiting_for_scan, scanning, failed; every 5th (index 2, 7, …) with 2–3 tags;
 * references shuffled into listing order; hostile values planted on spread rows; then the
 * coverage cases (coverage.ts) chosen by `coverageRng`, a stream of its own, so the draws above
 * (identities, results) do not depend on the coverage shares.
 */
export function generateScope(
  imageType: ImageType,
  count: number,
  rng: Rng,
  coverageRng?: Rng,
  shares?: CoverageShares,
): ScopeData {
  const flavour = flavourOf(imageType);
  const data: ScopeData = {
    imageType: dataImageType(imageType),
    flavour,
    refs: [],
    hosts: Array.from({ length: 6 }, (_, k) => ({
      hostId: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
      hostName: `node-${k + 1}.cluster.local`,
    })),
    instances: [rng.hex(32), rng.hex(32)],
    refKeys: new Set(),
    imageIds: new Set(),
    rng,
    hostileKinds: [],
  };
  for (let i = 0; i < count; i++) {
    const scanTime = WORLD_EPOCH_MS - rng.int(0, 30 * DAY_MS);
    const content = makeContent(data, scanTime);
    if (i % 10 === 7) {
      const status = NOT_SCANNED[Math.floor(i / 10) % NOT_SCANNED.length] as ScanStatus;
      content.scanStatus = status;
      content.vulNum = 0;
      if (status === 'unscan') {
        content.rows = [];
        content.latestScanTime = null;
      } else if (status === 'waiting_for_scan') {
        content.rows = [];
        content.latestScanTime = 0;
      } else if (status === 'failed') {
        content.scanFailedCode = 'download_failed';
        // A failed rescan may keep the results of an earlier scan, or there may be none.
        if (rng.chance(0.5)) {
          content.rows = [];
          content.latestScanTime = null;
        }
      }
      // 'scanning' keeps the results of the previous scan until the new one finishes.
    }
    addTags(data, content, i % 5 === 2 ? rng.int(2, 3) : 1);
  }
  data.refs = rng.shuffle(data.refs);
  const rows = contentsInOrder(data).flatMap((c) => c.rows.map((row) => ({ row, siblings: c.rows })));
  const hostileRows = new Set<SimRiskRow>();
  data.hostileKinds = plantHostile(rows, hostileRows);
  if (coverageRng) {
    // Hostile rows stay: an image emptied of its results must not take a planted value with it.
    const eligible = contentsInOrder(data).filter((c) => !c.rows.some((r) => hostileRows.has(r)));
    plantCoverage(eligible, coverageRng, shares);
  }
  return data;
}

/** Distinct contents in order of first appearance in the listing. */
export function contentsInOrder(data: ScopeData): SimContent[] {
  const seen = new Set<SimContent>();
  for (const ref of data.refs) seen.add(ref.content);
  return [...seen];
}
