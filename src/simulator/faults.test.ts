import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultInjector } from './faults.js';
import { createSimulator, type Simulator } from './server.js';

describe('FaultInjector', () => {
  it('replays the same decisions from the same seed and restarts on set()', () => {
    const opts = { seed: 9, errorRates: [{ api: '*', status: 503, rate: 0.3 }], htmlRate: 0.1 };
    const run = (f: FaultInjector) =>
      Array.from({ length: 200 }, () => f.decide('ListImageRiskConfigs', 0)?.kind ?? '-');
    const a = new FaultInjector(opts);
    const first = run(a);
    expect(run(new FaultInjector(opts))).toEqual(first);
    a.set(opts);
    expect(run(a)).toEqual(first);
    const errors = first.filter((k) => k === 'status').length;
    expect(errors).toBeGreaterThan(40);
    expect(errors).toBeLessThan(80);
    expect(first.filter((k) => k === 'html').length).toBeGreaterThan(0);
    expect(run(new FaultInjector({ ...opts, seed: 10 }))).not.toEqual(first);
  });

  it('applies error rates only to the named API and fails one page a bounded number of times', () => {
    const f = new FaultInjector({
      errorRates: [{ api: 'ListCicdImages', status: 500, rate: 1 }],
      failPage: { api: 'ListRegistryImages', offset: 200, status: 504, times: 2 },
    });
    expect(f.decide('ListImageRiskConfigs', 0)).toBeNull();
    expect(f.decide('ListCicdImages', 0)).toEqual({ kind: 'status', status: 500, source: 'error' });
    expect(f.decide('ListRegistryImages', 0)).toBeNull();
    expect(f.decide('ListRegistryImages', 200)).toEqual({ kind: 'status', status: 504, source: 'failPage' });
    expect(f.decide('ListRegistryImages', 200)).toEqual({ kind: 'status', status: 504, source: 'failPage' });
    expect(f.decide('ListRegistryImages', 200)).toBeNull();
  });
});

describe('FaultInjector drift limit', () => {
  it('drifts every other list answer, at most totalNumDriftTimes in all', () => {
    const f = new FaultInjector({ totalNumDrift: true, totalNumDriftTimes: 2 });
    const seq = Array.from({ length: 8 }, () => f.drift('ListRegistryImages'));
    expect(seq).toEqual([true, false, true, false, false, false, false, false]);
  });
});

describe('FaultInjector latencyFor', () => {
  it('delays every API, or only latencyApis when given', () => {
    expect(new FaultInjector({ latencyMs: 40 }).latencyFor('ListRegistryImages')).toBe(40);
    const only = new FaultInjector({ latencyMs: 40, latencyApis: ['ListImageRiskConfigs'] });
    expect(only.latencyFor('ListImageRiskConfigs')).toBe(40);
    expect(only.latencyFor('ListRegistryImages')).toBe(0);
    expect(new FaultInjector({}).latencyFor('ListImageRiskConfigs')).toBe(0);
  });
});

describe('FaultInjector onlyApis', () => {
  it('limits the rate-based faults to the named APIs and draws nothing for the others', () => {
    const f = new FaultInjector({ onlyApis: ['ListImageRiskConfigs'], htmlRate: 1, invalidItemRate: 1 });
    expect(f.decide('ListRegistryImages', 0)).toBeNull();
    expect(f.invalidItem('ListRegistryImages')).toBe(false);
    expect(f.decide('ListImageRiskConfigs', 0)).toEqual({ kind: 'html' });
    expect(f.invalidItem('ListImageRiskConfigs')).toBe(true);
  });
});

describe('faults over HTTP', () => {
  let sim: Simulator;
  let base: string;
  beforeAll(async () => {
    sim = createSimulator({
      imagesPerScope: 30,
      imageTypes: ['private_image', 'cicd'],
      cicdRiskConfigs: 'seed',
    });
    base = (await sim.listen()).url;
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.setFaults({});
    sim.resetStats();
  });

  const get = (path: string) =>
    fetch(`${base}/v5/proj-demo/${path}`, { headers: { 'X-Auth-Token': 'sim-token' } });
  const RISK = 'image/baseline/risk-configs?image_type=cicd';
  const LIST = 'image/registries/images?image_type=private_image&limit=10';

  it('answers an error status with its documented body', async () => {
    sim.setFaults({ errorRates: [{ api: 'ListImageRiskConfigs', status: 503, rate: 1 }] });
    const r = await get(RISK);
    const requestId = r.headers.get('x-request-id');
    expect([r.status, await r.json()]).toEqual([
      503,
      { error_code: 'APIGW.0201', error_msg: 'Backend unavailable', request_id: requestId },
    ]);
    expect((await get(LIST)).status).toBe(200);
    sim.setFaults({ errorRates: [{ api: '*', status: 500, rate: 1 }] });
    const e = await get(LIST);
    expect([e.status, await e.json()]).toEqual([
      500,
      { error_code: 'HSS.0004', error_msg: 'Internal system error' },
    ]);
    expect(sim.stats()).toMatchObject({
      faultsInjected: { error: 2 },
      calls: { ListImageRiskConfigs: { '503': 1 }, ListRegistryImages: { '200': 1, '500': 1 } },
    });
  });

  it('fails one specific page', async () => {
    sim.setFaults({ failPage: { api: 'ListRegistryImages', offset: 10, status: 503 } });
    expect((await get(`${LIST}&offset=0`)).status).toBe(200);
    expect((await get(`${LIST}&offset=10`)).status).toBe(503);
    expect((await get(`${LIST}&offset=10`)).status).toBe(503);
    expect((await get(`${LIST}&offset=20`)).status).toBe(200);
    expect(sim.stats().faultsInjected).toEqual({ failPage: 2 });
  });

  it('answers HTML, truncated JSON, and resets the socket mid-body', async () => {
    sim.setFaults({ htmlRate: 1 });
    const html = await get(RISK);
    expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(await html.text()).toContain('<h1>Bad Gateway</h1>');

    sim.setFaults({});
    const full = await (await get(`${RISK}&limit=50`)).text();
    sim.setFaults({ truncatedJsonRate: 1 });
    const cut = await (await get(`${RISK}&limit=50`)).arrayBuffer();
    expect(cut.byteLength).toBe(Math.floor(Buffer.byteLength(full) / 2));
    expect(Buffer.from(cut).equals(Buffer.from(full).subarray(0, cut.byteLength))).toBe(true);
    expect(() => JSON.parse(Buffer.from(cut).toString())).toThrow(SyntaxError);

    sim.setFaults({ resetRate: 1 });
    const reset = await get(`${RISK}&limit=50`);
    expect(reset.status).toBe(200);
    await expect(reset.text()).rejects.toThrow();
    expect(sim.stats()).toMatchObject({
      faultsInjected: { html: 1, truncated: 1, reset: 1 },
      calls: { ListImageRiskConfigs: { '0': 1, '200': 3 } },
    });
  });

  it('drifts total_num on every other list page but not on ListImageRiskConfigs', async () => {
    const total = sim.world.images({
      projectId: 'proj-demo',
      enterpriseProjectId: '0',
      imageType: 'private_image',
    }).length;
    sim.setFaults({ totalNumDrift: true });
    const totals: number[] = [];
    for (let offset = 0; offset < 40; offset += 10) {
      totals.push(
        ((await (await get(`${LIST}&offset=${offset}`)).json()) as { total_num: number }).total_num,
      );
    }
    expect(totals).toEqual([total + 1, total, total + 1, total]);
    const risk1 = (await (await get(RISK)).json()) as { total_num: number };
    const risk2 = (await (await get(RISK)).json()) as { total_num: number };
    expect(risk1.total_num).toBe(risk2.total_num);
  });

  it('shifts list pages after the first (repeating or skipping rows), a bounded number of times', async () => {
    const ids = async (offset: number) =>
      (
        (await (await get(`${LIST}&offset=${offset}`)).json()) as { data_list: { image_id: string }[] }
      ).data_list.map((r) => r.image_id);
    const clean = [...(await ids(0)), ...(await ids(10)), ...(await ids(20))];
    sim.setFaults({ pageShift: { rows: -1, times: 1 } });
    expect(await ids(0)).toEqual(clean.slice(0, 10));
    expect(await ids(10)).toEqual(clean.slice(9, 19));
    expect(await ids(20)).toEqual(clean.slice(20, 30));
    sim.setFaults({ pageShift: { rows: 2 } });
    expect(await ids(10)).toEqual(clean.slice(12, 22));
    expect(await ids(10)).toEqual(clean.slice(12, 22));
    expect(sim.stats().faultsInjected).toEqual({ pageShift: 3 });
  });

  it('serves short list pages: at most half the rows asked for', async () => {
    sim.setFaults({ shortPages: true });
    const page = (await (await get(`${LIST}&offset=0`)).json()) as {
      total_num: number;
      data_list: unknown[];
    };
    expect(page.data_list).toHaveLength(5);
    const total = sim.world.images({
      projectId: 'proj-demo',
      enterpriseProjectId: '0',
      imageType: 'private_image',
    });
    expect(page.total_num).toBe(total.length);
    expect(sim.stats().faultsInjected).toEqual({ shortPage: 1 });
  });

  it('makes items schema-invalid, seeded', async () => {
    sim.setFaults({ invalidItemRate: 1 });
    const list = (await (await get(LIST)).json()) as { data_list: { latest_scan_time: unknown }[] };
    expect(list.data_list.map((r) => r.latest_scan_time)).toEqual(Array(10).fill('not-a-time'));
    const risk = (await (await get(`${RISK}&limit=10`)).json()) as {
      data_list: { check_rule_num: unknown }[];
    };
    expect(risk.data_list.length).toBeGreaterThan(0);
    expect(new Set(risk.data_list.map((r) => r.check_rule_num))).toEqual(new Set(['many']));
    const draws = async () => {
      sim.setFaults({ seed: 3, invalidItemRate: 0.3 });
      const body = (await (await get(LIST)).json()) as { data_list: { latest_scan_time: unknown }[] };
      return body.data_list.map((r) => r.latest_scan_time === 'not-a-time');
    };
    const first = await draws();
    expect(first.some(Boolean)).toBe(true);
    expect(first.every(Boolean)).toBe(false);
    expect(await draws()).toEqual(first);
  });

  it('sends a slow body over the given time, and pads an oversized answer', async () => {
    sim.setFaults({ slowBodyRate: 1, slowBodyMs: 200 });
    const started = performance.now();
    const slow = await get(`${RISK}&limit=10`);
    const text = await slow.text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(() => JSON.parse(text)).not.toThrow();
    sim.setFaults({ oversizedRate: 1, oversizedBytes: 100_000 });
    const big = await get(`${RISK}&limit=10`);
    expect(big.headers.get('content-length')).toBe('100000');
    expect(JSON.parse(await big.text())).toMatchObject({ total_num: expect.any(Number) });
    expect(sim.stats().faultsInjected).toEqual({ slowBody: 1, oversized: 1 });
  });

  it('expires IAM-issued tokens after N calls (tokenExpiry) or on demand; static tokens stay valid', async () => {
    const login = async () => {
      const r = await fetch(`${base}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ['password'],
              password: {
                user: { name: 'sim-user', password: 'sim-password', domain: { name: 'sim-domain' } },
              },
            },
            scope: { project: { id: 'proj-demo' } },
          },
        }),
      });
      expect(r.status).toBe(201);
      return r.headers.get('x-subject-token') as string;
    };
    const call = async (token: string) => {
      const r = await fetch(`${base}/v5/proj-demo/${RISK}`, { headers: { 'X-Auth-Token': token } });
      return [r.status, ((await r.json()) as { error_code?: string }).error_code ?? null];
    };
    const token = await login();
    sim.setFaults({ tokenExpiry: { afterCalls: 2 } });
    expect(await call(token)).toEqual([200, null]);
    expect(await call(token)).toEqual([401, 'APIGW.0307']);
    expect(await call('sim-token')).toEqual([200, null]);
    const fresh = await login();
    expect(await call(fresh)).toEqual([200, null]);
    expect(sim.stats().faultsInjected).toEqual({ tokenExpiry: 1 });
    expect(sim.expireTokens()).toBe(1);
    expect(await call(fresh)).toEqual([401, 'APIGW.0307']);
    const viaControl = await login();
    const r = await fetch(`${base}/_sim/expire-tokens`, { method: 'POST' });
    expect(await r.json()).toEqual({ expired: 1 });
    expect(await call(viaControl)).toEqual([401, 'APIGW.0307']);
  });

  it('adds latency before answering', async () => {
    sim.setFaults({ latencyMs: 40 });
    const started = performance.now();
    expect((await get(RISK)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });
});
