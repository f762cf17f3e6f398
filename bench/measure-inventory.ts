/**
 * inventory_scale_ratio: the database time of a first inventory of one scope (references
 * upserted, scope state recorded, stored contents loaded for the plan, retirement) at 10x the
 * references against 1x, each on a fresh database whose tables were never analyzed, as on a
 * first sync with autovacuum behind. Linear statements give 10; a plan that loops over the
 * scope for each stored row gives about 100 (the former retire anti-join took 13.8 s at
 * 10,000 references and hit the 60 s statement timeout at 40,000).
 *
 * With it, informative: the second inventory of the large scope with 1% of the references gone
 * (their contents retired), and an unchanged third one.
 */
import { createDb } from '../src/db/pool.js';
import { imageRefKey } from '../src/db/ref-key.js';
import {
  loadContentStates,
  recordScopeInventory,
  retireContents,
  upsertImageRefs,
  writeImageResults,
} from '../src/db/writer/index.js';
import { type ImageListing, noListingExtras, type Scope } from '../src/domain.js';
import type { ImageResultItem } from '../src/sync/store.js';
import { BENCH_PROJECT, freshDatabase, round, timed } from './support.js';

export interface InventoryResult {
  inventory_scale_ratio: number;
  inventory_small_refs: number;
  inventory_large_refs: number;
  inventory_small_seconds: number;
  inventory_large_seconds: number;
  /** The large scope again with 1% of its references (and their contents) gone. */
  inventory_retire_seconds: number;
  /** The large scope a third time, unchanged. */
  inventory_noop_seconds: number;
}

const SCOPE: Scope = {
  target: 'bench',
  projectId: BENCH_PROJECT,
  enterpriseProjectId: '0',
  imageType: 'private_image',
};
const RUN_IDS = [
  '00000000-0000-4000-8000-000000000011',
  '00000000-0000-4000-8000-000000000012',
  '00000000-0000-4000-8000-000000000013',
];

/** Deterministic references: one per image, never scanned (what the inventory path writes alone). */
export function syntheticRefs(count: number): ImageListing[] {
  return Array.from({ length: count }, (_, i) => ({
    ...noListingExtras(),
    imageId: `sha256:${i.toString(16).padStart(64, '0')}`,
    imageDigest: `sha256:${(i * 7919).toString(16).padStart(64, '0')}`,
    namespace: ['library', 'team-a', 'platform'][i % 3]!,
    imageName: `app-${i % 997}`,
    imageVersion: `1.${i % 13}.${i}`,
    instanceId: '',
    registryName: 'SWR',
    registryType: 'SwrPrivate',
    hostId: '',
    hostName: '',
    scanStatus: 'unscan',
    latestScanTime: null,
    unsafeSettingNum: 0,
    imageSize: 50_000_000 + i,
    latestUpdateTime: 1_700_000_000_000 + i,
  }));
}

/** The not_scanned records a sync writes for unscanned references, in batches of 100. */
async function recordNotScanned(
  h: ReturnType<typeof createDb>,
  refs: readonly ImageListing[],
  at: Date,
): Promise<void> {
  for (let i = 0; i < refs.length; i += 100) {
    const batch: ImageResultItem[] = refs.slice(i, i + 100).map((r) => ({
      scope: SCOPE,
      imageId: r.imageId,
      signal: { latestScanTime: null, imageDigest: r.imageDigest, unsafeSettingNum: 0, scanStatus: 'unscan' },
      outcome: 'not_scanned',
      source: 'ListImageRiskConfigs',
      results: [],
    }));
    await writeImageResults(h, RUN_IDS[0]!, at, batch);
  }
}

/** The database side of one inventory: what the engine runs between listing and fetching. */
async function inventory(
  h: ReturnType<typeof createDb>,
  runId: string,
  at: Date,
  refs: readonly ImageListing[],
  missingImageIds: readonly string[],
): Promise<number> {
  return (
    await timed(async () => {
      await upsertImageRefs(h, SCOPE, refs, at);
      await recordScopeInventory(h, SCOPE, SCOPE.target, runId, at, {
        complete: true,
        imageCount: refs.length,
      });
      await loadContentStates(h, SCOPE);
      await retireContents(h, SCOPE, runId, at, {
        missingImageIds,
        presentRefKeys: refs.map(imageRefKey),
      });
    })
  ).seconds;
}

/** The first inventory of `count` references on a fresh database; with `then`, more work on it. */
async function firstInventory(
  adminUrl: string,
  count: number,
  then?: (h: ReturnType<typeof createDb>, refs: ImageListing[]) => Promise<void>,
): Promise<number> {
  const db = await freshDatabase(adminUrl);
  // The worker's own statement timeout (src/db/pool.ts default): a plan that turns quadratic
  // fails here as it would in production, instead of running for minutes.
  const h = createDb(db.url);
  try {
    const refs = syntheticRefs(count);
    const seconds = await inventory(h, RUN_IDS[0]!, new Date('2026-01-01T00:00:00Z'), refs, []);
    await then?.(h, refs);
    return seconds;
  } finally {
    await h.close();
    await db.drop();
  }
}

export async function measureInventory(
  adminUrl: string,
  o: { smallRefs: number; largeRefs: number },
): Promise<InventoryResult> {
  const small = await firstInventory(adminUrl, o.smallRefs);
  let retire = 0;
  let noop = 0;
  const large = await firstInventory(adminUrl, o.largeRefs, async (h, refs) => {
    await recordNotScanned(h, refs, new Date('2026-01-01T00:00:00Z'));
    const kept = refs.filter((_, i) => i % 100 !== 50);
    const gone = refs.filter((_, i) => i % 100 === 50).map((r) => r.imageId);
    retire = await inventory(h, RUN_IDS[1]!, new Date('2026-01-02T00:00:00Z'), kept, gone);
    noop = await inventory(h, RUN_IDS[2]!, new Date('2026-01-03T00:00:00Z'), kept, []);
  });
  return {
    inventory_scale_ratio: round(large / small),
    inventory_small_refs: o.smallRefs,
    inventory_large_refs: o.largeRefs,
    inventory_small_seconds: round(small),
    inventory_large_seconds: round(large),
    inventory_retire_seconds: round(retire),
    inventory_noop_seconds: round(noop),
  };
}
