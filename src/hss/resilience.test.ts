/**
 * The executor's run-level limits through the client: the circuit breaker per (credential, API)
 * and the per-run retry budget.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { HssApiError, HssCircuitOpenError } from '../errors.js';
import { CircuitBreaker } from './breaker.js';
import { drive, MockHss, mockClient, okPage, TEST_SCOPE } from './mock-hss.test-helper.js';
import { RetryBudget } from './retry-budget.js';

const T0 = Date.UTC(2026, 0, 1);
const RC_PATH = '/v5/proj1/image/baseline/risk-configs';
const scope = TEST_SCOPE;
const E503 = { status: 503, json: { error_code: 'APIGW.0201', error_msg: 'Backend unavailable' } };
const OK = okPage([]);

let mock = new MockHss();
afterEach(async () => {
  await mock.close();
});

function setup(opts: { threshold?: number; maxAttempts?: number } = {}) {
  mock = new MockHss();
  const clock = new FakeClock(T0);
  const breaker = new CircuitBreaker({ clock, failureThreshold: opts.threshold ?? 3, cooldownMs: 30_000 });
  const { client } = mockClient(mock, { clock, breaker, limits: { maxAttempts: opts.maxAttempts ?? 6 } });
  return { client, clock, breaker };
}

describe('circuit breaker in the executor', () => {
  it('stops calling after the threshold of consecutive failures and fails with a clear reason', async () => {
    const { client, clock } = setup({ threshold: 3 });
    mock.reply(E503, 3);
    const err = await drive(clock, client.listRiskConfigs(scope, 'img')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HssCircuitOpenError);
    expect((err as HssCircuitOpenError).code).toBe('HSS_CIRCUIT_OPEN');
    expect((err as HssCircuitOpenError).retryable).toBe(false);
    // Three calls went out (503 each); the fourth attempt was refused before calling.
    expect(mock.requests).toHaveLength(3);
    // The third 503 came after backoffs of 500 and 1 000 ms: the circuit opened then.
    const openedAt = T0 + 1_500;
    expect((err as Error).message).toBe(
      `ListImageRiskConfigs: circuit open after 3 consecutive failed calls (last: HTTP 503 APIGW.0201); ` +
        `no ListImageRiskConfigs calls until ${new Date(openedAt + 30_000).toISOString()}`,
    );
    // Other requests on the key fail fast without a call while it is open.
    await expect(client.listRiskConfigs(scope, 'other')).rejects.toBeInstanceOf(HssCircuitOpenError);
    expect(mock.requests).toHaveLength(3);
    // After the cool-down a probe goes out; its success closes the circuit.
    await clock.advance(30_000);
    mock.reply(OK);
    await expect(client.listRiskConfigs(scope, 'img')).resolves.toEqual([]);
    expect(mock.requests).toHaveLength(4);
  });

  it('does not count 429 or 4xx answers as failures', async () => {
    const { client, clock, breaker } = setup({ threshold: 2 });
    mock
      .reply(E503)
      .reply({ status: 429, json: { error_code: 'APIGW.0308', error_msg: 'throttled' } })
      .reply({ status: 429, json: { error_code: 'APIGW.0308', error_msg: 'throttled' } })
      .reply(OK);
    await expect(drive(clock, client.listRiskConfigs(scope, 'img'))).resolves.toEqual([]);
    expect(breaker.snapshot()).toHaveLength(1);
    expect(breaker.snapshot()[0]).toMatchObject({
      api: 'ListImageRiskConfigs',
      state: 'closed',
      consecutiveFailures: 0,
      opened: 0,
    });
    mock.reply(E503).reply({ status: 400, json: { error_code: 'HSS.0001', error_msg: 'bad' } });
    await expect(drive(clock, client.listRiskConfigs(scope, 'img'))).rejects.toThrow('HTTP 400 HSS.0001');
    expect(breaker.snapshot()[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });
});

describe('per-run retry budget', () => {
  it('refuses retries once the run has spent its budget, naming the reason', async () => {
    const { client, clock } = setup({ threshold: 100 });
    const budget = new RetryBudget({ minRetries: 2, ratio: 0 });
    mock.reply(E503, 2).reply(OK);
    await expect(drive(clock, client.listRiskConfigs(scope, 'a', { retryBudget: budget }))).resolves.toEqual(
      [],
    );
    expect(budget.used).toBe(2);
    mock.reply(E503);
    const err = await drive(clock, client.listRiskConfigs(scope, 'b', { retryBudget: budget })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HssApiError);
    expect((err as HssApiError).retryable).toBe(false);
    expect((err as Error).message).toBe(
      `ListImageRiskConfigs GET ${RC_PATH} HTTP 503 APIGW.0201 "Backend unavailable" ` +
        "(not retried: the run's retry budget of 2 retries is spent)",
    );
    expect(mock.requests).toHaveLength(4);
    expect(budget.refusedCount).toBe(1);
  });
});
