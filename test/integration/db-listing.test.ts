/**
 * The listing fields auditors need (scan status and time, unsafe settings) on image_refs and hss.images: stored as listed (the raw item as
 * jsonb), registry_kind in the registry scope only, and a re-sync of the same listing writes no
 * tuple (jsonb compares by value, whatever the key order).
 */
import { describe, expect, it } from 'vitest';
import { upsertImageRefs } from '../../src/db/writer/index.js';
import type { ImageListing } from '../../src/domain.js';
import { useTestDatabase } from '../helpers/db.js';
import { listing, scope, T0, T1, T2, tupleVersions } from '../helpers/db-fixtures.js';

const t = useTestDatabase();

const RAW = {
  image_id: 'sha256:aaa',
  image_type: 'Harbor',
  scan_status: 'success',
  latest_scan_time: 1767254400123,
  unsafe_setting_num: 2,
  nested: { tags: ['a', 'b'], arch: null },
};

function full(overrides: Partial<ImageListing> = {}): ImageListing {
  return listing({
    listedImageType: 'Harbor',
    severityLevel: 'High',
    scanFailedDesc: 'none',
    scanFailedCode: 'E0',
    nonScanReason: 'reason',
    latestVersion: 'v9',
    latestSyncTime: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    instanceName: 'swr-ee',
    isMultipleArch: true,
    cicdName: 'jenkins',
    pipelineType: 'build',
    localImageType: 'other_image',
    agentId: 'agent-1',
    hostNum: 7,
    raw: RAW,
    ...overrides,
  });
}

const NEW_COLUMNS = `listed_image_type, registry_kind, severity_level, scan_failed_desc, scan_failed_code,
  non_scan_reason, latest_version, latest_sync_time, instance_name, is_multiple_arch, cicd_name, pipeline_type,
  local_image_type, agent_id, host_num, raw`;

describe('the listing fields of image references', () => {
  it('are stored as listed and shown by hss.images, registry_kind in the registry scope only', async () => {
    await upsertImageRefs(t.handle, scope({ projectId: 'lf', imageType: 'registry' }), [full()], T0);
    await upsertImageRefs(
      t.handle,
      scope({ projectId: 'lf' }),
      [full({ listedImageType: 'private_image' })],
      T0,
    );
    await upsertImageRefs(t.handle, scope({ projectId: 'lf', imageType: 'cicd' }), [listing()], T0);
    const res = await t.pool.query(
      `SELECT image_type, ${NEW_COLUMNS} FROM hss.images WHERE project_id = 'lf' ORDER BY image_type`,
    );
    const expected = {
      listed_image_type: 'Harbor',
      registry_kind: 'Harbor',
      severity_level: 'High',
      scan_failed_desc: 'none',
      scan_failed_code: 'E0',
      non_scan_reason: 'reason',
      latest_version: 'v9',
      latest_sync_time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
      instance_name: 'swr-ee',
      is_multiple_arch: true,
      cicd_name: 'jenkins',
      pipeline_type: 'build',
      local_image_type: 'other_image',
      agent_id: 'agent-1',
      host_num: 7,
      raw: RAW,
    };
    const nothing = Object.fromEntries(Object.keys(expected).map((k) => [k, null]));
    expect(res.rows).toEqual([
      { image_type: 'cicd', ...nothing, raw: {} },
      { image_type: 'private_image', ...expected, listed_image_type: 'private_image', registry_kind: null },
      { image_type: 'registry', ...expected },
    ]);
  });

  it('a re-sync of the same listing writes no tuple, the raw item in another key order included', async () => {
    const s = scope({ projectId: 'lf-same' });
    const refs = [
      full(),
      full({ imageVersion: 'v2', raw: {} }),
      full({ imageVersion: 'v3', isMultipleArch: null }),
    ];
    await upsertImageRefs(t.handle, s, refs, T0);
    const before = await tupleVersions(t, 'hss_internal.image_refs', 'project_id, ref_key');
    const reordered = { ...refs[0]!, raw: Object.fromEntries(Object.entries(RAW).reverse()) };

    const out = await upsertImageRefs(t.handle, s, [reordered, refs[1]!, refs[2]!], T1);

    expect(out).toEqual({ inserted: 0, updated: 0 });
    expect(await tupleVersions(t, 'hss_internal.image_refs', 'project_id, ref_key')).toEqual(before);
  });

  it('a change of any listing field, or of the raw item alone, updates the reference', async () => {
    const s = scope({ projectId: 'lf-change' });
    await upsertImageRefs(t.handle, s, [full(), full({ imageVersion: 'v2' })], T0);
    const out = await upsertImageRefs(
      t.handle,
      s,
      [full({ raw: { ...RAW, extra: 'new field' } }), full({ imageVersion: 'v2', hostNum: 8 })],
      T1,
    );
    expect(out).toEqual({ inserted: 0, updated: 2 });
    const again = await upsertImageRefs(
      t.handle,
      s,
      [full({ imageVersion: 'v2', hostNum: 8, scanFailedCode: null })],
      T2,
    );
    expect(again).toEqual({ inserted: 0, updated: 1 });
    const res = await t.pool.query(
      `SELECT image_version, host_num, scan_failed_code, raw->>'extra' AS extra, changed_at
         FROM hss_internal.image_refs WHERE project_id = 'lf-change' ORDER BY image_version`,
    );
    expect(res.rows).toEqual([
      { image_version: 'v1', host_num: 7, scan_failed_code: 'E0', extra: 'new field', changed_at: T1 },
      { image_version: 'v2', host_num: 8, scan_failed_code: null, extra: null, changed_at: T2 },
    ]);
  });
});
