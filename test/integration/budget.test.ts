/**
 * The call budget against a simulator that enforces a per-API limit, on a fake clock
 * shared by the worker and the simulator (fake time, real HTTP and PostgreSQL).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { runWithFakeTime, type SyncSetup, setupSync, TEST_PROJECT } from '../helpers/sync-setup.js';
import { storedRows, truthRows } from '../helpers/truth.js';
import { when } from '../helpers/wait.js';

const SCOPE = { projectId: TEST_PROJECT, enterpriseProjectId: '0', imageType: 'private_image' as const };

function riskCalls(s: SyncSetup): number {
  return s.sim.stats().callsByApi.ListImageRiskConfigs ?? 0;
}

describe('call budget against a rate-limited simulator', () => {
  let s: SyncSetup | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('paced at the real limit: 0 429s, exact truth; unchanged re-sync 0 calls; K rescans K calls', async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 1));
    s = await setupSync({
      clock,
      sim: { clock, imagesPerScope: 14, rateLimitPerMinute: 5, retryAfter: true },
      env: { HSS_RATE_LIMIT_PER_MINUTE: '5', HSS_FETCH_CONCURRENCY: '4' },
    });
    const app = s.app;
    const first = await runWithFakeTime(clock, app.sync({ trigger: 'test', deadlineMs: null }));
    expect(first.status).toBe('succeeded');
    expect(s.sim.stats().throttled).toBe(0);
    expect(first.counts.throttled).toBe(0);
    const truth = truthRows(s.sim, ['private_image']);
    expect(await storedRows(s.t)).toEqual(truth);
    const fetched = first.counts.imagesFetched;
    expect(fetched).toBeGreaterThan(10);
    // the limit forced the run to take at least (calls - 5) / 5 minutes of fake time
    const elapsed = first.finishedAt.getTime() - first.startedAt.getTime();
    expect(elapsed).toBeGreaterThanOrEqual(Math.floor((fetched - 5) / 5) * 60_000);

    const before = riskCalls(s);
    const again = await runWithFakeTime(clock, app.sync({ trigger: 'test', deadlineMs: null }));
    expect(again.status).toBe('succeeded');
    expect(riskCalls(s) - before).toBe(0);
    expect(again.counts.imagesDue).toBe(0);

    const rescanned = s.sim.world.rescan(SCOPE, 4);
    const beforeK = riskCalls(s);
    const third = await runWithFakeTime(clock, app.sync({ trigger: 'test', deadlineMs: null }));
    expect(third.status).toBe('succeeded');
    expect(riskCalls(s) - beforeK).toBe(4);
    expect(third.counts.imagesFetched).toBe(4);
    expect(s.sim.stats().throttled).toBe(0);
    expect(rescanned).toHaveLength(4);
    expect(await storedRows(s.t)).toEqual(truthRows(s.sim, ['private_image']));
  });

  for (const retryAfter of [true, false]) {
    it(`configured above the real limit (${retryAfter ? 'with' : 'without'} Retry-After): exact truth, 429s counted`, async () => {
      const clock = new FakeClock(Date.UTC(2026, 5, 1));
      s = await setupSync({
        clock,
        sim: { clock, imagesPerScope: 12, rateLimitPerMinute: 5, retryAfter },
        env: { HSS_RATE_LIMIT_PER_MINUTE: '30', HSS_FETCH_CONCURRENCY: '4', HSS_HTTP_MAX_ATTEMPTS: '20' },
      });
      const report = await runWithFakeTime(clock, s.app.sync({ trigger: 'test', deadlineMs: null }));
      expect(report.status).toBe('succeeded');
      expect(await storedRows(s.t)).toEqual(truthRows(s.sim, ['private_image']));
      const throttled = s.sim.stats().throttled;
      expect(throttled).toBeGreaterThan(0);
      expect(report.counts.throttled).toBe(throttled);
      const row = await s.t.pool.query('select throttled from hss_internal.sync_runs where run_id = $1', [
        report.runId,
      ]);
      expect(row.rows[0].throttled).toBe(throttled);
    });
  }

  it('a call in flight when the deadline passes is answered and written: no call is paid twice', async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 1));
    s = await setupSync({
      clock,
      // The simulator holds each result call for 500 ms of real time.
      sim: {
        clock,
        imagesPerScope: 10,
        rateLimitPerMinute: 5,
        faults: { latencyMs: 500, latencyApis: ['ListImageRiskConfigs'] },
      },
      env: { HSS_RATE_LIMIT_PER_MINUTE: '5', HSS_FETCH_CONCURRENCY: '2' },
    });
    const work = s.app.sync({ trigger: 'test', deadlineMs: 30_000 });
    // Fake time stands still until both workers' first calls have reached the simulator (the
    // pacer lets them go at once), then passes the deadline while the simulator holds them.
    const sim = s.sim;
    const arrived = () => sim.stats().arrivedByApi.ListImageRiskConfigs ?? 0;
    await when('both result calls at the simulator', sim.onStats, () => arrived() >= 2);
    await clock.advance(31_000);
    const first = await runWithFakeTime(clock, work);
    expect(first.status).toBe('partial');
    expect(first.error).toContain('run deadline reached');
    // Both calls in flight were answered and written; none was started after the deadline.
    expect(arrived()).toBe(2);
    expect(riskCalls(s)).toBe(2);
    expect(first.counts.imagesFetched).toBe(2);
    expect(first.counts.imagesPending).toBe(first.counts.imagesDue - 2);

    const second = await runWithFakeTime(clock, s.app.sync({ trigger: 'test', deadlineMs: null }));
    expect(second.status).toBe('succeeded');
    expect(second.counts.imagesFetched).toBe(first.counts.imagesDue - 2);
    const perImage = Object.values(s.sim.stats().riskConfigCallsByImageId);
    expect(perImage).toHaveLength(first.counts.imagesDue);
    expect(perImage.every((n) => n === 1)).toBe(true);
    expect(await storedRows(s.t)).toEqual(truthRows(s.sim, ['private_image']));
  });

  it('a run cut off by its deadline and a second run together fetch every image exactly once', async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 1));
    s = await setupSync({
      clock,
      sim: { clock, imagesPerScope: 16, rateLimitPerMinute: 5 },
      env: { HSS_RATE_LIMIT_PER_MINUTE: '5', HSS_FETCH_CONCURRENCY: '2' },
    });
    const first = await runWithFakeTime(clock, s.app.sync({ trigger: 'test', deadlineMs: 90_000 }));
    expect(first.status).toBe('partial');
    expect(first.counts.imagesPending).toBeGreaterThan(0);
    expect(first.counts.imagesFetched + first.counts.imagesPending).toBe(first.counts.imagesDue);
    expect(first.error).toContain('run deadline reached');
    const scopeRow = await s.t.pool.query(
      'select images_pending, eta_seconds from hss_internal.sync_scope_runs where run_id = $1',
      [first.runId],
    );
    expect(scopeRow.rows[0].images_pending).toBe(first.counts.imagesPending);
    expect(scopeRow.rows[0].eta_seconds).toBe(Math.ceil((first.counts.imagesPending * 60) / 5));

    const second = await runWithFakeTime(clock, s.app.sync({ trigger: 'test', deadlineMs: null }));
    expect(second.status).toBe('succeeded');
    expect(second.counts.imagesFetched).toBe(first.counts.imagesPending);
    const perImage = s.sim.stats().riskConfigCallsByImageId;
    const due = first.counts.imagesDue;
    expect(Object.keys(perImage)).toHaveLength(due);
    expect(Object.values(perImage).every((n) => n === 1)).toBe(true);
    expect(await storedRows(s.t)).toEqual(truthRows(s.sim, ['private_image']));
  });
});
