import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { iamTime } from './iam.js';
import { createSimulator, type Simulator } from './server.js';
import { canonicalRequest, hmacHex, sha256Hex, stringToSign } from './verify-signature.js';

const P = 'proj-auth';
const LIFETIME = 3_600_000;
const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
let sim: Simulator;
let port: number;

beforeAll(async () => {
  sim = createSimulator({
    seed: 2,
    imagesPerScope: 5,
    imageTypes: ['private_image', 'cicd'],
    projects: [{ projectId: P, enterpriseProjects: ['0'] }],
    clock,
    tokenLifetimeMs: LIFETIME,
    auth: {
      tokens: ['static-a'],
      accessKeys: [
        { ak: 'AKPLAIN', sk: 'sk-plain' },
        { ak: 'AKTEMP', sk: 'sk-temp', securityToken: 'sts-123' },
      ],
      users: [{ domain: 'dom', user: 'alice', password: 'pw-alice' }],
      agencies: [{ domain: 'other-dom', name: 'hss-reader' }],
    },
  });
  port = (await sim.listen()).port;
});
afterAll(() => sim.close());

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

/** A request with exactly this wire path and these headers (node:http, no URL normalisation). */
function raw(method: string, path: string, headers: Record<string, string>, body = ''): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sdkDate = (t: number) =>
  new Date(t)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** Signs like the SDKs: host, x-sdk-date, x-project-id (+ extra headers), all signed. */
function signed(
  path: string,
  ak: string,
  sk: string,
  opts: { date?: number; extra?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    'x-sdk-date': sdkDate(opts.date ?? clock.now()),
    'x-project-id': P,
    ...opts.extra,
  };
  const names = Object.keys(headers).sort();
  const q = path.indexOf('?');
  const canonical = canonicalRequest({
    method: 'GET',
    rawPath: q < 0 ? path : path.slice(0, q),
    rawQuery: q < 0 ? '' : path.slice(q + 1),
    headers,
    signedHeaders: names,
    bodyHash: sha256Hex(''),
  });
  const signature = hmacHex(sk, stringToSign(headers['x-sdk-date']!, canonical));
  return {
    ...headers,
    authorization: `SDK-HMAC-SHA256 Access=${ak}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

const RISK = `/v5/${P}/image/baseline/risk-configs?image_type=private_image&limit=200`;

const login = (user: string, password: string) =>
  raw(
    'POST',
    '/v3/auth/tokens',
    { 'content-type': 'application/json' },
    JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: user, password, domain: { name: 'dom' } } },
        },
        scope: { project: { id: P } },
      },
    }),
  );

const assume = (token: string | null, domain: string, agency: string) =>
  raw(
    'POST',
    '/v3/auth/tokens',
    { 'content-type': 'application/json', ...(token ? { 'x-auth-token': token } : {}) },
    JSON.stringify({
      auth: {
        identity: { methods: ['assume_role'], assume_role: { domain_name: domain, agency_name: agency } },
        scope: { project: { id: P } },
      },
    }),
  );

function gatewayBody(a: Raw, code: string, msg: string) {
  return { error_code: code, error_msg: msg, request_id: a.headers['x-request-id'] };
}

describe('X-Auth-Token', () => {
  it('accepts a static token and rejects unknown or missing ones with APIGW.0301', async () => {
    sim.resetStats();
    expect((await raw('GET', RISK, { 'x-auth-token': 'static-a' })).status).toBe(200);
    const unknown = await raw('GET', RISK, { 'x-auth-token': 'sim-token' });
    expect([unknown.status, unknown.json]).toEqual([
      401,
      gatewayBody(unknown, 'APIGW.0301', 'Incorrect IAM authentication information: decrypt token fail'),
    ]);
    const none = await raw('GET', RISK, {});
    expect([none.status, none.json]).toEqual([
      401,
      gatewayBody(none, 'APIGW.0301', 'Incorrect IAM authentication information: x-auth-token not found'),
    ]);
    expect(sim.stats()).toMatchObject({
      rejectedTokens: 2,
      rejectedSignatures: 0,
      calls: { ListImageRiskConfigs: { '200': 1, '401': 2 } },
    });
  });
});

describe('IAM POST /v3/auth/tokens', () => {
  it('issues a password token that works until its lifetime ends, then answers APIGW.0307', async () => {
    sim.resetStats();
    const issuedAt = clock.now();
    const a = await login('alice', 'pw-alice');
    expect(a.status).toBe(201);
    const token = a.headers['x-subject-token'] as string;
    expect(token).toMatch(/^MIIsim[\w-]{128}$/);
    expect(a.json).toEqual({
      token: {
        expires_at: iamTime(issuedAt + LIFETIME),
        issued_at: iamTime(issuedAt),
        methods: ['password'],
        project: { id: P, name: P },
        user: expect.objectContaining({ name: 'alice', domain: expect.objectContaining({ name: 'dom' }) }),
        catalog: [],
        roles: [{ id: '0', name: 'te_admin' }],
      },
    });
    expect((a.json.token as { expires_at: string }).expires_at).toBe('2026-01-01T13:00:00.000000Z');
    expect(a.text).not.toContain(token);

    expect((await raw('GET', RISK, { 'x-auth-token': token })).status).toBe(200);
    await clock.advance(LIFETIME - 1);
    expect((await raw('GET', RISK, { 'x-auth-token': token })).status).toBe(200);
    await clock.advance(1);
    const expired = await raw('GET', RISK, { 'x-auth-token': token });
    expect([expired.status, expired.json]).toEqual([
      401,
      gatewayBody(expired, 'APIGW.0307', 'The token expires.'),
    ]);
    expect(sim.stats()).toMatchObject({ tokensIssued: 1, calls: { KeystoneCreateToken: { '201': 1 } } });
  });

  it('answers a wrong password or unknown user with IAM 401', async () => {
    const body = {
      error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' },
    };
    for (const [user, pw] of [
      ['alice', 'wrong'],
      ['alice', ''],
      ['bob', 'pw-alice'],
    ] as const) {
      const a = await login(user, pw);
      expect([a.status, a.json, a.headers['x-subject-token']]).toEqual([401, body, undefined]);
    }
    const junk = await raw('POST', '/v3/auth/tokens', {}, '{not json');
    expect([junk.status, junk.json]).toEqual([
      400,
      { error: { code: 400, message: 'The request body is invalid.', title: 'Bad Request' } },
    ]);
  });

  it('assume_role needs a valid user token and a configured agency', async () => {
    const user = (await login('alice', 'pw-alice')).headers['x-subject-token'] as string;
    const a = await assume(user, 'other-dom', 'hss-reader');
    expect(a.status).toBe(201);
    expect(a.json.token).toMatchObject({ methods: ['assume_role'], user: { name: 'other-dom/hss-reader' } });
    const agencyToken = a.headers['x-subject-token'] as string;
    expect(agencyToken).not.toBe(user);
    expect((await raw('GET', RISK, { 'x-auth-token': agencyToken })).status).toBe(200);

    expect((await assume(user, 'other-dom', 'not-configured')).status).toBe(403);
    expect((await assume(user, 'dom', 'hss-reader')).status).toBe(403);
    expect((await assume(agencyToken, 'other-dom', 'hss-reader')).status).toBe(403);
    const noToken = await assume(null, 'other-dom', 'hss-reader');
    expect([noToken.status, noToken.json]).toEqual([
      401,
      {
        error: {
          code: 401,
          message: 'The request you have made requires authentication.',
          title: 'Unauthorized',
        },
      },
    ]);
  });
});

describe('AK/SK signatures', () => {
  it('accepts a correctly signed request, with encoded and unsorted query and no trailing slash', async () => {
    const path = `/v5/${P}/image/baseline/risk-configs?limit=200&image_name=euleros%2Ftest&image_type=private_image`;
    const signedAnswer = await raw('GET', path, signed(path, 'AKPLAIN', 'sk-plain'));
    const tokenAnswer = await raw('GET', path, { 'x-auth-token': 'static-a' });
    expect(signedAnswer.status).toBe(200);
    expect(signedAnswer.json).toEqual(tokenAnswer.json);
  });

  it('rejects a bad signature, an unknown AK and a skewed date with APIGW.0301, counting them', async () => {
    sim.resetStats();
    const prefix = 'Incorrect IAM authentication information: ';
    const wrongSk = await raw('GET', RISK, signed(RISK, 'AKPLAIN', 'not-the-sk'));
    expect([wrongSk.status, wrongSk.json]).toEqual([
      401,
      gatewayBody(wrongSk, 'APIGW.0301', `${prefix}verify aksk signature fail`),
    ]);
    // Signed for one query, sent with another.
    const tampered = await raw('GET', `${RISK}&severity=High`, signed(RISK, 'AKPLAIN', 'sk-plain'));
    expect(tampered.json.error_msg).toBe(`${prefix}verify aksk signature fail`);
    const unknown = await raw('GET', RISK, signed(RISK, 'AKNOPE', 'sk-plain'));
    expect(unknown.json.error_msg).toBe(`${prefix}the access key does not exist`);
    const skewed = await raw(
      'GET',
      RISK,
      signed(RISK, 'AKPLAIN', 'sk-plain', { date: clock.now() - 16 * 60_000 }),
    );
    expect([skewed.status, skewed.json.error_code, skewed.json.error_msg]).toEqual([
      401,
      'APIGW.0301',
      `${prefix}the request time is skewed more than 15 minutes from the server time`,
    ]);
    expect(
      (await raw('GET', RISK, signed(RISK, 'AKPLAIN', 'sk-plain', { date: clock.now() - 14 * 60_000 })))
        .status,
    ).toBe(200);
    expect(sim.stats()).toMatchObject({ rejectedSignatures: 4, rejectedTokens: 0 });
  });

  it('requires the security token of temporary credentials', async () => {
    const without = await raw('GET', RISK, signed(RISK, 'AKTEMP', 'sk-temp'));
    expect(without.json.error_msg).toBe(
      'Incorrect IAM authentication information: the security token does not match',
    );
    const good = signed(RISK, 'AKTEMP', 'sk-temp', { extra: { 'x-security-token': 'sts-123' } });
    expect((await raw('GET', RISK, good)).status).toBe(200);
  });
});

describe('routing', () => {
  it('answers unknown paths and methods with APIGW.0101, with a request id', async () => {
    for (const [method, path] of [
      ['GET', '/v5/x/nothing'],
      ['GET', `/v5/${P}/image/baseline/risk-configs/`],
      ['POST', `/v5/${P}/image/cicd/images`],
      ['GET', '/v3/auth/tokens'],
      ['GET', '/'],
    ] as const) {
      const a = await raw(method, path, { 'x-auth-token': 'static-a' });
      expect([a.status, a.json]).toEqual([
        404,
        gatewayBody(a, 'APIGW.0101', 'The API does not exist or has not been published in the environment'),
      ]);
      expect(a.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});
