import { afterEach, describe, expect, it } from 'vitest';
import { HssAuthError } from '../../errors.js';
import { Secret } from '../../secret.js';
import { MockHss, mockClient, okPage, TEST_SCOPE, targetWith } from '../mock-hss.test-helper.js';
import type { CallEvent } from '../types.js';
import { staticTokenRejectedMessage } from './static-token.js';

const TOKEN = 'CANARY-STATIC-TOKEN-5d4c3b2a';
const target = targetWith({ method: 'token', token: new Secret(TOKEN) });
const scope = TEST_SCOPE;

let mock = new MockHss();
afterEach(async () => {
  await mock.close();
});

function setup() {
  mock = new MockHss();
  return mockClient(mock, { target, ratePerMinute: 100 });
}

describe('static token provider', () => {
  it('sends X-Auth-Token and identifies itself by a hash prefix, not the token', async () => {
    const { client, auth } = setup();
    mock.reply(okPage([]));
    await client.listRiskConfigs(scope, 'img');
    expect(mock.requests[0]?.headers['X-Auth-Token']).toBe(TOKEN);
    expect(auth.kind).toBe('token');
    expect(auth.credentialId).toBe('token:d06f53362629');
  });

  it.each(['APIGW.0307', 'APIGW.0301'])('401 %s fails at once with the exact explanation', async (code) => {
    const { client } = setup();
    const events: CallEvent[] = [];
    mock.reply({
      status: 401,
      headers: { 'x-request-id': 'r-401' },
      json: { error_code: code, error_msg: 'The token must be updated.' },
    });
    const err = await client
      .listRiskConfigs(scope, 'img', { onCall: (e) => events.push(e) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HssAuthError);
    const e = err as HssAuthError;
    expect(e.message).toBe(
      `HSS_AUTH_TOKEN was rejected (${code}): the token has expired or is wrong. Static tokens live 24 hours ` +
        'and cannot be renewed; configure HSS_ACCESS_KEY and HSS_SECRET_KEY (AK/SK signing) or HSS_IAM_DOMAIN, ' +
        'HSS_IAM_USER and HSS_IAM_PASSWORD instead.',
    );
    expect(e.code).toBe('HSS_AUTH_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.status).toBe(401);
    expect(e.requestId).toBe('r-401');
    expect(mock.requests).toHaveLength(1);
    expect(events.map((x) => [x.status, x.errorCode, x.willRetry])).toEqual([[401, code, false]]);
    for (const text of [String(e), e.stack ?? '', JSON.stringify(e)]) expect(text).not.toContain(TOKEN);
  });

  it('a 401 without a code names the status', () => {
    expect(staticTokenRejectedMessage('HTTP 401')).toMatch(/^HSS_AUTH_TOKEN was rejected \(HTTP 401\): /);
  });

  it('403 HSS.0013 keeps HSS’s own words (a permission problem, not a token problem)', async () => {
    const { client } = setup();
    mock.reply({ status: 403, json: { error_code: 'HSS.0013', error_msg: 'insufficient permissions' } });
    const err = (await client.listRiskConfigs(scope, 'img').catch((e: unknown) => e)) as HssAuthError;
    expect(err).toBeInstanceOf(HssAuthError);
    expect(err.message).toBe(
      'ListImageRiskConfigs GET /v5/proj1/image/baseline/risk-configs HTTP 403 HSS.0013 "insufficient permissions"',
    );
    expect(mock.requests).toHaveLength(1);
  });
});
