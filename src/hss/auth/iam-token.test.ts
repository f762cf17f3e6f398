import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../clock.js';
import type { TargetConfig } from '../../config/types.js';
import { AbortedError, HssAuthError, IamTokenError } from '../../errors.js';
import { Secret } from '../../secret.js';
import {
  drive,
  HSS_ORIGIN,
  IAM_ORIGIN,
  MockHss,
  mockClient,
  okPage,
  type Reply,
  TEST_LIMITS,
  TEST_SCOPE,
  targetWith,
} from '../mock-hss.test-helper.js';
import type { CallEvent } from '../types.js';
import { IamTokenManager, renewMarginMs } from './iam-token.js';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const HOUR = 3_600_000;
const PASSWORD = 'CANARY-PASSWORD-9f8e7d6c';
const TOKEN1 = 'CANARY-TOKEN-ONE-1a2b3c';
const TOKEN2 = 'CANARY-TOKEN-TWO-4d5e6f';
const scope = TEST_SCOPE;
const OK_PAGE: Reply = okPage([]);
const REJECTED_0307: Reply = {
  status: 401,
  headers: { 'x-request-id': 'r-0307' },
  json: { error_code: 'APIGW.0307', error_msg: 'The token must be updated.' },
};

/** An IAM 201 answer with the token in X-Subject-Token, valid `lifetimeMs` from `issuedAt`. */
function iamToken(token: string, issuedAt: number, lifetimeMs = 24 * HOUR): Reply {
  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');
  return {
    status: 201,
    headers: { 'x-subject-token': token },
    json: {
      token: { issued_at: iso(issuedAt), expires_at: iso(issuedAt + lifetimeMs), methods: ['password'] },
    },
  };
}

function target(agency: { domain: string; name: string } | null = null): TargetConfig {
  return targetWith({
    method: 'password',
    domain: 'acme',
    user: 'alice',
    password: new Secret(PASSWORD),
    agency,
  });
}

let mock = new MockHss();
afterEach(async () => {
  await mock.close();
});

function setup(agency: { domain: string; name: string } | null = null) {
  mock = new MockHss();
  return mockClient(mock, { target: target(agency), clock: new FakeClock(T0) });
}

function manager(clock: FakeClock) {
  return new IamTokenManager({
    iamEndpoint: IAM_ORIGIN,
    projectId: 'proj1',
    domain: 'acme',
    user: 'alice',
    password: new Secret(PASSWORD),
    agency: null,
    dispatcher: mock.agent,
    clock,
    limits: TEST_LIMITS,
    random: () => 0.5,
  });
}

/** The error must not reveal the password or any token, however it is printed. */
function expectSecretFree(err: unknown): void {
  const e = err as Error;
  for (const text of [String(e), e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10 })]) {
    for (const secret of [PASSWORD, TOKEN1, TOKEN2]) expect(text).not.toContain(secret);
  }
}

const hssTokens = () =>
  mock.requests.filter((r) => r.origin === HSS_ORIGIN).map((r) => r.headers['X-Auth-Token']);
const iamRequests = () => mock.requests.filter((r) => r.origin === IAM_ORIGIN);

describe('renewMarginMs', () => {
  it('is min(5 min, 10% of the lifetime)', () => {
    expect(renewMarginMs(24 * HOUR)).toBe(300_000);
    expect(renewMarginMs(10 * 60_000)).toBe(60_000);
    expect(renewMarginMs(0)).toBe(0);
  });
});

describe('IAM token provider', () => {
  it('logs in with the password scoped to the project, then caches the token', async () => {
    const { client, auth } = setup();
    mock.reply(iamToken(TOKEN1, T0), 1, IAM_ORIGIN).reply(OK_PAGE, 2);
    await client.listImagesPage(scope, 0, 200);
    await client.listRiskConfigs(scope, 'img');
    expect(auth.kind).toBe('password');
    expect(auth.credentialId).toBe('acme/alice');
    expect(hssTokens()).toEqual([TOKEN1, TOKEN1]);
    const [login] = iamRequests();
    expect(iamRequests()).toHaveLength(1);
    expect(login?.method).toBe('POST');
    expect(login?.path).toBe('/v3/auth/tokens?nocatalog=true');
    expect(JSON.parse(login?.body ?? '')).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'alice', password: PASSWORD, domain: { name: 'acme' } } },
        },
        scope: { project: { id: 'proj1' } },
      },
    });
  });

  it('renews a 24 h token 5 minutes before expiry, not earlier', async () => {
    mock = new MockHss();
    const clock = new FakeClock(T0);
    const m = manager(clock);
    mock
      .reply(iamToken(TOKEN1, T0), 1, IAM_ORIGIN)
      .reply(iamToken(TOKEN2, T0 + 24 * HOUR - 300_000), 1, IAM_ORIGIN);
    expect(await m.getToken()).toBe(TOKEN1);
    clock.set(T0 + 24 * HOUR - 300_001);
    expect(await m.getToken()).toBe(TOKEN1);
    expect(m.iamCalls).toBe(1);
    clock.set(T0 + 24 * HOUR - 300_000);
    expect(await m.getToken()).toBe(TOKEN2);
    expect(m.iamCalls).toBe(2);
  });

  it('renews a 10-minute token at 9 minutes, measured on the local clock even when IAM’s clock differs', async () => {
    mock = new MockHss();
    const clock = new FakeClock(T0);
    const m = manager(clock);
    // IAM's clock is an hour ahead: only the lifetime (expires_at - issued_at) counts.
    mock
      .reply(iamToken(TOKEN1, T0 + HOUR, 10 * 60_000), 1, IAM_ORIGIN)
      .reply(iamToken(TOKEN2, T0), 1, IAM_ORIGIN);
    expect(await m.getToken()).toBe(TOKEN1);
    clock.set(T0 + 9 * 60_000 - 1);
    expect(await m.getToken()).toBe(TOKEN1);
    clock.set(T0 + 9 * 60_000);
    expect(await m.getToken()).toBe(TOKEN2);
  });

  it('makes ONE IAM call for 20 concurrent requests that need a token', async () => {
    const { client } = setup();
    mock.reply(iamToken(TOKEN1, T0), 1, IAM_ORIGIN).reply(OK_PAGE, 20);
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.listRiskConfigs(scope, `img-${i}`)));
    expect(iamRequests()).toHaveLength(1);
    expect(hssTokens()).toEqual(Array.from({ length: 20 }, () => TOKEN1));
  });

  it('on APIGW.0307 renews once and retries the request once', async () => {
    const { client } = setup();
    const events: CallEvent[] = [];
    mock
      .reply(iamToken(TOKEN1, T0), 1, IAM_ORIGIN)
      .reply(iamToken(TOKEN2, T0), 1, IAM_ORIGIN)
      .reply(REJECTED_0307)
      .reply(OK_PAGE);
    await client.listRiskConfigs(scope, 'img', { onCall: (e) => events.push(e) });
    expect(hssTokens()).toEqual([TOKEN1, TOKEN2]);
    expect(iamRequests()).toHaveLength(2);
    expect(events.map((e) => [e.status, e.errorCode, e.willRetry])).toEqual([
      [401, 'APIGW.0307', true],
      [200, null, false],
    ]);
  });

  it('concurrent 0307s on the same token share one renewal', async () => {
    const { client } = setup();
    mock
      .reply(iamToken(TOKEN1, T0), 1, IAM_ORIGIN)
      .reply(iamToken(TOKEN2, T0), 1, IAM_ORIGIN)
      .reply(REJECTED_0307, 3)
      .reply(OK_PAGE, 3);
    await Promise.all([0, 1, 2].map((i) => client.listRiskConfigs(scope, `img-${i}`)));
    expect(iamRequests()).toHaveLength(2);
    expect(hssTokens()).toEqual([TOKEN1, TOKEN1, TOKEN1, TOKEN2, TOKEN2, TOKEN2]);
  });

  it('a second 0307 right after the renewal fails, secret-free', async () => {
    const { client } = setup();
    mock
      .reply(iamToken(TOKEN1, T0), 1, IAM_ORIGIN)
      .reply(iamToken(TOKEN2, T0), 1, IAM_ORIGIN)
      .reply(REJECTED_0307, 2);
    const err = await client.listRiskConfigs(scope, 'img').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HssAuthError);
    expect((err as Error).message).toBe(
      'ListImageRiskConfigs GET /v5/proj1/image/baseline/risk-configs HTTP 401 APIGW.0307 ' +
        '"The token must be updated." request_id=r-0307: HSS rejected a freshly issued IAM token too ' +
        '(APIGW.0307); check that the user may use HSS in this project and region',
    );
    expect(iamRequests()).toHaveLength(2);
    expect(hssTokens()).toEqual([TOKEN1, TOKEN2]);
    expectSecretFree(err);
  });

  it('a wrong password is an IamTokenError naming user and domain, never the password', async () => {
    const { client } = setup();
    mock.reply(
      {
        status: 401,
        json: { error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' } },
      },
      1,
      IAM_ORIGIN,
    );
    const err = await client.listRiskConfigs(scope, 'img').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IamTokenError);
    expect((err as IamTokenError).message).toBe(
      'IAM rejected the password login for user alice in domain acme (HTTP 401)',
    );
    expect((err as IamTokenError).status).toBe(401);
    expect((err as IamTokenError).code).toBe('IAM_TOKEN_FAILED');
    expect(hssTokens()).toEqual([]);
    expect(iamRequests()).toHaveLength(1);
    expectSecretFree(err);
  });

  it('retries IAM 5xx with backoff; a failure after all attempts is secret-free', async () => {
    mock = new MockHss();
    const clock = new FakeClock(T0);
    const m = manager(clock);
    mock.reply(
      { status: 503, json: { error_code: 'IAM.0001', error_msg: `echo ${PASSWORD}` } },
      4,
      IAM_ORIGIN,
    );
    const err = await drive(clock, m.getToken()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IamTokenError);
    expect((err as Error).message).toBe(
      'IAM failed the password login for user alice in domain acme (HTTP 503, IAM.0001)',
    );
    expect(clock.sleeps).toEqual([500, 1_000, 2_000]);
    expect(m.iamCalls).toBe(4);
    expectSecretFree(err);
  });

  it('an unreachable IAM is an IamTokenError naming the endpoint, secret-free', async () => {
    mock = new MockHss();
    const clock = new FakeClock(T0);
    const m = manager(clock);
    for (let i = 0; i < 4; i++)
      mock.fail(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), IAM_ORIGIN);
    const err = await drive(clock, m.getToken()).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `IAM at ${IAM_ORIGIN} did not complete the password login for user alice in domain acme: Error ECONNREFUSED`,
    );
    expectSecretFree(err);
  });

  it('a 201 without X-Subject-Token is an IamTokenError', async () => {
    mock = new MockHss();
    const m = manager(new FakeClock(T0));
    mock.reply({ status: 201, json: { token: {} } }, 1, IAM_ORIGIN);
    await expect(m.getToken()).rejects.toThrow(
      'IAM answered HTTP 201 without an X-Subject-Token header to the password login for user alice in domain acme',
    );
  });

  it('assume_role: the user token (domain-scoped) obtains the agency token scoped to the project', async () => {
    const { client } = setup({ domain: 'tenant-b', name: 'hss-reader' });
    mock.reply(iamToken(TOKEN1, T0), 1, IAM_ORIGIN).reply(iamToken(TOKEN2, T0), 1, IAM_ORIGIN).reply(OK_PAGE);
    await client.listRiskConfigs(scope, 'img');
    const [login, assume] = iamRequests();
    expect(JSON.parse(login?.body ?? '').auth.scope).toEqual({ domain: { name: 'acme' } });
    expect(login?.headers['X-Auth-Token']).toBeUndefined();
    expect(assume?.headers['X-Auth-Token']).toBe(TOKEN1);
    expect(JSON.parse(assume?.body ?? '')).toEqual({
      auth: {
        identity: {
          methods: ['assume_role'],
          assume_role: { domain_name: 'tenant-b', agency_name: 'hss-reader' },
        },
        scope: { project: { id: 'proj1' } },
      },
    });
    expect(hssTokens()).toEqual([TOKEN2]);
  });

  it('assume_role refused: the message names agency, user and domain', async () => {
    const { client } = setup({ domain: 'tenant-b', name: 'hss-reader' });
    mock.reply(iamToken(TOKEN1, T0), 1, IAM_ORIGIN).reply({ status: 403, json: {} }, 1, IAM_ORIGIN);
    const err = await client.listRiskConfigs(scope, 'img').catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'IAM rejected assume_role into agency hss-reader of domain tenant-b for user alice in domain acme (HTTP 403)',
    );
    expectSecretFree(err);
  });

  it('a caller that aborts stops waiting, while the shared renewal still completes for others', async () => {
    mock = new MockHss();
    const clock = new FakeClock(T0);
    const m = manager(clock);
    mock.reply(iamToken(TOKEN1, T0), 1, IAM_ORIGIN);
    const controller = new AbortController();
    const first = m.getToken(controller.signal);
    const second = m.getToken();
    controller.abort();
    await expect(first).rejects.toBeInstanceOf(AbortedError);
    expect(await second).toBe(TOKEN1);
    expect(m.iamCalls).toBe(1);
  });
});
