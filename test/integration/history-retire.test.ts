/**
 * Retire only on proof, through the simulator with HSS_PAGE_SIZE=10: a failed page (not the
 * first) retires nothing; a complete inventory retires what vanished, closing its versions at the
 * run that proved it gone; a loss above HSS_MAX_RETIRE_FRACTION retires nothing and says why
 * unless HSS_ALLOW_MASS_RETIRE; an image that comes back opens a new version after a gap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SyncWorld, startSyncWorld, truthRows } from '../helpers/sync-world.js';

const HOUR = 3_600_000;

interface Presence {
  contentsPresent: number;
  refsPresent: number;
  openVersions: number;
}

async function presence(w: SyncWorld): Promise<Presence> {
  const r = await w.t.pool.query<Presence>(
    `select (select count(*) from hss_internal.image_contents where removed_at is null)::int as "contentsPresent",
            (select count(*) from hss_internal.image_refs where removed_at is null)::int as "refsPresent",
            (select count(*) from hss_internal.image_baseline_history where valid_to is null)::int as "openVersions"`,
  );
  return r.rows[0]!;
}

describe('retire on proof only', () => {
  let w: SyncWorld;
  let scope: { projectId: string; enterpriseProjectId: string; imageType: 'private_image' };
  let initial: Presence;
  let gone: string[];

  beforeAll(async () => {
    w = await startSyncWorld({ imagesPerScope: 25, seed: 9 });
    scope = { projectId: w.project, enterpriseProjectId: '0', imageType: 'private_image' };
    await w.sync();
    initial = await presence(w);
  });

  afterAll(async () => {
    await w?.close();
  });

  it('the scope takes several pages of 10', () => {
    expect(w.sim.world.images(scope).length).toBeGreaterThan(20);
    expect(initial.contentsPresent).toBe(25);
  });

  it('a failed second page retires nothing although two images vanished', async () => {
    const withResults = [...w.sim.world.groundTruth(scope).keys()];
    gone = [withResults[3]!, withResults[7]!];
    for (const id of gone) expect(w.sim.world.removeImage(scope, id)).toBeGreaterThan(0);
    w.sim.setFaults({ failPage: { api: 'ListRegistryImages', offset: 10, status: 403 } });
    w.clock.advance(HOUR);
    let report: Awaited<ReturnType<SyncWorld['sync']>>;
    try {
      report = await w.sync(['failed', 'partial']);
    } finally {
      w.sim.setFaults({});
    }
    expect(report.counts.imagesRetired).toBe(0);
    expect(report.counts.versionsClosed).toBe(0);
    expect(await presence(w)).toEqual(initial);
    const scopeRun = await w.t.pool.query(
      `select status, inventory_complete, images_retired from hss_internal.sync_scope_runs where run_id = $1`,
      [report.runId],
    );
    expect(scopeRun.rows).toEqual([{ status: 'failed', inventory_complete: false, images_retired: 0 }]);
    expect(w.sim.stats().faultsInjected.failPage).toBeGreaterThan(0);
  });

  it('the next complete inventory retires them and closes their versions at that run', async () => {
    w.clock.advance(HOUR);
    const at = w.clock.now();
    const report = await w.sync();
    expect(report.counts.imagesRetired).toBe(2);
    const closed = await w.t.pool.query<{ image_id: string; closed_run_id: string; valid_to: Date }>(
      `select distinct image_id, closed_run_id, valid_to from hss_internal.image_baseline_history
        where valid_to is not null order by image_id`,
    );
    expect(closed.rows.map((r) => r.image_id)).toEqual([...gone].sort());
    for (const r of closed.rows) {
      expect(r.closed_run_id).toBe(report.runId);
      expect(r.valid_to.getTime()).toBeGreaterThanOrEqual(at);
    }
    const now = await presence(w);
    expect(now.contentsPresent).toBe(23);
    expect(now.openVersions).toBe(truthRows(w.sim).length);
    const disappeared = await w.t.pool.query(
      `select distinct image_id from hss.image_baseline_changes where change = 'disappeared' order by 1`,
    );
    expect(disappeared.rows.map((r) => r.image_id)).toEqual([...gone].sort());
    const posture = await w.t.pool.query(`select count(*)::int as n from hss.image_posture`);
    expect(posture.rows[0].n).toBe(23);
  });

  it('a loss above HSS_MAX_RETIRE_FRACTION retires nothing, ends partial and says why', async () => {
    const ids = [...w.sim.world.groundTruth(scope).keys()].slice(0, 6);
    for (const id of ids) w.sim.world.removeImage(scope, id);
    const before = await presence(w);
    w.clock.advance(HOUR);
    const report = await w.sync(['partial']);
    expect(report.counts.imagesRetired).toBe(0);
    expect(await presence(w)).toEqual(before);
    const run = await w.t.pool.query(`select status, error from hss_internal.sync_runs where run_id = $1`, [
      report.runId,
    ]);
    expect(run.rows[0].status).toBe('partial');
    expect(run.rows[0].error).toContain('6 of 23 images vanished at once');
    expect(run.rows[0].error).toContain('HSS_ALLOW_MASS_RETIRE=true');

    await w.reconfigure({ HSS_ALLOW_MASS_RETIRE: 'true' });
    w.clock.advance(HOUR);
    const allowed = await w.sync();
    expect(allowed.counts.imagesRetired).toBe(6);
    expect((await presence(w)).contentsPresent).toBe(17);
  });

  it('an image that comes back opens a new version after a gap; the old one stays closed', async () => {
    const back = gone[0]!;
    w.sim.world.addImage(scope, { image_id: back });
    w.clock.advance(HOUR);
    const at = w.clock.now();
    await w.sync();
    const versions = await w.t.pool.query<{ valid_from: Date; valid_to: Date | null }>(
      `select valid_from, valid_to from hss_internal.image_baseline_history h
        where image_id = $1 and result_key = (
          select result_key from hss_internal.image_baseline_history where image_id = $1 and valid_to is null limit 1)
        order by valid_from`,
      [back],
    );
    const open = versions.rows.at(-1)!;
    expect(open.valid_to).toBeNull();
    expect(open.valid_from.getTime()).toBeGreaterThanOrEqual(at);
    const appeared = await w.t.pool.query(
      `select count(*)::int as n from hss.image_baseline_changes where image_id = $1 and change = 'appeared' and changed_at >= $2`,
      [back, new Date(at)],
    );
    expect(appeared.rows[0].n).toBe(truthRows(w.sim).filter((r) => r.image_id === back).length);
    const current = await w.t.pool.query(
      `select count(*)::int as n from hss.image_baselines where image_id = $1`,
      [back],
    );
    expect(current.rows[0].n).toBeGreaterThan(0);
  });
});
