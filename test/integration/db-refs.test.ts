import { describe, expect, it } from 'vitest';
import { imageRefKey } from '../../src/db/ref-key.js';
import { recordScopeInventory, retireContents, upsertImageRefs } from '../../src/db/writer/index.js';
import { useTestDatabase } from '../helpers/db.js';
import { listing, RUN1, RUN2, RUN3, scope, T0, T1, T2, T3, tupleVersions } from '../helpers/db-fixtures.js';

const t = useTestDatabase();

async function images(projectId: string) {
  const res = await t.pool.query(
    `SELECT image_name, image_version, image_id, first_seen_at, last_seen_at, removed_at
     FROM hss.images WHERE project_id = $1 ORDER BY image_name, image_version`,
    [projectId],
  );
  return res.rows;
}

describe('upsertImageRefs', () => {
  it('inserts new references with every listing column', async () => {
    const s = scope({ projectId: 'ins' });
    const out = await upsertImageRefs(
      t.handle,
      s,
      [listing(), listing({ imageVersion: 'v2', imageId: 'sha256:bbb' })],
      T0,
    );
    expect(out).toEqual({ inserted: 2, updated: 0 });
    const res = await t.pool.query(
      `SELECT project_id, enterprise_project_id, image_type, image_id, image_digest, namespace, image_name,
              image_version, instance_id, host_id, scan_status, latest_scan_time, first_seen_at, last_seen_at,
              removed_at, registry_name, registry_type, host_name, unsafe_setting_num, image_size, latest_update_time
       FROM hss.images WHERE project_id = 'ins' ORDER BY image_version`,
    );
    expect(res.rows[0]).toEqual({
      project_id: 'ins',
      enterprise_project_id: '0',
      image_type: 'private_image',
      image_id: 'sha256:aaa',
      image_digest: 'sha256:d-aaa',
      namespace: 'team',
      image_name: 'app',
      image_version: 'v1',
      instance_id: null,
      host_id: null,
      scan_status: 'success',
      latest_scan_time: new Date(Date.UTC(2026, 0, 1, 8, 0, 0, 123)),
      first_seen_at: T0,
      last_seen_at: T0,
      removed_at: null,
      registry_name: 'SWR',
      registry_type: 'SwrPrivate',
      host_name: null,
      unsafe_setting_num: 2,
      image_size: '123456789',
      latest_update_time: new Date(Date.UTC(2025, 11, 31)),
    });
    expect(res.rows).toHaveLength(2);
  });

  it('updates nothing, not even a tuple, when the same references are listed again', async () => {
    const s = scope({ projectId: 'same' });
    const refs = [
      listing(),
      listing({ imageVersion: 'v2' }),
      listing({ imageName: null, imageId: 'sha256:nameless' }),
    ];
    await upsertImageRefs(t.handle, s, refs, T0);
    const before = await tupleVersions(t, 'hss_internal.image_refs', 'project_id, ref_key');

    const out = await upsertImageRefs(t.handle, s, refs, T1);

    expect(out).toEqual({ inserted: 0, updated: 0 });
    expect(await tupleVersions(t, 'hss_internal.image_refs', 'project_id, ref_key')).toEqual(before);
  });

  it('updates a changed reference, and a re-pushed tag keeps its row with the new image_id', async () => {
    const s = scope({ projectId: 'upd' });
    await upsertImageRefs(t.handle, s, [listing(), listing({ imageVersion: 'v2' })], T0);
    const out = await upsertImageRefs(
      t.handle,
      s,
      [listing({ imageId: 'sha256:new', latestScanTime: null }), listing({ imageVersion: 'v2' })],
      T1,
    );
    expect(out).toEqual({ inserted: 0, updated: 1 });
    expect(await images('upd')).toEqual([
      {
        image_name: 'app',
        image_version: 'v1',
        image_id: 'sha256:new',
        first_seen_at: T0,
        last_seen_at: T1,
        removed_at: null,
      },
      {
        image_name: 'app',
        image_version: 'v2',
        image_id: 'sha256:aaa',
        first_seen_at: T0,
        last_seen_at: T0,
        removed_at: null,
      },
    ]);
  });

  it('keeps the last listing of a duplicated reference and works across 1,000-row chunks', async () => {
    const s = scope({ projectId: 'many' });
    const refs = Array.from({ length: 2_345 }, (_, i) =>
      listing({ imageVersion: `v${i}`, imageId: `id${i}` }),
    );
    refs.push(listing({ imageVersion: 'v0', imageId: 'id-last' }));
    expect(await upsertImageRefs(t.handle, s, refs, T0)).toEqual({ inserted: 2_345, updated: 0 });
    const res = await t.pool.query(
      `SELECT count(*)::int AS n, max(image_id) FILTER (WHERE image_version = 'v0') AS v0 FROM hss_internal.image_refs WHERE project_id = 'many'`,
    );
    expect(res.rows[0]).toEqual({ n: 2_345, v0: 'id-last' });
    expect(await upsertImageRefs(t.handle, s, refs, T1)).toEqual({ inserted: 0, updated: 0 });
  });

  it('stores hostile listing strings, longer than a btree entry allows, exactly', async () => {
    const s = scope({ projectId: 'hostile' });
    const long = '名'.repeat(65_534);
    const refs = [
      listing({ imageName: long }),
      listing({ imageName: 'emoji 🐳\nnewline', namespace: "o'k" }),
    ];
    expect(await upsertImageRefs(t.handle, s, refs, T0)).toEqual({ inserted: 2, updated: 0 });
    const res = await t.pool.query(
      `SELECT ref_key, image_name, namespace FROM hss_internal.image_refs WHERE project_id = 'hostile' ORDER BY length(image_name)`,
    );
    expect(res.rows).toEqual([
      { ref_key: imageRefKey(refs[1]!), image_name: 'emoji 🐳\nnewline', namespace: "o'k" },
      { ref_key: imageRefKey(refs[0]!), image_name: long, namespace: 'team' },
    ]);
    expect(await upsertImageRefs(t.handle, s, refs, T1)).toEqual({ inserted: 0, updated: 0 });
  });
});

describe('hss.images last_seen_at, retirement and reappearance', () => {
  it('derives last_seen_at from the last complete inventory and freezes it at removal', async () => {
    const s = scope({ projectId: 'seen' });
    const v1 = listing();
    const v2 = listing({ imageVersion: 'v2' });
    await upsertImageRefs(t.handle, s, [v1, v2], T0);
    await recordScopeInventory(t.handle, s, s.target, RUN1, T0, { complete: true, imageCount: 2 });

    // Run 2: same listing, complete. Nothing in image_refs changes, yet both were seen at T1.
    await upsertImageRefs(t.handle, s, [v1, v2], T1);
    await recordScopeInventory(t.handle, s, s.target, RUN2, T1, { complete: true, imageCount: 2 });
    expect((await images('seen')).map((r) => [r.image_version, r.last_seen_at])).toEqual([
      ['v1', T1],
      ['v2', T1],
    ]);

    // Run 3 at T2: incomplete inventory: last seen stays at the last complete one.
    await recordScopeInventory(t.handle, s, s.target, RUN3, T2, { complete: false, imageCount: 1 });
    expect((await images('seen')).map((r) => r.last_seen_at)).toEqual([T1, T1]);

    // Run 4 at T3: complete, v2 gone. The inventory is recorded first, then retirement.
    await upsertImageRefs(t.handle, s, [v1], T3);
    await recordScopeInventory(t.handle, s, s.target, RUN3, T3, { complete: true, imageCount: 1 });
    const out = await retireContents(t.handle, s, RUN3, T3, {
      missingImageIds: [],
      presentRefKeys: [imageRefKey(v1)],
    });
    expect(out).toEqual({ refsRetired: 1, contentsRetired: 0, versionsClosed: 0 });
    expect(await images('seen')).toEqual([
      {
        image_name: 'app',
        image_version: 'v1',
        image_id: 'sha256:aaa',
        first_seen_at: T0,
        last_seen_at: T3,
        removed_at: null,
      },
      {
        image_name: 'app',
        image_version: 'v2',
        image_id: 'sha256:aaa',
        first_seen_at: T0,
        last_seen_at: T1,
        removed_at: T3,
      },
    ]);

    // A removed reference that is listed again is present again (one update), first_seen_at kept.
    const again = await upsertImageRefs(t.handle, s, [v1, v2], new Date('2026-01-01T04:00:00Z'));
    expect(again).toEqual({ inserted: 0, updated: 1 });
    expect((await images('seen'))[1]).toEqual({
      image_name: 'app',
      image_version: 'v2',
      image_id: 'sha256:aaa',
      first_seen_at: T0,
      last_seen_at: new Date('2026-01-01T04:00:00Z'),
      removed_at: null,
    });
  });

  it('retires only references of its own scope and leaves removed ones alone', async () => {
    const s = scope({ projectId: 'rs' });
    const other = scope({ projectId: 'rs', enterpriseProjectId: 'ep2' });
    await upsertImageRefs(t.handle, s, [listing(), listing({ imageVersion: 'v2' })], T0);
    await upsertImageRefs(t.handle, other, [listing()], T0);

    expect(await retireContents(t.handle, s, RUN1, T1, { missingImageIds: [], presentRefKeys: [] })).toEqual({
      refsRetired: 2,
      contentsRetired: 0,
      versionsClosed: 0,
    });
    const before = await tupleVersions(
      t,
      'hss_internal.image_refs',
      'project_id, enterprise_project_id, ref_key',
    );
    expect(await retireContents(t.handle, s, RUN2, T2, { missingImageIds: [], presentRefKeys: [] })).toEqual({
      refsRetired: 0,
      contentsRetired: 0,
      versionsClosed: 0,
    });
    expect(
      await tupleVersions(t, 'hss_internal.image_refs', 'project_id, enterprise_project_id, ref_key'),
    ).toEqual(before);
    const res = await t.pool.query(
      `SELECT enterprise_project_id, count(*) FILTER (WHERE removed_at IS NULL)::int AS present
       FROM hss_internal.image_refs WHERE project_id = 'rs' GROUP BY 1 ORDER BY 1`,
    );
    expect(res.rows).toEqual([
      { enterprise_project_id: '0', present: 0 },
      { enterprise_project_id: 'ep2', present: 1 },
    ]);
  });
});

describe('recordScopeInventory', () => {
  it('keeps the last and the previous complete inventory times', async () => {
    const s = scope({ projectId: 'inv' });
    const state = async () =>
      (
        await t.pool.query(
          `SELECT target, last_run_id, last_inventory_at, last_complete_inventory_at, prev_complete_inventory_at, image_count
           FROM hss_internal.scope_state WHERE project_id = 'inv'`,
        )
      ).rows;
    await recordScopeInventory(t.handle, s, 'tgt', RUN1, T0, { complete: false, imageCount: 5 });
    expect(await state()).toEqual([
      {
        target: 'tgt',
        last_run_id: RUN1,
        last_inventory_at: T0,
        last_complete_inventory_at: null,
        prev_complete_inventory_at: null,
        image_count: 5,
      },
    ]);
    await recordScopeInventory(t.handle, s, 'tgt', RUN2, T1, { complete: true, imageCount: 6 });
    await recordScopeInventory(t.handle, s, 'tgt', RUN3, T2, { complete: true, imageCount: 7 });
    await recordScopeInventory(t.handle, s, 'tgt', RUN3, T2, { complete: true, imageCount: 7 });
    await recordScopeInventory(t.handle, s, 'tgt', RUN3, T3, { complete: false, imageCount: 1 });
    expect(await state()).toEqual([
      {
        target: 'tgt',
        last_run_id: RUN3,
        last_inventory_at: T3,
        last_complete_inventory_at: T2,
        prev_complete_inventory_at: T1,
        image_count: 1,
      },
    ]);
  });
});
