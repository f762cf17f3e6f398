import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { createSimulator, type Simulator } from './server.js';
import type { SimScope } from './types.js';

const clock = new FakeClock(Date.UTC(2026, 2, 1));
let sim: Simulator;
let base: string;
const S: SimScope = { projectId: 'proj-demo', enterpriseProjectId: '0', imageType: 'shared_image' };
const wireScope = { project_id: 'proj-demo', enterprise_project_id: '0', image_type: 'shared_image' };

beforeAll(async () => {
  sim = createSimulator({ seed: 21, imagesPerScope: 12, imageTypes: ['shared_image', 'local'], clock });
  base = (await sim.listen()).url;
});
afterAll(() => sim.close());

async function control(method: 'GET' | 'POST', path: string, body?: unknown) {
  const r = await fetch(`${base}/_sim/${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return {
    status: r.status,
    requestId: r.headers.get('x-request-id'),
    json: (await r.json()) as Record<string, unknown>,
  };
}

const risk = async (imageId: string) =>
  (await (
    await fetch(
      `${base}/v5/proj-demo/image/baseline/risk-configs?image_type=shared_image&image_id=${imageId}`,
      {
        headers: { 'X-Auth-Token': 'sim-token' },
      },
    )
  ).json()) as { total_num: number; data_list: unknown[] };

describe('/_sim/ control surface', () => {
  it('lists scopes and serves the truth as JSON, without auth', async () => {
    const scopes = await control('GET', 'scopes');
    expect(scopes.status).toBe(200);
    expect(scopes.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(scopes.json).toEqual({
      scopes: [wireScope, { ...wireScope, image_type: 'local' }],
    });
    const truth = await control('GET', 'truth?project_id=proj-demo&image_type=shared_image');
    const expected = [...sim.world.groundTruth(S)].map(([image_id, results]) => ({ image_id, results }));
    expect(truth.json).toEqual({ total_num: expected.length, images: expected });
    const local = await control('GET', 'truth?project_id=proj-demo&image_type=local');
    expect(local.json.total_num).toBe(sim.world.groundTruth({ ...S, imageType: 'local' }).size);
    const images = await control('GET', 'images?project_id=proj-demo&image_type=shared_image');
    expect(images.json).toEqual({ total_num: sim.world.images(S).length, data_list: sim.world.images(S) });
  });

  it('rescans by id and by count, and the API answers change', async () => {
    const [id] = [...sim.world.groundTruth(S).keys()];
    const before = await risk(id!);
    await clock.advance(60_000);
    const r = await control('POST', 'rescan', { ...wireScope, image_ids: [id] });
    expect(r.json).toEqual({ image_ids: [id] });
    expect(await risk(id!)).not.toEqual(before);
    expect(sim.world.images(S).find((x) => x.image_id === id)!.latest_scan_time).toBe(clock.now());
    const n = await control('POST', 'rescan', { ...wireScope, count: 3 });
    expect((n.json.image_ids as string[]).length).toBe(3);
  });

  it('adds, removes and changes the scan state of images', async () => {
    const added = await control('POST', 'add', { ...wireScope, image: { image_name: 'from-control' } });
    const id = added.json.image_id as string;
    expect(sim.world.images(S).at(-1)).toMatchObject({ image_id: id, image_name: 'from-control' });
    expect((await risk(id)).total_num).toBeGreaterThan(0);
    expect(
      (await control('POST', 'scan-status', { ...wireScope, image_id: id, status: 'unscan' })).status,
    ).toBe(200);
    expect((await risk(id)).total_num).toBe(0);
    expect((await control('POST', 'remove', { ...wireScope, image_id: id })).json).toEqual({ removed: 1 });
    expect(sim.world.images(S).some((x) => x.image_id === id)).toBe(false);
  });

  it('reads and resets stats, sets faults and the rate limit', async () => {
    await control('POST', 'stats/reset');
    await risk('x');
    expect((await control('GET', 'stats')).json).toMatchObject({
      calls: { ListImageRiskConfigs: { '200': 1 } },
      riskConfigCallsByImageId: { x: 1 },
    });
    await control('POST', 'faults', { errorRates: [{ api: '*', status: 503, rate: 1 }] });
    expect((await risk('x')).total_num).toBeUndefined();
    await control('POST', 'faults', {});
    expect((await risk('x')).total_num).toBe(0);
    await control('POST', 'rate-limit', { per_minute: 1, retry_after: true });
    await risk('x');
    expect(await risk('x')).toMatchObject({ error_code: 'APIGW.0308' });
    await control('POST', 'rate-limit', { per_minute: null });
    expect((await risk('x')).total_num).toBe(0);
  });

  it('rejects bad requests with SIM error codes', async () => {
    expect(await control('POST', 'rescan', '{nope')).toMatchObject({
      status: 400,
      json: { error_code: 'SIM.0001', error_msg: 'the body is not JSON' },
    });
    expect((await control('POST', 'rescan', { ...wireScope, image_type: 'bogus' })).json.error_code).toBe(
      'SIM.0001',
    );
    expect((await control('POST', 'rescan', { ...wireScope, count: -1 })).json.error_msg).toBe(
      'count must be a non-negative integer',
    );
    expect(await control('POST', 'rescan', { ...wireScope, image_type: 'cicd' })).toMatchObject({
      status: 404,
      json: { error_code: 'SIM.0002', error_msg: 'no such simulator scope proj-demo/0/cicd' },
    });
    expect((await control('POST', 'remove', { ...wireScope })).status).toBe(400);
    expect((await control('GET', 'nothing')).json).toEqual({
      error_code: 'SIM.0404',
      error_msg: 'no control route GET /_sim/nothing',
    });
  });
});
