/**
 * Opt-in (HSS_SCALE_TEST=1, a few minutes): one scope of 100,000 unscanned references, synced
 * through the simulator with the worker's own statement timeout, on tables never analyzed. A
 * first sync, a sync where 1% of the references vanished (retirement), and an unchanged one all
 * succeed. Run it against the server it is meant for, e.g. PostgreSQL 15 with autovacuum off:
 *
 *   HSS_SCALE_TEST=1 TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     npx vitest run test/integration/scale-100k.test.ts
 *
 * The times of the three syncs are printed (never asserted: the bench measures speed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/sync/engine.js';
import { type SyncSetup, setupSync, TEST_PROJECT } from '../helpers/sync-setup.js';

const REFS = 100_000;
const SCOPE = { projectId: TEST_PROJECT, enterpriseProjectId: '0', imageType: 'private_image' } as const;

describe.skipIf(process.env.HSS_SCALE_TEST !== '1')('one scope of 100,000 unscanned references', () => {
  let s: SyncSetup;
  const times: Record<string, number> = {};

  beforeAll(async () => {
    // About 1.3 references per content: 77,000 contents give a little more than 100,000.
    s = await setupSync({ sim: { imagesPerScope: 77_000 }, env: { HSS_RULE_DETAIL: 'off' } });
    const data = s.sim.world.scopeData(SCOPE.projectId, SCOPE.enterpriseProjectId, SCOPE.imageType)!;
    data.refs = data.refs.slice(0, REFS);
    for (const ref of data.refs) {
      ref.content.scanStatus = 'unscan';
      ref.content.rows = [];
      ref.content.latestScanTime = null;
    }
  }, 300_000);
  afterAll(async () => {
    await s?.close();
    process.stderr.write(`scale-100k wall times (s): ${JSON.stringify(times)}\n`);
  });

  async function sync(name: string): Promise<RunReport> {
    const t0 = performance.now();
    const report = await s.app.sync({ trigger: 'test', deadlineMs: null });
    times[name] = Math.round((performance.now() - t0) / 100) / 10;
    return report;
  }

  const counts = async () =>
    (
      await s.t.pool.query(
        `SELECT (SELECT count(*)::int FROM hss_internal.image_refs WHERE removed_at IS NULL) AS refs_present,
                (SELECT count(*)::int FROM hss_internal.image_refs WHERE removed_at IS NOT NULL) AS refs_removed,
                (SELECT count(*)::int FROM hss_internal.image_contents WHERE removed_at IS NULL) AS contents_present,
                (SELECT count(*)::int FROM hss_internal.image_contents WHERE removed_at IS NOT NULL) AS contents_removed`,
      )
    ).rows[0];

  it('syncs the scope first on tables never analyzed', async () => {
    const server = await s.t.pool.query(
      `SELECT current_setting('server_version') AS version, current_setting('autovacuum') AS autovacuum,
              (SELECT reltuples FROM pg_class WHERE oid = 'hss_internal.image_refs'::regclass) AS refs_reltuples`,
    );
    process.stderr.write(`scale-100k server: ${JSON.stringify(server.rows[0])}\n`);
    expect(server.rows[0].refs_reltuples).toBe(-1);

    const contents = new Set(s.sim.world.images(SCOPE).map((r) => r.image_id)).size;
    const report = await sync('first');
    expect([report.status, report.error]).toEqual(['succeeded', null]);
    expect(report.counts.imagesListed).toBe(REFS);
    expect(report.counts.imagesNotScanned).toBe(contents);
    expect(await counts()).toEqual({
      refs_present: REFS,
      refs_removed: 0,
      contents_present: contents,
      contents_removed: 0,
    });
  }, 900_000);

  it('retires the 1% of the references that vanished and the contents no tag lists any more', async () => {
    const data = s.sim.world.scopeData(SCOPE.projectId, SCOPE.enterpriseProjectId, SCOPE.imageType)!;
    const before = new Set(data.refs.map((r) => r.content.imageId));
    data.refs = data.refs.filter((_, i) => i % 100 !== 0);
    const after = new Set(data.refs.map((r) => r.content.imageId));
    const goneContents = before.size - after.size;
    expect(goneContents).toBeGreaterThan(500);

    const report = await sync('one_percent_gone');
    expect([report.status, report.error]).toEqual(['succeeded', null]);
    expect(report.counts.imagesRetired).toBe(goneContents);
    expect(await counts()).toEqual({
      refs_present: REFS - REFS / 100,
      refs_removed: REFS / 100,
      contents_present: after.size,
      contents_removed: goneContents,
    });
  }, 900_000);

  it('writes no reference or content again when nothing changed', async () => {
    const xid = (await s.t.pool.query(`SELECT pg_current_xact_id()::text::bigint AS xid`)).rows[0].xid;
    const report = await sync('unchanged');
    expect([report.status, report.error]).toEqual(['succeeded', null]);
    expect(report.counts.imagesRetired).toBe(0);
    const written = await s.t.pool.query(
      `SELECT (SELECT count(*)::int FROM hss_internal.image_refs WHERE xmin::text::bigint > $1) AS refs,
              (SELECT count(*)::int FROM hss_internal.image_contents WHERE xmin::text::bigint > $1) AS contents`,
      [xid],
    );
    expect(written.rows[0]).toEqual({ refs: 0, contents: 0 });
  }, 900_000);
});
