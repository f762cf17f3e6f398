/**
 * hss.image_coverage and hss.image_posture.coverage: every state built through the writers
 * (listings, results, not-scanned records, retirement), exact rows; countCoverage; the ledger's
 * coverage column.
 */
import { describe, expect, it } from 'vitest';
import { countCoverage } from '../../src/db/coverage.js';
import { imageRefKey } from '../../src/db/ref-key.js';
import { finishRun, startRun } from '../../src/db/runs.js';
import {
  type ImageResultItem,
  recordScopeInventory,
  retireContents,
  upsertImageRefs,
  writeImageResults,
} from '../../src/db/writer/index.js';
import type { ImageListing, RiskConfig, Scope } from '../../src/domain.js';
import { createPgStore } from '../../src/sync/pg-store.js';
import { zeroCounts } from '../../src/sync/store.js';
import { useTestDatabase } from '../helpers/db.js';
import { listing, RUN1, RUN2, risk, scope, T0, T1, T2 } from '../helpers/db-fixtures.js';

const SCAN_A = Date.UTC(2025, 11, 1);
const SCAN_B = Date.UTC(2025, 11, 2);

function img(id: string, overrides: Partial<ImageListing> = {}): ImageListing {
  return listing({
    imageId: id,
    imageDigest: `d-${id}`,
    imageName: id,
    imageVersion: 'v1',
    latestScanTime: SCAN_B,
    unsafeSettingNum: 2,
    ...overrides,
  });
}

function result(
  s: Scope,
  l: ImageListing,
  results: RiskConfig[],
  scanTime = l.latestScanTime,
): ImageResultItem {
  return {
    scope: s,
    imageId: l.imageId,
    signal: {
      latestScanTime: scanTime,
      imageDigest: l.imageDigest,
      unsafeSettingNum: l.unsafeSettingNum,
      scanStatus: l.scanStatus,
    },
    outcome: 'fetched',
    source: 'ListImageRiskConfigs',
    results,
  };
}

const t = useTestDatabase();
const S = scope({ projectId: 'cov' });
const R = scope({ projectId: 'cov', imageType: 'registry', target: 'cn-north-4/p1' });

// Every state of the precedence, one content each (two for inconsistent and covered).
const failed = img('c01-failed', {
  scanStatus: 'failed',
  scanFailedDesc: 'pull timed out',
  scanFailedCode: 'E42',
});
const unscan = img('c02-unscan', {
  scanStatus: 'unscan',
  latestScanTime: null,
  nonScanReason: 'image too large',
});
const waiting = img('c03-waiting', { scanStatus: 'waiting_for_scan', latestScanTime: null });
const scanning = img('c04-scanning', { scanStatus: 'scanning' });
const fresh = img('c05-pending-new');
const rescanned = img('c06-pending-rescan');
const empty = img('c07-no-results', { unsafeSettingNum: 0 });
const quiet = img('c08-inconsistent-listing', { unsafeSettingNum: 3 });
const loud = img('c09-inconsistent-results', { unsafeSettingNum: 0 });
const covered = img('c10-covered');
const unknownUnsafe = img('c11-covered-no-unsafe', { unsafeSettingNum: null });
// Two tags of one content: the one with the latest scan decides (the older one says failed).
const twoTagsOld = img('c12-two-tags', { imageVersion: 'old', scanStatus: 'failed', latestScanTime: SCAN_A });
const twoTagsNew = img('c12-two-tags', { imageVersion: 'new' });
const retired = img('c13-retired');
const harbor = img('r01-harbor', { listedImageType: 'Harbor', unsafeSettingNum: 1 });

async function build(): Promise<void> {
  const listed = [failed, unscan, waiting, scanning, fresh, rescanned, empty, quiet, loud, covered];
  await upsertImageRefs(t.handle, S, [...listed, unknownUnsafe, twoTagsOld, twoTagsNew, retired], T0);
  await writeImageResults(t.handle, RUN1, T1, [
    { ...result(S, waiting, []), outcome: 'not_scanned' },
    result(S, rescanned, [risk()], SCAN_A),
    result(S, empty, []),
    result(S, quiet, [risk({ failedRuleNum: 0 })]),
    result(S, loud, [risk({ failedRuleNum: 3 }), risk({ standard: 'cis', failedRuleNum: 0 })]),
    result(S, covered, [risk({ failedRuleNum: 2 }), risk({ standard: 'cis', failedRuleNum: 1 })]),
    result(S, unknownUnsafe, [risk({ failedRuleNum: 0 })]),
    result(S, twoTagsNew, [risk({ failedRuleNum: 4 })]),
    result(S, retired, [risk()]),
  ]);
  await recordScopeInventory(t.handle, S, S.target, RUN2, T2, { complete: true, imageCount: 14 });
  await retireContents(t.handle, S, RUN2, T2, {
    missingImageIds: [retired.imageId],
    presentRefKeys: [...listed, unknownUnsafe, twoTagsOld, twoTagsNew].map(imageRefKey),
  });
  await upsertImageRefs(t.handle, R, [harbor], T0);
  await writeImageResults(t.handle, RUN1, T1, [result(R, harbor, [risk({ failedRuleNum: 1 })])]);
}

describe('hss.image_coverage', () => {
  it('has one row per present content, in the state its listing, fetch and results give, with the reasons', async () => {
    await build();
    const res = await t.pool.query(
      `SELECT image_type, image_id, coverage, scan_status, latest_scan_time, unsafe_setting_num,
              failed_items::int, baselines, baselines_failing, scan_failed_desc, scan_failed_code,
              non_scan_reason, checked_at, checked_scan_time, last_listed_at, listed_image_type, registry_kind
         FROM hss.image_coverage WHERE project_id = 'cov' ORDER BY image_type, image_id`,
    );
    const b = new Date(SCAN_B);
    const row = (
      image_id: string,
      coverage: string,
      more: Partial<Record<string, unknown>> = {},
    ): Record<string, unknown> => ({
      image_type: 'private_image',
      image_id,
      coverage,
      scan_status: 'success',
      latest_scan_time: b,
      unsafe_setting_num: 2,
      failed_items: 0,
      baselines: 0,
      baselines_failing: 0,
      scan_failed_desc: null,
      scan_failed_code: null,
      non_scan_reason: null,
      checked_at: null,
      checked_scan_time: null,
      last_listed_at: T2,
      listed_image_type: null,
      registry_kind: null,
      ...more,
    });
    const fetchedB = { checked_at: T1, checked_scan_time: b };
    expect(res.rows).toEqual([
      row('c01-failed', 'scan_failed', {
        scan_status: 'failed',
        scan_failed_desc: 'pull timed out',
        scan_failed_code: 'E42',
      }),
      row('c02-unscan', 'not_scanned', {
        scan_status: 'unscan',
        latest_scan_time: null,
        non_scan_reason: 'image too large',
      }),
      row('c03-waiting', 'not_scanned', { scan_status: 'waiting_for_scan', latest_scan_time: null }),
      row('c04-scanning', 'not_scanned', { scan_status: 'scanning' }),
      row('c05-pending-new', 'pending'),
      row('c06-pending-rescan', 'pending', {
        checked_at: T1,
        checked_scan_time: new Date(SCAN_A),
        failed_items: 2,
        baselines: 1,
        baselines_failing: 1,
      }),
      row('c07-no-results', 'no_results', { unsafe_setting_num: 0, ...fetchedB }),
      row('c08-inconsistent-listing', 'inconsistent', { unsafe_setting_num: 3, baselines: 1, ...fetchedB }),
      row('c09-inconsistent-results', 'inconsistent', {
        unsafe_setting_num: 0,
        failed_items: 3,
        baselines: 2,
        baselines_failing: 1,
        ...fetchedB,
      }),
      row('c10-covered', 'covered', { failed_items: 3, baselines: 2, baselines_failing: 2, ...fetchedB }),
      row('c11-covered-no-unsafe', 'covered', { unsafe_setting_num: null, baselines: 1, ...fetchedB }),
      row('c12-two-tags', 'covered', { failed_items: 4, baselines: 1, baselines_failing: 1, ...fetchedB }),
      row('r01-harbor', 'covered', {
        image_type: 'registry',
        unsafe_setting_num: 1,
        failed_items: 1,
        baselines: 1,
        baselines_failing: 1,
        last_listed_at: T0,
        listed_image_type: 'Harbor',
        registry_kind: 'Harbor',
        ...fetchedB,
      }),
    ]);
  });

  it('hss.image_posture.coverage takes the same state for every content', async () => {
    const res = await t.pool.query(
      `SELECT p.image_id, p.coverage AS posture, c.coverage
         FROM hss.image_posture p
         FULL JOIN hss.image_coverage c USING (project_id, enterprise_project_id, image_type, image_id)
        WHERE coalesce(p.project_id, c.project_id) = 'cov'
        ORDER BY 1`,
    );
    expect(res.rows).toHaveLength(13);
    expect(res.rows.filter((r) => r.posture !== r.coverage)).toEqual([]);
  });

  it('countCoverage counts every state of the given scopes, 0 for those without contents', async () => {
    expect(await countCoverage(t.handle, [S])).toEqual({
      covered: 3,
      not_scanned: 3,
      scan_failed: 1,
      no_results: 1,
      inconsistent: 2,
      pending: 2,
    });
    expect(await countCoverage(t.handle, [S, R, R])).toEqual({
      covered: 4,
      not_scanned: 3,
      scan_failed: 1,
      no_results: 1,
      inconsistent: 2,
      pending: 2,
    });
    const none = { covered: 0, not_scanned: 0, scan_failed: 0, no_results: 0, inconsistent: 0, pending: 0 };
    expect(await countCoverage(t.handle, [])).toEqual(none);
    expect(await countCoverage(t.handle, [scope({ projectId: 'nothing-here' })])).toEqual(none);
    expect(await createPgStore(t.handle).countCoverage([R])).toEqual({ ...none, covered: 1 });
  });

  it('the ledger keeps a run outcome coverage in sync_runs.coverage, NULL when not given', async () => {
    const runs = ['00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000c2'];
    for (const runId of runs)
      await startRun(t.handle, { runId, startedAt: T0, trigger: 'test', worker: null });
    const coverage = await countCoverage(t.handle, [S, R]);
    const store = createPgStore(t.handle);
    await store.finishRun(runs[0]!, {
      status: 'succeeded',
      finishedAt: T1,
      scopes: { total: 2, succeeded: 2, partial: 0, failed: 0 },
      counts: zeroCounts(),
      callsByApi: {},
      coverage,
      error: null,
    });
    await finishRun(t.handle, runs[1]!, {
      status: 'aborted',
      finishedAt: T1,
      counts: {},
      callsByApi: {},
      error: 'x',
    });
    const res = await t.pool.query(
      `SELECT run_id, coverage FROM hss.sync_runs WHERE run_id = ANY($1::uuid[]) ORDER BY run_id`,
      [runs],
    );
    expect(res.rows).toEqual([
      {
        run_id: runs[0],
        coverage: { covered: 4, not_scanned: 3, scan_failed: 1, no_results: 1, inconsistent: 2, pending: 2 },
      },
      { run_id: runs[1], coverage: null },
    ]);
  });
});
