/**
 * AK/SK signing against the simulator: repeated query keys ordered by their raw value
 * as the official signers order them, and `simulate` accepting its documented test key pair.
 * Requests are signed here by a small implementation of SDK-HMAC-SHA256 of this file's own,
 * independent of the client's signer and of the simulator's verifier.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/commands/simulate.js';
import { SIM_TEST_ACCESS_KEY, SIM_TEST_SECRET_KEY } from '../../src/simulator/index.js';
import { simulatorForFile } from '../../src/simulator/sim.test-helper.js';
import { captureIo } from '../helpers/capture-io.js';
import { when } from '../helpers/wait.js';

const AK = 'TESTAKREPEATEDKEYS00';
const SK = 'test-secret-for-repeated-keys';
const P = 'proj-s';
const f = simulatorForFile({
  seed: 1,
  imagesPerScope: 10,
  imageTypes: ['cicd'],
  projects: [{ projectId: P, enterpriseProjects: ['0'] }],
  auth: { tokens: ['sim-token'], accessKeys: [{ ak: AK, sk: SK }] },
});

/** RFC 3986: unreserved kept, every other UTF-8 byte %XY (upper case). */
const enc = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

const sdkDate = (d = new Date()) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');

/**
 * Signs GET `path` with `pairs` as the query, canonical pairs in `order` ('raw': by name, then by
 * raw value, as the official signers sort; 'encoded': by the encoded value). Returns the URL
 * (the wire query in the same encoding) and the headers.
 */
function signed(
  base: string,
  path: string,
  pairs: [string, string][],
  ak: string,
  sk: string,
  order: 'raw' | 'encoded',
) {
  const sorted = [...pairs].sort(([an, av], [bn, bv]) => {
    if (an !== bn) return an < bn ? -1 : 1;
    const [x, y] = order === 'raw' ? [av, bv] : [enc(av), enc(bv)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const query = sorted.map(([n, v]) => `${enc(n)}=${enc(v)}`).join('&');
  const host = new URL(base).host;
  const date = sdkDate();
  const canonical = [
    'GET',
    `${path
      .split('/')
      .map((s) => enc(decodeURIComponent(s)))
      .join('/')}/`,
    query,
    `host:${host}\nx-sdk-date:${date}\n`,
    'host;x-sdk-date',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${date}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', sk).update(toSign).digest('hex');
  return {
    url: `${base}${path}?${query}`,
    headers: {
      'X-Sdk-Date': date,
      Authorization: `SDK-HMAC-SHA256 Access=${ak}, SignedHeaders=host;x-sdk-date, Signature=${signature}`,
    },
  };
}

async function call(r: { url: string; headers: Record<string, string> }) {
  const res = await fetch(r.url, { headers: r.headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('repeated query keys', () => {
  const pairs: [string, string][] = [
    ['tag', 'é'],
    ['limit', '10'],
    ['tag', 'zeta'],
  ];

  it('tag=zeta&tag=é signed in raw-value order is accepted', async () => {
    const r = signed(f.base, `/v5/${P}/image/cicd/images`, pairs, AK, SK, 'raw');
    expect(r.url).toContain('?limit=10&tag=zeta&tag=%C3%A9');
    const a = await call(r);
    expect(a.status).toBe(200);
    expect(a.json.total_num).toBe(
      f.sim.world.images({ projectId: P, enterpriseProjectId: '0', imageType: 'cicd' }).length,
    );
  });

  it('the same request signed in encoded-value order is refused 401 APIGW.0301', async () => {
    const r = signed(f.base, `/v5/${P}/image/cicd/images`, pairs, AK, SK, 'encoded');
    expect(r.url).toContain('?limit=10&tag=%C3%A9&tag=zeta');
    const a = await call(r);
    expect(a.status).toBe(401);
    expect(a.json).toEqual({
      error_code: 'APIGW.0301',
      error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });
});

describe('simulate with the documented test key pair', () => {
  it('prints how to use it, answers a correctly signed call and refuses a wrong signature; tokens still work', async () => {
    const c = captureIo({});
    const exit = run(c.io, ['--port', '0', '--images', '5', '--project', 'proj-cli']);
    await when('the control line', c.onOutput, () => c.out().includes('control:'), 5_000);
    const url = /listening on (http:\/\/[^\s]+)/.exec(c.out())?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The try lines set the sync's pace to the simulator's (no limit: the sync's largest).
    const target = `HSS_ENDPOINT=${url} HSS_REGION=cn-north-4 HSS_PROJECT_ID=proj-cli HSS_RATE_LIMIT_PER_MINUTE=100000`;
    expect(c.out()).toBe(
      `HSS simulator listening on ${url}\n` +
        `  project proj-cli, enterprise projects 0, rate limit off, ListImageRiskConfigs for cicd: empty (official)\n` +
        `  pace: the try lines set HSS_RATE_LIMIT_PER_MINUTE=100000 as this simulator has no rate limit (--rate-limit 0); without it the sync keeps HSS's 5 calls/min per API (--rate-limit 5 plays HSS)\n` +
        `  try (token): ${target} HSS_AUTH_TOKEN=sim-token hss-baseline-sync sync\n` +
        `  try (AK/SK, a public test key pair only this simulator accepts): ${target} HSS_ACCESS_KEY=HSSSIMTESTAK00000000 HSS_SECRET_KEY=HSSSIMTESTSK-public-test-key-not-a-secret hss-baseline-sync sync\n` +
        `  control: ${url}/_sim/scopes, POST ${url}/_sim/rescan\n`,
    );
    try {
      const path = '/v5/proj-cli/image/registries/images';
      const ok = await call(
        signed(
          url!,
          path,
          [['image_type', 'private_image']],
          SIM_TEST_ACCESS_KEY,
          SIM_TEST_SECRET_KEY,
          'raw',
        ),
      );
      const world = (await fetch(`${url}/_sim/images?project_id=proj-cli&image_type=private_image`).then(
        (r) => r.json(),
      )) as { total_num: number };
      expect(world.total_num).toBeGreaterThanOrEqual(5);
      expect([ok.status, ok.json.total_num]).toEqual([200, world.total_num]);
      const wrong = await call(
        signed(url!, path, [['image_type', 'private_image']], SIM_TEST_ACCESS_KEY, 'not-the-sk', 'raw'),
      );
      expect([wrong.status, wrong.json.error_code, wrong.json.error_msg]).toEqual([
        401,
        'APIGW.0301',
        'Incorrect IAM authentication information: verify aksk signature fail',
      ]);
      const token = await fetch(`${url}${path}?image_type=private_image`, {
        headers: { 'X-Auth-Token': 'sim-token' },
      });
      expect(token.status).toBe(200);
    } finally {
      c.signals.emit('SIGTERM');
    }
    expect(await exit).toBe(0);
  });

  it('refuses an unknown --cicd-risk-configs mode, and plays the seed with seed', async () => {
    const bad = captureIo({});
    await expect(run(bad.io, ['--port', '0', '--cicd-risk-configs', 'maybe'])).rejects.toThrow(
      '--cicd-risk-configs',
    );
    const c = captureIo({});
    const exit = run(c.io, ['--port', '0', '--images', '3', '--cicd-risk-configs', 'seed']);
    await when('the control line', c.onOutput, () => c.out().includes('control:'), 5_000);
    expect(c.out()).toContain("ListImageRiskConfigs for cicd: the seed's summaries\n");
    const url = /listening on (http:\/\/[^\s]+)/.exec(c.out())![1]!;
    const ids = (await fetch(`${url}/v5/proj-demo/image/cicd/images`, {
      headers: { 'X-Auth-Token': 'sim-token' },
    }).then((r) => r.json())) as { data_list: { image_id: string; scan_status: string }[] };
    const scanned = ids.data_list.find((r) => r.scan_status === 'success')!;
    const risk = (await fetch(
      `${url}/v5/proj-demo/image/baseline/risk-configs?image_type=cicd&image_id=${scanned.image_id}`,
      {
        headers: { 'X-Auth-Token': 'sim-token' },
      },
    ).then((r) => r.json())) as { total_num: number };
    expect(risk.total_num).toBeGreaterThan(0);
    c.signals.emit('SIGTERM');
    expect(await exit).toBe(0);
  });
});
