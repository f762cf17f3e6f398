import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { IMAGE_TYPES } from '../../src/domain.js';
import type { Simulator } from '../../src/simulator/index.js';
import type { TestDatabase } from '../helpers/db.js';
import { type SyncSetup, setupSync } from '../helpers/sync-setup.js';
import { storedRows, truthRows } from '../helpers/truth.js';

const PROJECT = 'proj-e2e';
const EPS = ['0', 'ep-2'];

async function tupleVersions(t: TestDatabase): Promise<string[]> {
  const r = await t.pool.query<{ v: string }>(
    `select 'h:' || version_id || ':' || xmin::text as v from hss_internal.image_baseline_history
     union all
     select 'c:' || image_id || ':' || xmin::text from hss_internal.image_contents
     union all
     select 'r:' || ref_key || ':' || xmin::text from hss_internal.image_refs
     order by 1`,
  );
  return r.rows.map((x) => x.v);
}

function riskCalls(sim: Simulator): number {
  return sim.stats().callsByApi.ListImageRiskConfigs ?? 0;
}

describe('end-to-end sync against the simulator', () => {
  let t: TestDatabase;
  let sim: Simulator;
  let app: App;
  let s: SyncSetup | undefined;

  beforeAll(async () => {
    s = await setupSync({
      // cicd summaries through ListImageRiskConfigs, as the seed's example shows (the simulator's
      // default answers image_type=cicd empty, as the official definition says).
      sim: {
        seed: 11,
        imagesPerScope: 12,
        cicdRiskConfigs: 'seed',
        projects: [{ projectId: PROJECT, enterpriseProjects: EPS }],
      },
      env: {
        HSS_PROJECT_ID: PROJECT,
        HSS_IMAGE_TYPES: IMAGE_TYPES.join(','),
        HSS_ENTERPRISE_PROJECT_IDS: EPS.join(','),
        HSS_FETCH_CONCURRENCY: '8',
        HSS_PAGE_SIZE: '10',
      },
    });
    ({ t, sim, app } = s);
  });

  afterAll(async () => {
    await s?.close();
  });

  it('stores exactly the ground truth after the first sync', async () => {
    const report = await app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.error).toBeNull();
    expect(report.status).toBe('succeeded');
    expect(report.scopes).toHaveLength(IMAGE_TYPES.length * EPS.length);
    const truth = truthRows(sim);
    expect(truth.length).toBeGreaterThan(100);
    expect(await storedRows(t)).toEqual(truth);
    const dup = await t.pool.query(
      `select count(*)::int as n from (select 1 from hss.image_baselines
        group by project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard
        having count(*) > 1) d`,
    );
    expect(dup.rows[0].n).toBe(0);
    // One call per distinct scanned content, none for never-scanned ones, none twice.
    const perImage = sim.stats().riskConfigCallsByImageId as Record<string, number>;
    expect(Math.max(...Object.values(perImage))).toBeLessThanOrEqual(EPS.length * 2);
    const run = await t.pool.query(
      `select status, images_fetched, images_pending, error from hss_internal.sync_runs`,
    );
    expect(run.rows).toEqual([
      { status: 'succeeded', images_fetched: report.counts.imagesFetched, images_pending: 0, error: null },
    ]);
    // The maintenance phase ran before the row closed, and the public ledger says what it did.
    const m = report.maintenance;
    expect(m).toMatchObject({ dailyDays: 1, error: null });
    const ledger = await t.pool.query(`select maintenance from hss.sync_runs`);
    expect(ledger.rows).toEqual([
      {
        maintenance: {
          started_at: m?.startedAt.toISOString(),
          duration_ms: m?.durationMs,
          daily_days: 1,
          pruned: { facts: 0, posture: 0, runs: 0, versions: 0 },
          error: null,
        },
      },
    ]);
  });

  it('rewrites nothing on a re-sync with no upstream change, and spends no result call', async () => {
    const before = await tupleVersions(t);
    const callsBefore = riskCalls(sim);
    const report = await app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.status).toBe('succeeded');
    expect(riskCalls(sim) - callsBefore).toBe(0);
    expect(report.counts.imagesDue).toBe(0);
    expect(report.counts.versionsOpened).toBe(0);
    expect(report.counts.versionsClosed).toBe(0);
    expect(await tupleVersions(t)).toEqual(before);
    expect(await storedRows(t)).toEqual(truthRows(sim));
  });

  it('after K rescans makes exactly K result calls and versions the changed keys', async () => {
    const scope = { projectId: PROJECT, enterpriseProjectId: 'ep-2', imageType: 'private_image' as const };
    const rescanned = sim.world.rescan(scope, 3);
    expect(rescanned).toHaveLength(3);
    const callsBefore = riskCalls(sim);
    const report = await app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.status).toBe('succeeded');
    expect(riskCalls(sim) - callsBefore).toBe(3);
    expect(report.counts.imagesFetched).toBe(3);
    expect(await storedRows(t)).toEqual(truthRows(sim));
    const versions = await t.pool.query<{ image_id: string; n: number; open: number }>(
      `select image_id, count(*)::int as n, count(*) filter (where valid_to is null)::int as open
         from hss_internal.image_baseline_history
        where project_id = $1 and enterprise_project_id = 'ep-2' and image_type = 'private_image' and image_id = any($2)
        group by image_id order by image_id`,
      [PROJECT, rescanned],
    );
    expect(versions.rows.map((r) => r.image_id)).toEqual([...rescanned].sort());
    for (const v of versions.rows) {
      expect(v.n).toBeGreaterThan(v.open);
      expect(v.open).toBeGreaterThan(0);
    }
  });

  it('isolates a failing scope: the run ends partial, the other scopes are stored and correct', async () => {
    const scope = { projectId: PROJECT, enterpriseProjectId: '0', imageType: 'shared_image' as const };
    sim.world.rescan(scope, 2);
    sim.setFaults({ failPage: { api: 'ListCicdImages', offset: 0, status: 403 } });
    try {
      const report = await app.sync({ trigger: 'test', deadlineMs: null });
      expect(report.status).toBe('partial');
      const failed = report.scopes.filter((s) => s.status === 'failed').map((s) => s.label);
      expect(failed).toEqual([`${PROJECT}/0/cicd`, `${PROJECT}/ep-2/cicd`]);
      expect(report.scopes.filter((s) => s.status === 'succeeded')).toHaveLength(report.scopes.length - 2);
      expect(report.counts.imagesFetched).toBe(2);
      const scopeRows = await t.pool.query(
        `select image_type, status, error from hss_internal.sync_scope_runs where run_id = $1 and status <> 'succeeded' order by enterprise_project_id`,
        [report.runId],
      );
      expect(scopeRows.rows.map((r) => [r.image_type, r.status])).toEqual([
        ['cicd', 'failed'],
        ['cicd', 'failed'],
      ]);
      expect(scopeRows.rows[0].error).toContain('HSS.0010');
      const run = await t.pool.query(`select status from hss_internal.sync_runs where run_id = $1`, [
        report.runId,
      ]);
      expect(run.rows[0].status).toBe('partial');
    } finally {
      sim.setFaults({});
    }
    expect(await storedRows(t)).toEqual(truthRows(sim));
  });
});
