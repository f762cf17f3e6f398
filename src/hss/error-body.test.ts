import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { HssApiError, HssAuthError, HssThrottledError } from '../errors.js';
import { Secret } from '../secret.js';
import { parseErrorBody } from './answer.js';
import { drive, MockHss, mockClient, okPage, TEST_SCOPE, targetWith } from './mock-hss.test-helper.js';

const RC = 'ListImageRiskConfigs GET /v5/proj1/image/baseline/risk-configs';

describe('parseErrorBody: the flat and the nested form', () => {
  it('reads the flat form {error_code, error_msg, request_id}', () => {
    expect(parseErrorBody('{"error_code":"HSS.0001","error_msg":"bad","request_id":"r1"}')).toEqual({
      errorCode: 'HSS.0001',
      errorMsg: 'bad',
      requestId: 'r1',
    });
  });

  it('reads the nested form {"error": {code, message, request_id}}, APIG. read as APIGW.', () => {
    expect(
      parseErrorBody('{"error":{"code":"APIG.0308","message":"over ratelimit","request_id":"r2"}}'),
    ).toEqual({
      errorCode: 'APIGW.0308',
      errorMsg: 'over ratelimit',
      requestId: 'r2',
    });
    expect(parseErrorBody('{"error":{"code":"HSS.0011"},"request_id":"r3"}')).toEqual({
      errorCode: 'HSS.0011',
      errorMsg: null,
      requestId: 'r3',
    });
  });

  it('a flat field wins over its nested counterpart; each is taken where it is', () => {
    expect(
      parseErrorBody(
        '{"error_code":"HSS.0002","error":{"code":"HSS.0001","message":"nested msg","request_id":"n"}}',
      ),
    ).toEqual({ errorCode: 'HSS.0002', errorMsg: 'nested msg', requestId: 'n' });
  });

  it('anything else is no code: an error that is not an object, empty strings, not JSON', () => {
    const none = { errorCode: null, errorMsg: null, requestId: null };
    expect(parseErrorBody('{"error":"oops"}')).toEqual(none);
    expect(parseErrorBody('{"error":["HSS.0001"]}')).toEqual(none);
    expect(parseErrorBody('{"error":{"code":"","message":5}}')).toEqual(none);
    expect(parseErrorBody('<html>')).toEqual(none);
  });

  it('applies the NUL policy to the nested fields', () => {
    expect(
      parseErrorBody('{"error":{"code":"HSS.\\u00001","message":"m\\u0000","request_id":"r\\u0000"}}'),
    ).toEqual({
      errorCode: 'HSS.\uFFFD1',
      errorMsg: 'm\uFFFD',
      requestId: 'r\uFFFD',
    });
  });
});

let mock = new MockHss();
afterEach(async () => {
  await mock.close();
});

describe('nested error bodies through the client', () => {
  it('a nested 400 HSS.0001 is an HssApiError with its code and message, not retried', async () => {
    mock = new MockHss();
    const { client } = mockClient(mock);
    mock.reply({
      status: 400,
      headers: { 'x-request-id': 'r-400' },
      json: { error: { code: 'HSS.0001', message: 'invalid parameter' } },
    });
    const err = (await client.listRiskConfigs(TEST_SCOPE, 'img').catch((e: unknown) => e)) as HssApiError;
    expect(err).toBeInstanceOf(HssApiError);
    expect([err.status, err.errorCode, err.retryable]).toEqual([400, 'HSS.0001', false]);
    expect(err.message).toBe(`${RC} HTTP 400 HSS.0001 "invalid parameter" request_id=r-400`);
    expect(mock.requests).toHaveLength(1);
  });

  it('a nested 429 APIGW.0308 is throttling: Retry-After honoured, the pacer told, then success', async () => {
    mock = new MockHss();
    const { client, clock, pacer, events, onCall } = mockClient(mock, { ratePerMinute: 5 });
    mock
      .reply({
        status: 429,
        headers: { 'retry-after': '7' },
        json: { error: { code: 'APIGW.0308', message: 'policy user over ratelimit,limit:5,time:1 minute' } },
      })
      .reply(okPage([]));
    expect(await drive(clock, client.listRiskConfigs(TEST_SCOPE, 'img', { onCall }))).toEqual([]);
    expect(clock.sleeps).toEqual([7_000]);
    expect(events.map((e) => [e.status, e.errorCode, e.willRetry])).toEqual([
      [429, 'APIGW.0308', true],
      [200, null, false],
    ]);
    expect(pacer.snapshot().map((k) => [k.api, k.throttles, k.ratePerMinute])).toEqual([
      ['ListImageRiskConfigs', 1, 4],
    ]);
  });

  it('a nested 429 on every attempt ends in HssThrottledError naming the nested code', async () => {
    mock = new MockHss();
    const { client } = mockClient(mock, { limits: { backoffCapMs: 10_000 } });
    mock.reply({ status: 429, headers: { 'retry-after': '120' }, json: { error: { code: 'APIGW.0308' } } });
    const err = (await client
      .listRiskConfigs(TEST_SCOPE, 'img')
      .catch((e: unknown) => e)) as HssThrottledError;
    expect(err).toBeInstanceOf(HssThrottledError);
    expect(err.errorCode).toBe('APIGW.0308');
    expect(err.message).toBe('ListImageRiskConfigs HTTP 429 APIGW.0308');
    expect(mock.requests).toHaveLength(1);
  });

  it('a nested 401 APIGW.0301 is never retried (repeated bad signatures lock the key pair)', async () => {
    mock = new MockHss();
    const target = targetWith({
      method: 'aksk',
      accessKey: 'HPUAEXAMPLEAK0000001',
      secretKey: new Secret('CANARY-SECRET-KEY-0a9b8c7d6e5f'),
      securityToken: null,
    });
    const { client, events, onCall } = mockClient(mock, {
      target,
      clock: new FakeClock(Date.UTC(2026, 0, 1)),
    });
    mock.reply({
      status: 401,
      headers: { 'x-request-id': 'r-0301' },
      json: { error: { code: 'APIGW.0301', message: 'Incorrect IAM authentication information' } },
    });
    const err = (await client
      .listRiskConfigs(TEST_SCOPE, 'img', { onCall })
      .catch((e: unknown) => e)) as HssAuthError;
    expect(err).toBeInstanceOf(HssAuthError);
    expect(err.errorCode).toBe('APIGW.0301');
    expect(err.message).toBe(
      `${RC} HTTP 401 APIGW.0301 "Incorrect IAM authentication information" request_id=r-0301: the AK/SK ` +
        'signature was rejected (APIGW.0301); not retried, because repeated bad signatures lock the key pair ' +
        'for 5 minutes. Check HSS_ACCESS_KEY and HSS_SECRET_KEY',
    );
    expect(mock.requests).toHaveLength(1);
    expect(events.map((e) => [e.status, e.errorCode, e.willRetry])).toEqual([[401, 'APIGW.0301', false]]);
  });
});
