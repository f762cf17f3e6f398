import { afterEach, describe, expect, it } from 'vitest';
import type { ImageType, Scope } from '../domain.js';
import {
  AbortedError,
  errorSummary,
  HssApiError,
  HssBadResponseError,
  HssNetworkError,
  HssThrottledError,
} from '../errors.js';
import {
  drive,
  expectRefused,
  type MockClientOptions,
  MockHss,
  mockClient,
  okPage,
  type Reply,
} from './mock-hss.test-helper.js';
import { ImageQuarantinedError } from './quarantine.js';
import type { HssClient, QuarantineEvent } from './types.js';

const RC_PATH = '/v5/proj1/image/baseline/risk-configs';

function scope(imageType: ImageType = 'private_image'): Scope {
  return { target: 't', projectId: 'proj1', enterpriseProjectId: '0', imageType };
}

function rcUrl(offset: number, imageId = 'sha256:abc', limit = 200): string {
  const id = encodeURIComponent(imageId);
  return `${RC_PATH}?enterprise_project_id=0&image_id=${id}&image_type=private_image&limit=${limit}&offset=${offset}`;
}

function rows(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({
    check_name: `Check ${from + i}`,
    check_type: `Type ${from + i}`,
    standard: 'hw_standard',
    severity: 'High',
    check_rule_num: 10,
    failed_rule_num: 1,
    check_type_desc: 'desc',
  }));
}

let mock = new MockHss();
afterEach(async () => {
  await mock.close();
});

function setup(opts: MockClientOptions = {}) {
  mock = new MockHss();
  return mockClient(mock, opts);
}

describe('listImagesPage', () => {
  it.each([
    [
      'private_image',
      '/v5/proj1/image/registries/images?enterprise_project_id=0&image_type=private_image&limit=50&offset=100',
    ],
    [
      'shared_image',
      '/v5/proj1/image/registries/images?enterprise_project_id=0&image_type=shared_image&limit=50&offset=100',
    ],
    [
      'instance_image',
      '/v5/proj1/image/registries/images?enterprise_project_id=0&image_type=instance_image&limit=50&offset=100',
    ],
    ['registry', '/v5/proj1/image/registries/images?enterprise_project_id=0&limit=50&offset=100'],
    ['local_image', '/v5/proj1/image/local-repositories?enterprise_project_id=0&limit=50&offset=100'],
    ['local', '/v5/proj1/image/local-repositories?enterprise_project_id=0&limit=50&offset=100'],
    ['cicd', '/v5/proj1/image/cicd/images?enterprise_project_id=0&limit=50&offset=100'],
  ] as const)('%s → %s', async (imageType, url) => {
    const { client } = setup();
    mock.reply(okPage([]));
    await client.listImagesPage(scope(imageType), 100, 50);
    expect(mock.paths()).toEqual([url]);
    expect(mock.requests[0]?.method).toBe('GET');
    expect(mock.requests[0]?.headers['X-Auth-Token']).toBe('static-token');
  });

  it('validates, normalises, skips rows without image_id and returns the request id', async () => {
    const { client, events, onCall } = setup();
    mock.reply(
      okPage(
        [
          {
            image_id: 'sha256:1',
            image_name: 'nginx',
            latest_scan_time: '1700000000000',
            unsafe_setting_num: 3,
          },
          { image_name: 'no-id' },
        ],
        2,
        'req-list-1',
      ),
    );
    const page = await client.listImagesPage(scope(), 0, 200, { onCall });
    expect(page.totalNum).toBe(2);
    expect(page.requestId).toBe('req-list-1');
    expect(page.rows.map((r) => [r.imageId, r.imageName, r.latestScanTime, r.unsafeSettingNum])).toEqual([
      ['sha256:1', 'nginx', 1700000000000, 3],
    ]);
    expect(client.stats).toEqual({ nulReplaced: 0, skippedWithoutImageId: 1, duplicates: 0, quarantined: 0 });
    expect(events).toEqual([
      {
        api: 'ListRegistryImages',
        status: 200,
        errorCode: null,
        requestId: 'req-list-1',
        durationMs: 0,
        willRetry: false,
      },
    ]);
  });

  it('quarantines a schema-invalid row (position = offset + index) and keeps the rest of the page', async () => {
    const SAMPLE_START = '{"image_id":"sha256:2","latest_scan_time":"yesterday","image_name":"';
    const { client } = setup();
    const quarantined: QuarantineEvent[] = [];
    mock.reply(
      okPage(
        [
          { image_id: 'sha256:1', latest_scan_time: 5 },
          { image_id: 'sha256:2', latest_scan_time: 'yesterday', image_name: 'x'.repeat(300) },
          { image_id: 'sha256:3', latest_scan_time: 7 },
        ],
        53,
        'req-q',
      ),
    );
    const page = await client.listImagesPage(scope(), 50, 10, { onQuarantine: (e) => quarantined.push(e) });
    expect(page.totalNum).toBe(53);
    expect(page.rows.map((r) => r.imageId)).toEqual(['sha256:1', 'sha256:3']);
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]).toEqual({
      api: 'ListRegistryImages',
      requestId: 'req-q',
      position: 51,
      problem: 'latest_scan_time: Invalid input',
      sample: `${SAMPLE_START}${'x'.repeat(199 - SAMPLE_START.length)}…`,
    });
    expect(quarantined[0]?.sample).toHaveLength(200);
    expect(client.stats.quarantined).toBe(1);
  });
});

describe('bad pages are bad answers, not listings to follow: refused after one request', () => {
  const IMAGES = 'GET /v5/proj1/image/registries/images';
  const notAPage = 'the answer is not a page of this request';
  const elevenImages = Array.from({ length: 11 }, (_, i) => ({ image_id: `sha256:${i}` }));
  it.each<[string, Reply, (c: HssClient) => Promise<unknown>, string]>([
    [
      'a list page with more rows than the limit asked for',
      { status: 200, headers: { 'x-request-id': 'r9' }, json: { total_num: 5000, data_list: elevenImages } },
      (c) => c.listImagesPage(scope(), 0, 10),
      `ListRegistryImages HTTP 200 request_id=r9: ${IMAGES}: 11 rows in a page of at most 10 (limit); ${notAPage}`,
    ],
    [
      'a total_num beyond what the API defines (2,147,483,547)',
      { status: 200, json: { total_num: 2_147_483_548, data_list: [{ image_id: 'a' }] } },
      (c) => c.listImagesPage(scope(), 0, 10),
      `ListRegistryImages HTTP 200: ${IMAGES}: the answer does not match the ListRegistryImages schema: ` +
        'total_num: expected an integer from 0 to 2147483547',
    ],
    [
      'a results page with more rows than the limit (page size 10): the image fails',
      okPage(rows(11), 11),
      (c) => c.listRiskConfigs(scope(), 'img'),
      `ListImageRiskConfigs HTTP 200: GET ${RC_PATH}: 11 rows in a page of at most 10 (limit); ${notAPage}`,
    ],
  ])('%s', async (_, reply, call, message) => {
    const { client } = setup({ pageSize: 10 });
    mock.reply(reply);
    await expectRefused(mock, call(client), message);
  });
});

describe('error answers: the NUL policy covers every field', () => {
  it('NUL in error_code, error_msg and request_id becomes U+FFFD in the error and its summary', async () => {
    const { client } = setup();
    mock.reply({
      status: 400,
      json: { error_code: 'HSS.0001', error_msg: 'bad\u0000param', request_id: 'id\u0000\u001b]0;x\u0007' },
    });
    const err = await client.listImagesPage(scope(), 0, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HssApiError);
    expect((err as HssApiError).requestId).toBe('id\uFFFD\u001b]0;x\u0007');
    expect((err as HssApiError).context.errorMsg).toBe('bad\uFFFDparam');
    const summary = errorSummary(err);
    expect(summary).toBe(
      'HSS_API_ERROR: ListRegistryImages GET /v5/proj1/image/registries/images HTTP 400 HSS.0001 ' +
        '"bad\uFFFDparam" request_id=id\uFFFD\u001b]0;x\u0007',
    );
    expect(summary).not.toContain('\u0000');
  });
});

describe('listRiskConfigs', () => {
  it('reads 3 pages until total_num is reached, with exactly the expected URLs', async () => {
    const { client, events, onCall } = setup();
    mock
      .reply(okPage(rows(200, 0), 450))
      .reply(okPage(rows(200, 200), 450))
      .reply(okPage(rows(50, 400), 450));
    const result = await client.listRiskConfigs(scope(), 'sha256:abc', { onCall });
    expect(mock.paths()).toEqual([rcUrl(0), rcUrl(200), rcUrl(400)]);
    expect(result).toHaveLength(450);
    expect(result[449]).toEqual({
      checkName: 'Check 449',
      checkType: 'Type 449',
      standard: 'hw_standard',
      severity: 'High',
      checkRuleNum: 10,
      failedRuleNum: 1,
      checkTypeDesc: 'desc',
    });
    expect(events.map((e) => [e.api, e.status, e.willRetry])).toEqual([
      ['ListImageRiskConfigs', 200, false],
      ['ListImageRiskConfigs', 200, false],
      ['ListImageRiskConfigs', 200, false],
    ]);
    mock.agent.assertNoPendingInterceptors();
  });

  it('uses the configured page size and stops on an empty page even if total_num says more', async () => {
    const { client } = setup({ pageSize: 10 });
    mock.reply(okPage(rows(10), 25)).reply(okPage([], 25));
    const result = await client.listRiskConfigs(scope(), 'sha256:abc');
    expect(result).toHaveLength(10);
    expect(mock.paths()).toEqual([rcUrl(0, 'sha256:abc', 10), rcUrl(10, 'sha256:abc', 10)]);
  });

  it('without total_num, stops on a short page', async () => {
    const { client } = setup({ pageSize: 10 });
    mock
      .reply({ status: 200, json: { data_list: rows(10) } })
      .reply({ status: 200, json: { data_list: rows(3, 10) } });
    expect(await client.listRiskConfigs(scope(), 'sha256:abc')).toHaveLength(13);
    expect(mock.paths()).toHaveLength(2);
  });

  it('turns a numeric check_type into text, NUL into U+FFFD, and dedupes by result key', async () => {
    const { client } = setup();
    mock.reply(
      okPage([
        { check_name: 'Windows', check_type: 3, standard: 'cn_standard', check_type_desc: 'a\u0000b' },
        { check_name: 'Windows', check_type: '3', standard: 'cn_standard', check_type_desc: 'duplicate' },
        { check_name: 'CentOS 7', check_type: 'CentOS 7', standard: 'hw_standard' },
      ]),
    );
    const result = await client.listRiskConfigs(scope(), 'img');
    expect(result.map((r) => [r.checkName, r.checkType, r.checkTypeDesc])).toEqual([
      ['Windows', '3', 'a\uFFFDb'],
      ['CentOS 7', 'CentOS 7', null],
    ]);
    expect(client.stats).toEqual({ nulReplaced: 1, skippedWithoutImageId: 0, duplicates: 1, quarantined: 0 });
  });

  it('an answer whose envelope does not match is a non-retryable HssBadResponseError after one request', async () => {
    const { client } = setup();
    mock.reply({
      status: 200,
      headers: { 'x-request-id': 'r1' },
      json: { total_num: 1, data_list: 'rows' },
    });
    await expectRefused(
      mock,
      client.listRiskConfigs(scope(), 'img'),
      `ListImageRiskConfigs HTTP 200 request_id=r1: GET ${RC_PATH}: the answer does not match the ` +
        'ListImageRiskConfigs schema: data_list: Invalid input: expected array, received string',
    );
  });

  it('a schema-invalid item quarantines the image: reported with request id and sample, nothing returned', async () => {
    const { client } = setup();
    const quarantined: QuarantineEvent[] = [];
    mock.reply(okPage([rows(1)[0], { check_name: 'X', check_rule_num: 'many' }, rows(1, 5)[0]], 3, 'r1'));
    const err = await client
      .listRiskConfigs(scope(), 'img', { onQuarantine: (e) => quarantined.push(e) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageQuarantinedError);
    expect((err as ImageQuarantinedError).retryable).toBe(false);
    expect((err as Error).message).toBe(
      `ListImageRiskConfigs HTTP 200 request_id=r1: GET ${RC_PATH}: 1 schema-invalid item(s) for image img; ` +
        'its results are left as they were',
    );
    expect(quarantined).toEqual([
      {
        api: 'ListImageRiskConfigs',
        requestId: 'r1',
        position: 1,
        problem: 'check_rule_num: Invalid input',
        sample: '{"check_name":"X","check_rule_num":"many"}',
        imageId: 'img',
      },
    ]);
    expect(client.stats.quarantined).toBe(1);
    expect(mock.requests).toHaveLength(1);
  });

  it('an HTML answer is an HssBadResponseError, retried; success on the next attempt', async () => {
    const { client, clock, events, onCall } = setup();
    mock
      .reply({
        status: 200,
        text: '<html><body>Gateway</body></html>',
        headers: { 'content-type': 'text/html' },
      })
      .reply(okPage(rows(1), 1));
    const result = await drive(clock, client.listRiskConfigs(scope(), 'img', { onCall }));
    expect(result).toHaveLength(1);
    expect(events.map((e) => [e.status, e.willRetry])).toEqual([
      [200, true],
      [200, false],
    ]);
    expect(clock.sleeps).toEqual([500]);
  });

  it('HTML or truncated JSON on every attempt ends in HssBadResponseError after maxAttempts', async () => {
    const { client, clock } = setup({ limits: { maxAttempts: 2 } });
    mock
      .reply({ status: 200, text: '<html>', headers: { 'content-type': 'text/html' } })
      .reply({ status: 200, text: '{"total_num": 1, "data_' });
    const err = await drive(clock, client.listRiskConfigs(scope(), 'img')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HssBadResponseError);
    expect((err as Error).message).toBe(
      `ListImageRiskConfigs HTTP 200: GET ${RC_PATH}: body is not valid JSON (truncated or malformed, 23 chars, application/json)`,
    );
    expect(mock.requests).toHaveLength(2);
  });

  it('refuses to read more than the page cap', async () => {
    const { client } = setup({ pageSize: 10 });
    // A server that keeps sending full pages and a huge total would otherwise loop for ever.
    mock.reply(okPage(rows(10), 2_000_000), 1_000);
    const err = await client.listRiskConfigs(scope(), 'img').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HssBadResponseError);
    expect((err as Error).message).toBe(
      `ListImageRiskConfigs: GET ${RC_PATH}: more than 1000 pages for image img; refusing to read further`,
    );
    expect(mock.requests).toHaveLength(1_000);
  });
});

describe('the executor through the client', () => {
  it('retries 503 with capped full-jitter backoff, then succeeds', async () => {
    const { client, clock, events, onCall } = setup();
    const err503 = { status: 503, json: { error_code: 'APIGW.0201', error_msg: 'backend unavailable' } };
    mock.reply(err503).reply(err503).reply(okPage([]));
    await drive(clock, client.listRiskConfigs(scope(), 'img', { onCall }));
    expect(clock.sleeps).toEqual([500, 1_000]);
    // Every field of each event: the fake clock stands still during an exchange, so 0 ms.
    const event = (status: number, errorCode: string | null, willRetry: boolean) => {
      return { api: 'ListImageRiskConfigs', status, errorCode, requestId: null, durationMs: 0, willRetry };
    };
    expect(events).toEqual([
      event(503, 'APIGW.0201', true),
      event(503, 'APIGW.0201', true),
      event(200, null, false),
    ]);
  });

  it('gives up after maxAttempts with the last error, retryable', async () => {
    const { client, clock, events, onCall } = setup({ limits: { maxAttempts: 3 } });
    mock.reply({ status: 500, text: 'oops', headers: { 'x-request-id': 'r-500' } }, 3);
    const err = await drive(clock, client.listRiskConfigs(scope(), 'img', { onCall })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HssApiError);
    expect((err as HssApiError).retryable).toBe(true);
    expect((err as Error).message).toBe(`ListImageRiskConfigs GET ${RC_PATH} HTTP 500 request_id=r-500`);
    expect(events.map((e) => e.willRetry)).toEqual([true, true, false]);
    expect(clock.sleeps).toEqual([500, 1_000]);
  });

  it('does not retry 400 HSS.0001 and carries X-Request-Id into the error', async () => {
    const { client, events, onCall } = setup();
    mock.reply({
      status: 400,
      headers: { 'x-request-id': 'req-123' },
      json: { error_code: 'HSS.0001', error_msg: 'invalid parameter', request_id: 'body-id' },
    });
    const err = await client.listRiskConfigs(scope(), 'img', { onCall }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HssApiError);
    const e = err as HssApiError;
    expect(e.code).toBe('HSS_API_ERROR');
    expect(e.retryable).toBe(false);
    expect(e.status).toBe(400);
    expect(e.errorCode).toBe('HSS.0001');
    expect(e.requestId).toBe('req-123');
    expect(e.message).toBe(
      `ListImageRiskConfigs GET ${RC_PATH} HTTP 400 HSS.0001 "invalid parameter" request_id=req-123`,
    );
    expect(mock.requests).toHaveLength(1);
    expect(events).toEqual([
      {
        api: 'ListImageRiskConfigs',
        status: 400,
        errorCode: 'HSS.0001',
        requestId: 'req-123',
        durationMs: 0,
        willRetry: false,
      },
    ]);
  });

  it('falls back to the body request_id without an X-Request-Id header, and reads APIG. as APIGW.', async () => {
    const { client } = setup();
    mock.reply({
      status: 404,
      json: { error_code: 'APIG.0101', error_msg: 'no such API', request_id: 'body-id' },
    });
    const err = (await client.listRiskConfigs(scope(), 'img').catch((e: unknown) => e)) as HssApiError;
    expect(err.errorCode).toBe('APIGW.0101');
    expect(err.requestId).toBe('body-id');
  });

  it('honours Retry-After on 429, tells the pacer, and succeeds', async () => {
    const { client, clock, pacer, events, onCall } = setup({ ratePerMinute: 5 });
    mock
      .reply({
        status: 429,
        headers: { 'retry-after': '7', 'x-request-id': 'r-429' },
        json: { error_code: 'APIGW.0308', error_msg: 'policy user over ratelimit,limit:5,time:1 minute' },
      })
      .reply(okPage([]));
    await drive(clock, client.listRiskConfigs(scope(), 'img', { onCall }));
    expect(clock.sleeps).toEqual([7_000]);
    expect(events.map((e) => [e.status, e.errorCode, e.requestId, e.willRetry])).toEqual([
      [429, 'APIGW.0308', 'r-429', true],
      [200, null, null, false],
    ]);
    expect(pacer.snapshot()).toEqual([
      {
        credentialId: 'token:377829c6ad43',
        api: 'ListImageRiskConfigs',
        ratePerMinute: 4,
        callsStarted: 2,
        throttles: 1,
        waiting: 0,
        inFlight: 0,
      },
    ]);
  });

  it('429 without Retry-After backs off, then waits for the pacer block (window + margin + jitter)', async () => {
    const { client, clock } = setup({ ratePerMinute: 5 });
    mock.reply({ status: 429, json: { error_code: 'APIGW.0308', error_msg: 'throttled' } }).reply(okPage([]));
    await drive(clock, client.listRiskConfigs(scope(), 'img'));
    // backoff 0.5 * 1000 = 500, then the rest of 60 000 + 250 + 0.5 * 2000 = 61 250.
    expect(clock.sleeps).toEqual([500, 60_750]);
  });

  it('a Retry-After longer than the backoff cap ends the request with HssThrottledError', async () => {
    const { client } = setup({ limits: { backoffCapMs: 10_000 } });
    mock.reply({ status: 429, headers: { 'retry-after': '120' }, json: { error_code: 'APIGW.0308' } });
    const err = (await client.listRiskConfigs(scope(), 'img').catch((e: unknown) => e)) as HssThrottledError;
    expect(err).toBeInstanceOf(HssThrottledError);
    expect(err.retryAfterMs).toBe(120_000);
    expect(err.message).toBe('ListImageRiskConfigs HTTP 429 APIGW.0308');
    expect(mock.requests).toHaveLength(1);
  });

  it('retries a network error (status 0 in onCall), then succeeds', async () => {
    const { client, clock, events, onCall } = setup();
    mock.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    mock.reply(okPage([]));
    await drive(clock, client.listRiskConfigs(scope(), 'img', { onCall }));
    expect(events.map((e) => [e.status, e.willRetry])).toEqual([
      [0, true],
      [200, false],
    ]);
  });

  it('a network error on the last attempt is an HssNetworkError naming path and problem', async () => {
    const { client } = setup({ limits: { maxAttempts: 1 } });
    mock.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const err = await client.listRiskConfigs(scope(), 'img').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HssNetworkError);
    expect((err as Error).message).toBe(
      `ListImageRiskConfigs: GET ${RC_PATH}: Error ECONNRESET: socket hang up`,
    );
  });

  it('a request that outlives requestDeadlineMs is an HssNetworkError (status 0), retried', async () => {
    const { client, clock, events, onCall } = setup({
      limits: { requestDeadlineMs: 20, maxAttempts: 2 },
      fakeDeadline: true,
    });
    // The answers would come after 5 real seconds: the fake deadline ends each attempt first.
    mock.reply({ status: 200, json: { total_num: 0, data_list: [] }, delayMs: 5_000 }, 2);
    const err = await drive(clock, client.listRiskConfigs(scope(), 'img', { onCall }), 10).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HssNetworkError);
    expect((err as Error).message).toBe(
      `ListImageRiskConfigs: GET ${RC_PATH}: no complete answer within 20 ms`,
    );
    expect(events.map((e) => [e.status, e.willRetry])).toEqual([
      [0, true],
      [0, false],
    ]);
  });

  it('enforces maxResponseBytes while streaming and from Content-Length, without retrying', async () => {
    const { client } = setup({ limits: { maxResponseBytes: 100 } });
    const big = { total_num: 1, data_list: rows(5) };
    mock.reply({ status: 200, json: big });
    await expectRefused(
      mock,
      client.listRiskConfigs(scope(), 'img'),
      `ListImageRiskConfigs: GET ${RC_PATH}: response body exceeds 100 bytes (maxResponseBytes)`,
    );

    mock.reply({ status: 200, json: big, headers: { 'content-length': String(JSON.stringify(big).length) } });
    const err2 = await client.listRiskConfigs(scope(), 'img').catch((e: unknown) => e);
    expect((err2 as Error).message).toBe(
      `ListImageRiskConfigs: GET ${RC_PATH}: response body exceeds 100 bytes (maxResponseBytes)`,
    );
  });

  it('an abort during backoff rejects with AbortedError and stops retrying', async () => {
    const { client, clock } = setup();
    mock.reply({ status: 503, json: { error_code: 'APIGW.0201' } }, 2);
    const controller = new AbortController();
    const pending = client.listRiskConfigs(scope(), 'img', { signal: controller.signal });
    const settled = pending.catch((e: unknown) => e);
    while (clock.pending === 0) await clock.advance(0);
    controller.abort(new Error('SIGTERM'));
    const err = await settled;
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as Error).message).toBe(`ListImageRiskConfigs GET ${RC_PATH}: aborted`);
    expect(mock.requests).toHaveLength(1);
  });

  it('an attempt already sent is aborted by signal, unless inFlightSignal says otherwise', async () => {
    const { client } = setup();
    const sentThenAbort = async (
      options: { signal: AbortSignal; inFlightSignal?: AbortSignal },
      c: AbortController,
    ) => {
      const before = mock.requests.length;
      const pending = client.listRiskConfigs(scope(), 'img', options).catch((e: unknown) => e);
      while (mock.requests.length === before) await new Promise((r) => setTimeout(r, 1));
      c.abort(new Error('run deadline reached'));
      return pending;
    };
    mock.reply({ status: 200, json: { total_num: 1, data_list: rows(1) }, delayMs: 50 }, 2);

    const deadline = new AbortController();
    const kept = await sentThenAbort(
      { signal: deadline.signal, inFlightSignal: new AbortController().signal },
      deadline,
    );
    expect(kept).toEqual([expect.objectContaining({ checkName: 'Check 0', failedRuleNum: 1 })]);

    const hard = new AbortController();
    const err = await sentThenAbort({ signal: hard.signal }, hard);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as Error).message).toBe(`ListImageRiskConfigs GET ${RC_PATH}: aborted`);
    expect(mock.requests).toHaveLength(2);
  });

  it('an already aborted signal sends nothing', async () => {
    const { client } = setup();
    const err = await client
      .listImagesPage(scope(), 0, 200, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(mock.requests).toHaveLength(0);
  });
});
