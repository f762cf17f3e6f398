/**
 * What is stored about each image content of a scope: the planner's input.
 */
import type { ListingSignal, Scope } from '../../domain.js';
import type { DbHandle } from '../pool.js';
import { dateToMs } from '../rows.js';
import { query } from '../tx.js';

export type ContentOutcome = 'fetched' | 'not_scanned';

/** The stored state of one image content. */
export interface ContentState {
  /** The listing signal at the last fetch (or not_scanned record). */
  fetchedSignal: ListingSignal;
  /** Last successful results fetch, or last time it was recorded not_scanned. */
  fetchedAt: Date | null;
  outcome: ContentOutcome;
  /** Set when a complete inventory stopped listing it; its versions are then closed. */
  removedAt: Date | null;
}

interface ContentRow {
  image_id: string;
  fetched_scan_time: Date | null;
  fetched_digest: string | null;
  fetched_unsafe_num: number | null;
  fetched_scan_status: string | null;
  fetched_at: Date | null;
  outcome: ContentOutcome;
  removed_at: Date | null;
}

const LOAD_CONTENTS = `
SELECT image_id, fetched_scan_time, fetched_digest, fetched_unsafe_num, fetched_scan_status,
       fetched_at, outcome, removed_at
FROM hss_internal.image_contents
WHERE project_id = $1 AND enterprise_project_id = $2 AND image_type = $3`;

/**
 * Every stored image content of `scope`, removed ones included, keyed by image_id.
 * A removed content that is listed again needs a fetch to reopen its results.
 */
export async function loadContentStates(h: DbHandle, scope: Scope): Promise<Map<string, ContentState>> {
  const res = await query<ContentRow>(h, 'loadContentStates', LOAD_CONTENTS, [
    scope.projectId,
    scope.enterpriseProjectId,
    scope.imageType,
  ]);
  const states = new Map<string, ContentState>();
  for (const row of res.rows) {
    states.set(row.image_id, {
      fetchedSignal: {
        latestScanTime: dateToMs(row.fetched_scan_time),
        imageDigest: row.fetched_digest,
        unsafeSettingNum: row.fetched_unsafe_num,
        scanStatus: row.fetched_scan_status,
      },
      fetchedAt: row.fetched_at,
      outcome: row.outcome,
      removedAt: row.removed_at,
    });
  }
  return states;
}
