/**
 * Image references (tags) of a scope: one set-based upsert per chunk of 1,000.
 */
import type { ImageListing, Scope } from '../../domain.js';
import { type ColumnSpec, Params } from '../params.js';
import type { DbHandle } from '../pool.js';
import { imageRefKey } from '../ref-key.js';
import { chunk, dedupeLast, msToIso } from '../rows.js';
import { query } from '../tx.js';

/** References per statement. */
export const REF_CHUNK_SIZE = 1_000;

// Every listing column; an update happens only when one of them (or removed_at) differs, so an
// unchanged reference writes no new tuple and a re-run stays free.
const LISTING_SPEC: ColumnSpec = [
  ['image_id', 'text'],
  ['image_digest', 'text'],
  ['namespace', 'text'],
  ['image_name', 'text'],
  ['image_version', 'text'],
  ['instance_id', 'text'],
  ['registry_name', 'text'],
  ['registry_type', 'text'],
  ['host_id', 'text'],
  ['host_name', 'text'],
  ['scan_status', 'text'],
  ['latest_scan_time', 'timestamptz'],
  ['unsafe_setting_num', 'integer'],
  ['image_size', 'bigint'],
  ['latest_update_time', 'timestamptz'],
  ['listed_image_type', 'text'],
  ['severity_level', 'text'],
  ['scan_failed_desc', 'text'],
  ['scan_failed_code', 'text'],
  ['non_scan_reason', 'text'],
  ['latest_version', 'text'],
  ['latest_sync_time', 'timestamptz'],
  ['instance_name', 'text'],
  ['is_multiple_arch', 'boolean'],
  ['cicd_name', 'text'],
  ['pipeline_type', 'text'],
  ['local_image_type', 'text'],
  ['agent_id', 'text'],
  ['host_num', 'integer'],
  // jsonb compares by value: the same item listed again, whatever its key order, is no change.
  ['raw', 'jsonb'],
];
const NAMES = LISTING_SPEC.map(([c]) => c);

/** One reference as a row (snake_case keys, timestamps as ISO strings). */
export type RefRow = { ref_key: string } & Record<string, string | number | boolean | null>;

/** Shapes a listing into the row upsertImageRefs writes. */
export function refRow(listing: ImageListing): RefRow {
  return {
    ref_key: imageRefKey(listing),
    image_id: listing.imageId,
    image_digest: listing.imageDigest,
    namespace: listing.namespace,
    image_name: listing.imageName,
    image_version: listing.imageVersion,
    instance_id: listing.instanceId,
    registry_name: listing.registryName,
    registry_type: listing.registryType,
    host_id: listing.hostId,
    host_name: listing.hostName,
    scan_status: listing.scanStatus,
    latest_scan_time: msToIso(listing.latestScanTime),
    unsafe_setting_num: listing.unsafeSettingNum,
    image_size: listing.imageSize,
    latest_update_time: msToIso(listing.latestUpdateTime),
    listed_image_type: listing.listedImageType,
    severity_level: listing.severityLevel,
    scan_failed_desc: listing.scanFailedDesc,
    scan_failed_code: listing.scanFailedCode,
    non_scan_reason: listing.nonScanReason,
    latest_version: listing.latestVersion,
    latest_sync_time: msToIso(listing.latestSyncTime),
    instance_name: listing.instanceName,
    is_multiple_arch: listing.isMultipleArch,
    cicd_name: listing.cicdName,
    pipeline_type: listing.pipelineType,
    local_image_type: listing.localImageType,
    agent_id: listing.agentId,
    host_num: listing.hostNum,
    // Sent as JSON text: an array parameter of objects would not reach PostgreSQL as jsonb[].
    raw: JSON.stringify(listing.raw),
  };
}

/** The upsert of one chunk of references of `scope` seen at `at`. */
export function upsertRefsSql(
  scope: Scope,
  rows: readonly RefRow[],
  at: Date,
): { text: string; values: unknown[] } {
  const p = new Params();
  const [$project, $ep, $type] = [
    p.add(scope.projectId),
    p.add(scope.enterpriseProjectId),
    p.add(scope.imageType),
  ];
  const from = p.unnest(rows, [['ref_key', 'text'], ...LISTING_SPEC], 'r');
  const $at = p.add(at);
  const text = `
INSERT INTO hss_internal.image_refs AS t (
  project_id, enterprise_project_id, image_type, ref_key, ${NAMES.join(', ')},
  first_seen_at, changed_at, last_seen_at, removed_at)
SELECT ${$project}, ${$ep}, ${$type}, r.ref_key, ${NAMES.map((c) => `r.${c}`).join(', ')}, ${$at}, ${$at}, ${$at}, NULL
FROM ${from}
ON CONFLICT (project_id, enterprise_project_id, image_type, ref_hash) DO UPDATE SET
  ${NAMES.map((c) => `${c} = excluded.${c}`).join(',\n  ')},
  changed_at = excluded.changed_at,
  last_seen_at = excluded.last_seen_at,
  removed_at = NULL
WHERE (${NAMES.map((c) => `t.${c}`).join(', ')}, t.removed_at)
  IS DISTINCT FROM (${NAMES.map((c) => `excluded.${c}`).join(', ')}, NULL::timestamptz)
RETURNING (xmax = 0) AS inserted`;
  return { text, values: p.values };
}

/**
 * Upserts the listed references of `scope` seen at `at`, in chunks of 1,000 (each chunk one
 * statement, committed on its own). Duplicate reference keys in `refs` keep the last listing.
 * New references are inserted; a reference whose listing changed, or that reappears after being
 * removed, is updated; an unchanged one is not touched at all (no new tuple).
 * @returns how many references were inserted and how many updated.
 */
export async function upsertImageRefs(
  h: DbHandle,
  scope: Scope,
  refs: readonly ImageListing[],
  at: Date,
): Promise<{ inserted: number; updated: number }> {
  const rows = dedupeLast(refs.map(refRow), (r) => r.ref_key);
  let inserted = 0;
  let updated = 0;
  for (const part of chunk(rows, REF_CHUNK_SIZE)) {
    const stmt = upsertRefsSql(scope, part, at);
    const res = await query<{ inserted: boolean }>(h, 'upsertImageRefs', stmt.text, stmt.values);
    for (const row of res.rows) {
      if (row.inserted) inserted++;
      else updated++;
    }
  }
  return { inserted, updated };
}
