/**
 * End to end through the simulator over HTTP: hss.image_coverage in each state with the
 * simulator's images and upstream reasons, the ledger's coverage counts; AK/SK signing with the
 * simulator's test key pair (repeated query keys in raw-value order); nested error bodies read.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { COVERAGE_STATES } from '../../src/domain.js';
import { formatSdkDate, signRequest } from '../../src/hss/auth/signer.js';
import { SIM_TEST_ACCESS_KEY, SIM_TEST_SECRET_KEY } from '../../src/simulator/index.js';
import { runWithFakeTime, setupSync, TEST_PROJECT } from '../helpers/sync-setup.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const scope = { projectId: TEST_PROJECT, enterpriseProjectId: '0', imageType: 'local_image' as const };

describe('coverage through the simulator', () => {
  it('has a row in each state, with the images and reasons the simulator lists, counted in the ledger', async () => {
    const clock = new FakeClock(T0);
    const s = await setupSync({
      clock,
      sim: {
        seed: 14,
        imagesPerScope: 24,
        imageTypes: ['local_image'],
        coverage: { noResults: 0.1, inconsistent: 0.1 },
      },
      env: { HSS_IMAGE_TYPES: 'local_image', HSS_PAGE_SIZE: '10', HSS_HTTP_MAX_ATTEMPTS: '1' },
    });
    try {
      const cases = s.sim.world.coverageCases(scope);
      const covered0 = [...s.sim.world.groundTruth(scope).keys()].filter(
        (id) => !cases.inconsistent.includes(id),
      );
      // A failed scan (the world lists its reason, download_failed), besides the generated cases.
      s.sim.world.setScanStatus(scope, covered0[1] ?? '', 'failed');
      expect((await s.app.sync({ trigger: 'test', deadlineMs: null })).status).toBe('succeeded');
      // Pending: an image rescanned after its fetch whose new results could not be fetched.
      await clock.advance(60_000);
      const [pending] = s.sim.world.rescan(scope, [covered0[0] ?? '']);
      s.sim.resetStats();
      s.sim.setFaults({ errorRates: [{ api: 'ListImageRiskConfigs', status: 400, rate: 1 }] });
      const report = await s.app.sync({ trigger: 'test', deadlineMs: null });
      s.sim.setFaults({});
      expect(s.sim.stats().calls.ListImageRiskConfigs).toEqual({ '400': 1 });

      const rows = s.sim.world.images(scope);
      const byState: Record<string, string[]> = Object.fromEntries(COVERAGE_STATES.map((c) => [c, []]));
      for (const id of [...new Set(rows.map((r) => r.image_id))]) {
        const st = rows.find((r) => r.image_id === id)?.scan_status;
        const state =
          st === 'failed'
            ? 'scan_failed'
            : st !== 'success'
              ? 'not_scanned'
              : id === pending
                ? 'pending'
                : cases.noResults.includes(id)
                  ? 'no_results'
                  : cases.inconsistent.includes(id)
                    ? 'inconsistent'
                    : 'covered';
        byState[state]?.push(id);
      }
      for (const c of COVERAGE_STATES) expect([c, byState[c]?.length ?? 0]).not.toEqual([c, 0]);
      const got = await s.t.pool.query<{ coverage: string; ids: string[] }>(
        `select coverage, array_agg(image_id order by image_id) as ids from hss.image_coverage group by 1`,
      );
      const stored = Object.fromEntries(got.rows.map((r) => [r.coverage, r.ids]));
      expect(stored).toEqual(Object.fromEntries(COVERAGE_STATES.map((c) => [c, (byState[c] ?? []).sort()])));

      // The upstream reasons, exactly as the listing gives them (absent: NULL, shown '-').
      const reasons = await s.t.pool.query<{ k: string }>(
        `select concat_ws('|', image_id, coalesce(scan_failed_desc, '-'), coalesce(scan_failed_code, '-'),
                coalesce(non_scan_reason, '-')) as k
           from hss.image_coverage where coverage in ('scan_failed', 'not_scanned')`,
      );
      const listed = new Map<string, string>();
      for (const r of rows) {
        if (r.scan_status === 'success' || listed.has(r.image_id)) continue;
        const v = (x: string | undefined) => x ?? '-';
        listed.set(
          r.image_id,
          [r.image_id, v(r.scan_failed_desc), v(r.scan_failed_code), v(r.non_scan_reason)].join('|'),
        );
      }
      expect(reasons.rows.map((r) => r.k).sort()).toEqual([...listed.values()].sort());
      const failedReason = reasons.rows
        .map((r) => r.k)
        .find((k) => byState.scan_failed?.includes(k.split('|')[0] ?? ''));
      expect(failedReason?.split('|')[1]).not.toBe('-');
      expect(reasons.rows.some((r) => !r.k.endsWith('|-'))).toBe(true);

      // The ledger's count equals the view's, state by state.
      expect(report.status).toBe('partial');
      const ledger = await s.t.pool.query(`select status, coverage from hss.sync_runs where run_id = $1`, [
        report.runId,
      ]);
      expect(ledger.rows).toEqual([
        {
          status: report.status,
          coverage: Object.fromEntries(COVERAGE_STATES.map((c) => [c, byState[c]?.length ?? 0])),
        },
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('AK/SK with the simulator test key pair', () => {
  const sign = (url: URL, order: 'raw' | 'encoded') => {
    const headers = { Host: url.host, 'X-Sdk-Date': formatSdkDate(Date.now()) };
    const r = signRequest({
      method: 'GET',
      pathAndQuery: url.pathname + url.search,
      headers,
      body: '',
      accessKey: SIM_TEST_ACCESS_KEY,
      secretKey: SIM_TEST_SECRET_KEY,
    });
    if (order === 'raw') return { ...headers, Authorization: r.authorization };
    // The same request signed with its canonical query in encoded order: tag=%C3%A9 before tag=zeta.
    const lines = r.canonicalRequest.split('\n');
    lines[2] = (lines[2] ?? '').split('&').sort().join('&');
    expect(lines[2]).not.toBe(r.canonicalRequest.split('\n')[2]);
    const hashed = createHash('sha256').update(lines.join('\n')).digest('hex');
    const sig = createHmac('sha256', SIM_TEST_SECRET_KEY)
      .update(`SDK-HMAC-SHA256\n${headers['X-Sdk-Date']}\n${hashed}`)
      .digest('hex');
    return {
      ...headers,
      Authorization: `SDK-HMAC-SHA256 Access=${SIM_TEST_ACCESS_KEY}, SignedHeaders=${r.signedHeaders}, Signature=${sig}`,
    };
  };

  it('syncs signed; a repeated key signed in raw-value order is accepted, in encoded order refused', async () => {
    const s = await setupSync({
      sim: {
        imageTypes: ['cicd'],
        auth: { tokens: [], accessKeys: [{ ak: SIM_TEST_ACCESS_KEY, sk: SIM_TEST_SECRET_KEY }] },
      },
      env: {
        HSS_IMAGE_TYPES: 'cicd',
        HSS_AUTH_TOKEN: undefined,
        HSS_ACCESS_KEY: SIM_TEST_ACCESS_KEY,
        HSS_SECRET_KEY: SIM_TEST_SECRET_KEY,
      },
    });
    try {
      const report = await s.app.sync({ trigger: 'test', deadlineMs: null });
      expect(report.status).toBe('succeeded');
      expect(s.sim.stats().rejectedSignatures).toBe(0);
      const n = await s.t.pool.query(`select count(distinct image_id)::int as n from hss.image_baselines`);
      expect(n.rows[0].n).toBe(s.sim.world.groundTruth({ ...scope, imageType: 'cicd' }).size);

      const url = new URL(
        `/v5/${TEST_PROJECT}/image/cicd/images?limit=10&offset=0&tag=zeta&tag=%C3%A9`,
        s.simUrl,
      );
      const ok = await fetch(url, { headers: sign(url, 'raw') });
      expect(ok.status).toBe(200);
      const bad = await fetch(url, { headers: sign(url, 'encoded') });
      expect([bad.status, ((await bad.json()) as { error_code: string }).error_code]).toEqual([
        401,
        'APIGW.0301',
      ]);
      expect(s.sim.stats().rejectedSignatures).toBe(1);
    } finally {
      await s.close();
    }
  });
});

describe('nested error bodies {"error":{"code","message"}}', () => {
  const types = { imageTypes: ['private_image' as const] };

  it('a nested 429 is retried and the run ends exact', async () => {
    const clock = new FakeClock(T0);
    const s = await setupSync({
      clock,
      sim: {
        ...types,
        faults: {
          nestedErrors: true,
          failPage: { api: 'ListRegistryImages', offset: 0, status: 429, times: 2 },
        },
      },
      env: { HSS_RULE_DETAIL: 'off' },
    });
    try {
      const report = await runWithFakeTime(clock, s.app.sync({ trigger: 'test', deadlineMs: null }));
      expect(report.status).toBe('succeeded');
      expect(s.sim.stats().calls.ListRegistryImages?.['429']).toBe(2);
      const got = await s.t.pool.query(`select count(*)::int as n from hss.image_baselines`);
      let truth = 0;
      for (const rows of s.sim.world.groundTruth({ ...scope, imageType: 'private_image' }).values())
        truth += rows.length;
      expect(got.rows).toEqual([{ n: truth }]);
      // The ledger read both answers as throttling (429) and retried each.
      const run = await s.t.pool.query(
        `select status, throttled, retries, error from hss.sync_runs where run_id = $1`,
        [report.runId],
      );
      expect(run.rows).toEqual([{ status: 'succeeded', throttled: 2, retries: 2, error: null }]);
    } finally {
      await s.close();
    }
  });

  it('a nested APIGW.0301 (401) stops the target with that code in the ledger', async () => {
    const s = await setupSync({
      sim: { ...types, faults: { nestedErrors: true, errorRates: [{ api: '*', status: 401, rate: 1 }] } },
    });
    try {
      const report = await s.app.sync({ trigger: 'test', deadlineMs: null });
      expect(report.status).toBe('failed');
      const probe = await fetch(
        `${s.simUrl}/v5/${TEST_PROJECT}/image/registries/images?image_type=private_image`,
        {
          headers: { 'X-Auth-Token': 'test-token' },
        },
      );
      expect([probe.status, Object.keys((await probe.json()) as object)]).toEqual([401, ['error']]);
      const run = await s.t.pool.query(`select status, error from hss.sync_runs where run_id = $1`, [
        report.runId,
      ]);
      const msg =
        'HSS_AUTH_FAILED: HSS_AUTH_TOKEN was rejected (APIGW.0301): the token has expired or is wrong. Static tokens live 24 hours and cannot be renewed; configure HSS_ACCESS_KEY and HSS_SECRET_KEY (AK/SK signing) or HSS_IAM_DOMAIN, HSS_IAM_USER and HSS_IAM_PASSWORD instead.';
      expect(run.rows).toEqual([{ status: 'failed', error: `${TEST_PROJECT}/0/private_image: ${msg}` }]);
      const scopes = await s.t.pool.query(`select status, error from hss.sync_scope_runs where run_id = $1`, [
        report.runId,
      ]);
      expect(scopes.rows).toEqual([{ status: 'failed', error: msg }]);
    } finally {
      await s.close();
    }
  });
});
