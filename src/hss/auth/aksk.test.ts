import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../clock.js';
import type { TargetConfig } from '../../config/types.js';
import { HssAuthError } from '../../errors.js';
import { Secret } from '../../secret.js';
import { MockHss, mockClient, okPage, TEST_SCOPE, targetWith } from '../mock-hss.test-helper.js';
import { describeClockSkew } from './aksk.js';
import { signRequest } from './signer.js';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'CANARY-SECRET-KEY-0a9b8c7d6e5f';
const STS = 'CANARY-SECURITY-TOKEN-1f2e3d';
const scope = TEST_SCOPE;

function target(securityToken: string | null): TargetConfig {
  return targetWith({
    method: 'aksk',
    accessKey: AK,
    secretKey: new Secret(SK),
    securityToken: securityToken ? new Secret(securityToken) : null,
  });
}

let mock = new MockHss();
afterEach(async () => {
  await mock.close();
});

function setup(securityToken: string | null = null) {
  mock = new MockHss();
  return mockClient(mock, { target: target(securityToken), clock: new FakeClock(T0), ratePerMinute: 100 });
}

describe('AK/SK provider', () => {
  it('signs host, x-project-id and x-sdk-date over exactly the path and query it sends', async () => {
    const { client, auth } = setup();
    mock.reply(okPage([]));
    await client.listRiskConfigs(scope, 'sha256:a b');
    const req = mock.requests[0]!;
    expect(auth.kind).toBe('aksk');
    expect(auth.credentialId).toBe(AK);
    expect(req.path).toBe(
      '/v5/proj1/image/baseline/risk-configs?enterprise_project_id=0&image_id=sha256%3Aa%20b&image_type=private_image&limit=200&offset=0',
    );
    expect(req.headers['X-Sdk-Date']).toBe('20260101T000000Z');
    expect(req.headers['X-Project-Id']).toBe('proj1');
    expect(req.headers['X-Security-Token']).toBeUndefined();
    const expected = signRequest({
      method: 'GET',
      pathAndQuery: req.path,
      headers: {
        host: 'hss.cn-north-4.myhuaweicloud.com',
        'x-sdk-date': '20260101T000000Z',
        'x-project-id': 'proj1',
      },
      body: '',
      accessKey: AK,
      secretKey: SK,
    });
    expect(req.headers.Authorization).toBe(expected.authorization);
    expect(req.headers.Authorization).toMatch(
      new RegExp(
        `^SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$`,
      ),
    );
  });

  it('sends and signs X-Security-Token for temporary credentials', async () => {
    const { client } = setup(STS);
    mock.reply(okPage([]));
    await client.listImagesPage(scope, 0, 200);
    const req = mock.requests[0]!;
    expect(req.headers['X-Security-Token']).toBe(STS);
    expect(req.headers.Authorization).toContain(
      'SignedHeaders=host;x-project-id;x-sdk-date;x-security-token,',
    );
  });

  it('never retries APIGW.0301: exactly one request, explained, secret-free', async () => {
    const { client } = setup(STS);
    mock.reply({
      status: 401,
      headers: { 'x-request-id': 'r-0301', date: 'Thu, 01 Jan 2026 00:00:30 GMT' },
      json: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information' },
    });
    const err = (await client.listRiskConfigs(scope, 'img').catch((e: unknown) => e)) as HssAuthError;
    expect(err).toBeInstanceOf(HssAuthError);
    expect(mock.requests).toHaveLength(1);
    expect(err.message).toBe(
      'ListImageRiskConfigs GET /v5/proj1/image/baseline/risk-configs HTTP 401 APIGW.0301 ' +
        '"Incorrect IAM authentication information" request_id=r-0301: the AK/SK signature was rejected ' +
        '(APIGW.0301); not retried, because repeated bad signatures lock the key pair for 5 minutes. ' +
        'Check HSS_ACCESS_KEY and HSS_SECRET_KEY',
    );
    const signature = mock.requests[0]?.headers.Authorization?.split('Signature=')[1] ?? 'missing';
    for (const text of [String(err), err.stack ?? '', JSON.stringify(err)]) {
      for (const secret of [SK, STS, signature]) expect(text).not.toContain(secret);
    }
  });

  it('says how far the local clock is off when the server Date is more than 5 minutes away', async () => {
    const { client } = setup();
    mock.reply({
      status: 401,
      headers: { date: 'Thu, 01 Jan 2026 00:20:00 GMT' },
      json: { error_code: 'APIGW.0301', error_msg: 'Signature expired' },
    });
    const err = (await client.listRiskConfigs(scope, 'img').catch((e: unknown) => e)) as HssAuthError;
    expect(err.message).toMatch(
      /; local clock is 1200 s behind the server \(the gateway rejects X-Sdk-Date more than 15 minutes off: sync the clock\)$/,
    );
    expect(mock.requests).toHaveLength(1);
  });

  it('describeClockSkew: ahead, behind, within 5 minutes, unparsable', () => {
    expect(describeClockSkew('Thu, 01 Jan 2026 00:00:00 GMT', T0 + 400_000)).toBe(
      'local clock is 400 s ahead of the server',
    );
    expect(describeClockSkew('Thu, 01 Jan 2026 00:06:00 GMT', T0)).toBe(
      'local clock is 360 s behind the server',
    );
    expect(describeClockSkew('Thu, 01 Jan 2026 00:05:00 GMT', T0)).toBeNull();
    expect(describeClockSkew('yesterday', T0)).toBeNull();
    expect(describeClockSkew(null, T0)).toBeNull();
  });
});
