/**
 * Fault suite, upstream: one test per fault the simulator injects into HSS answers. Worker and
 * simulator share a FakeClock (pacing, backoff, rate windows, token expiry in fake time; HTTP and
 * PostgreSQL real). Each test asserts the stored results against the simulator's ground truth
 * and the run's ledger row.
 */
import { describe, expect, it } from 'vitest';
import { type FaultHarness, faultHarness, runRow, scopeRows } from '../helpers/fault-harness.js';
import { storedRows, truthRows } from '../helpers/truth.js';

async function expectExact(x: FaultHarness): Promise<void> {
  expect(await storedRows(x.t)).toEqual(truthRows(x.sim));
}

/** Syncs once and expects a clean `succeeded` run with the exact ground truth. */
async function expectSucceeds(x: FaultHarness) {
  const report = await x.sync();
  expect(report.error).toBeNull();
  expect(report.status).toBe('succeeded');
  expect((await runRow(x.t, report.runId)).status).toBe('succeeded');
  await expectExact(x);
  return report;
}

describe('HTTP faults', () => {
  it('25% of calls 503 and an undeclared 12/min limit, worker configured for 600/min: succeeded, exact', async () => {
    const h = await faultHarness({
      sim: {
        imagesPerScope: 20,
        rateLimitPerMinute: 12,
        retryAfter: false,
        faults: { seed: 25, errorRates: [{ api: '*', status: 503, rate: 0.25 }] },
      },
      // Every fault of the summary sync is retried; the rule drill-down (faults asserted in
      // rules-sync.test.ts) may leave an image due instead, which would blur the retry count.
      env: { HSS_RATE_LIMIT_PER_MINUTE: '600', HSS_RULE_DETAIL: 'off' },
    });
    const report = await expectSucceeds(h);
    const stats = h.sim.stats();
    // Both faults really happened, and the worker adapted instead of failing.
    expect(stats.faultsInjected.error).toBeGreaterThan(3);
    expect(stats.throttled).toBeGreaterThan(0);
    expect(report.counts.throttled).toBe(stats.throttled);
    expect(report.counts.retries).toBeGreaterThanOrEqual(stats.throttled + (stats.faultsInjected.error ?? 0));
    const row = await runRow(h.t, report.runId);
    expect(row).toMatchObject({ status: 'succeeded', error: null, images_pending: 0 });
    expect(row.throttled).toBe(stats.throttled);
    expect(report.counts.imagesFetched).toBe(truthImages(h));
    // The pace came down towards the real limit during the run, and is back up for the next one.
    const riskRate = () =>
      h?.app.pacer.snapshot().find((k) => k.api === 'ListImageRiskConfigs')?.ratePerMinute;
    expect(riskRate()).toBeLessThan(600);
    const again = await h.sync();
    expect(again.counts.imagesDue).toBe(0);
    expect(riskRate()).toBe(600);
  });

  it('429 with Retry-After: honoured, succeeded, exact', async () => {
    const h = await faultHarness({
      sim: { rateLimitPerMinute: 4, retryAfter: true },
      env: { HSS_RATE_LIMIT_PER_MINUTE: '600' },
    });
    const report = await expectSucceeds(h);
    expect(h.sim.stats().throttled).toBeGreaterThan(0);
    expect(report.counts.throttled).toBe(h.sim.stats().throttled);
  });

  it('error statuses 500/502/504 at random: retried, succeeded, exact', async () => {
    const h = await faultHarness({
      sim: {
        faults: {
          seed: 3,
          errorRates: [
            { api: '*', status: 500, rate: 0.1 },
            { api: '*', status: 502, rate: 0.1 },
            { api: '*', status: 504, rate: 0.1 },
          ],
        },
      },
    });
    await expectSucceeds(h);
    const calls = h.sim.stats().calls.ListImageRiskConfigs ?? {};
    expect((calls['500'] ?? 0) + (calls['502'] ?? 0) + (calls['504'] ?? 0)).toBeGreaterThan(0);
  });

  it('an image whose retries are all spent gets a second try after the others: succeeded, exact', async () => {
    // The first six result calls fail: the first image's six attempts. It is tried again last.
    const h = await faultHarness({
      sim: { faults: { failPage: { api: 'ListImageRiskConfigs', offset: 0, status: 503, times: 6 } } },
      env: { HSS_FETCH_CONCURRENCY: '1' },
    });
    const report = await expectSucceeds(h);
    expect(report.counts.retries).toBe(5);
    expect(h.sim.stats().calls.ListImageRiskConfigs).toEqual({
      '200': report.counts.imagesFetched,
      '503': 6,
    });
  });

  it('added latency: succeeded, exact', async () => {
    const h = await faultHarness({ sim: { faults: { latencyMs: 15 } } });
    await expectSucceeds(h);
  });

  it('HTML pages with status 200: retried, succeeded, exact', async () => {
    const h = await faultHarness({ sim: { faults: { seed: 4, htmlRate: 0.3 } } });
    await expectSucceeds(h);
    expect(h.sim.stats().faultsInjected.html).toBeGreaterThan(0);
  });

  it('truncated JSON with status 200: retried, succeeded, exact', async () => {
    const h = await faultHarness({ sim: { faults: { seed: 5, truncatedJsonRate: 0.3 } } });
    await expectSucceeds(h);
    expect(h.sim.stats().faultsInjected.truncated).toBeGreaterThan(0);
  });

  it('connection reset mid-body: retried, succeeded, exact', async () => {
    const h = await faultHarness({ sim: { faults: { seed: 6, resetRate: 0.3 } } });
    await expectSucceeds(h);
    expect(h.sim.stats().faultsInjected.reset).toBeGreaterThan(0);
  });

  it('slow bodies past the request deadline: abandoned, retried, succeeded, exact', async () => {
    const h = await faultHarness({
      sim: {
        faults: { seed: 8, onlyApis: ['ListImageRiskConfigs'], slowBodyRate: 0.25, slowBodyMs: 1_500 },
      },
      env: { HSS_HTTP_TIMEOUT: '300ms' },
    });
    const report = await expectSucceeds(h);
    const slow = h.sim.stats().faultsInjected.slowBody ?? 0;
    expect(slow).toBeGreaterThan(0);
    expect(report.counts.retries).toBe(slow);
  });

  it('oversized bodies: refused unread, not retried; the images stay pending, the next sync is exact', async () => {
    const h = await faultHarness({
      // The largest real answer of this world (hostile 65,534-character descriptions) fits 1 MiB.
      sim: {
        faults: {
          seed: 9,
          onlyApis: ['ListImageRiskConfigs'],
          oversizedRate: 0.3,
          oversizedBytes: 1_500_000,
        },
      },
      tweak: (c) => ({ ...c, http: { ...c.http, maxResponseBytes: 1024 * 1024 } }),
    });
    const first = await h.sync();
    const oversized = h.sim.stats().faultsInjected.oversized ?? 0;
    expect(oversized).toBeGreaterThan(0);
    expect(first.status).toBe('partial');
    expect(first.counts.retries).toBe(0);
    expect(first.counts.imagesPending).toBe(oversized);
    expect(first.error).toContain(`${oversized} image(s) failed to fetch`);
    expect(first.error).toContain('response body exceeds 1048576 bytes (maxResponseBytes)');
    expect(await runRow(h.t, first.runId)).toMatchObject({ status: 'partial', images_pending: oversized });
    // Nothing partial was written: every stored image equals the truth; the skipped ones are absent.
    const truth = truthRows(h.sim);
    const stored = await storedRows(h.t);
    expect(stored.length).toBeLessThan(truth.length);
    for (const row of stored) expect(truth).toContainEqual(row);
    h.sim.setFaults({});
    const second = await h.sync();
    expect(second.status).toBe('succeeded');
    expect(second.counts.imagesFetched).toBe(oversized);
    await expectExact(h);
  });

  it('token expiry mid-run (IAM password auth): renewed once, succeeded, exact', async () => {
    const h = await faultHarness({
      sim: { faults: { tokenExpiry: { afterCalls: 6 } } },
      env: {
        HSS_AUTH_TOKEN: undefined,
        HSS_IAM_DOMAIN: 'sim-domain',
        HSS_IAM_USER: 'sim-user',
        HSS_IAM_PASSWORD: 'sim-password',
      },
    });
    await expectSucceeds(h);
    const stats = h.sim.stats();
    expect(stats.faultsInjected.tokenExpiry).toBe(1);
    expect(stats.tokensIssued).toBe(2);
    expect(stats.rejectedTokens).toBeGreaterThan(0);
  });

  it('a dead API opens the circuit: the scope fails with the reason after a bounded number of calls', async () => {
    const h = await faultHarness({
      sim: { faults: { errorRates: [{ api: 'ListImageRiskConfigs', status: 503, rate: 1 }] } },
      env: { HSS_FETCH_CONCURRENCY: '1' },
    });
    const report = await h.sync();
    expect(report.status).toBe('failed');
    const [scope] = await scopeRows(h.t, report.runId);
    expect(scope?.[1]).toBe('failed');
    // The first image used up its six attempts; four more failures opened the circuit, which
    // stopped the scope with the reason.
    expect(scope?.[3]).toMatch(
      /^1 image\(s\) failed to fetch: HSS_API_ERROR: ListImageRiskConfigs GET \S+ HTTP 503 APIGW\.0201 "Backend unavailable" request_id=\w+; HSS_CIRCUIT_OPEN: ListImageRiskConfigs: circuit open after 10 consecutive failed calls \(last: HTTP 503 APIGW\.0201\); no ListImageRiskConfigs calls until 2026-03-01T\d\d:\d\d:\d\d\.\d{3}Z$/,
    );
    // Ten calls opened the circuit; nothing was called after it opened.
    expect(h.sim.stats().callsByApi.ListImageRiskConfigs).toBe(10);
    expect((await runRow(h.t, report.runId)).status).toBe('failed');
  });
});

/** Distinct images with results in the simulator (what a first sync fetches). */
/** Images whose results a sync fetches: those with results and those scanned without any. */
function truthImages(x: FaultHarness): number {
  let n = 0;
  for (const scope of x.sim.world.scopes()) {
    n += x.sim.world.groundTruth(scope).size + x.sim.world.coverageCases(scope).noResults.length;
  }
  return n;
}
