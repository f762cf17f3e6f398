/**
 * One call budget per credential across processes: the simulator limits each (caller, API) to
 * RATE calls per sliding minute, like HSS; every worker is configured at that rate. Three `sync`
 * processes back to back (the built CLI, real time) and two replicas syncing at once (in-process,
 * on one fake clock shared with the simulator) get no 429: each process asks the database's call
 * log before a call, so the calls of the process before it, or beside it, count.
 */
import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { type Env, loadConfig } from '../../src/config/load.js';
import { createPgCallLog } from '../../src/db/call-budget.js';
import { credentialKey } from '../../src/hss/call-budget.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { BIN, ensureBuilt, ROOT } from '../helpers/build.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { runWithFakeTime } from '../helpers/sync-setup.js';

const PROJECT = 'proj-budget';
const TOKEN = 'budget-token';
const SCOPE = { projectId: PROJECT, enterpriseProjectId: '0', imageType: 'private_image' as const };

function envFor(t: TestDatabase, url: string, rate: number, extra: Env = {}): Env {
  return {
    DATABASE_URL: t.url,
    HSS_REGION: 'cn-north-4',
    HSS_PROJECT_ID: PROJECT,
    HSS_ENDPOINT: url,
    HSS_IAM_ENDPOINT: url,
    HSS_AUTH_TOKEN: TOKEN,
    HSS_IMAGE_TYPES: 'private_image',
    HSS_RATE_LIMIT_PER_MINUTE: String(rate),
    HSS_RULE_DETAIL: 'off',
    ...extra,
  };
}

/** `sync` as a process of its own (an empty in-process call log); resolves with its exit code. */
function syncProcess(env: Env): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'sync'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

async function ledger(t: TestDatabase): Promise<{ status: string; throttled: number; calls: number }[]> {
  const r = await t.pool.query(
    `select status, throttled, api_calls from hss_internal.sync_runs order by started_at`,
  );
  return r.rows.map((x) => ({ status: x.status, throttled: x.throttled, calls: x.api_calls }));
}

/** The shared log's rows: fingerprints only, never the token. */
async function budgetRows(t: TestDatabase): Promise<{ credential_key: string; api: string; n: number }[]> {
  const r = await t.pool.query(
    `select credential_key, api, cardinality(calls)::int as n from hss_internal.api_call_budget order by api`,
  );
  return r.rows;
}

describe('one call budget per credential, across processes', () => {
  let t: TestDatabase | undefined;
  let sim: Simulator | undefined;
  const apps: App[] = [];
  beforeAll(() => ensureBuilt(), 120_000);
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    await sim?.close();
    await t?.drop();
    sim = undefined;
    t = undefined;
  });

  it('three `sync` processes back to back at the limit: 0 × 429, the third waits for the first one’s window', async () => {
    const RATE = 6;
    t = await createTestDatabase();
    sim = createSimulator({
      seed: 21,
      imagesPerScope: 4,
      imageTypes: ['private_image'],
      projects: [{ projectId: PROJECT, enterpriseProjects: ['0'] }],
      auth: { tokens: [TOKEN] },
      rateLimitPerMinute: RATE,
    });
    const { url } = await sim.listen();
    const env = envFor(t, url, RATE);
    // 4 + 2 + 2 ListImageRiskConfigs calls within seconds: more than RATE in one minute, which
    // each process's own log alone would allow (it starts empty).
    const started = Date.now();
    expect(await syncProcess(env)).toEqual({ code: 0, stderr: '' });
    sim.world.rescan(SCOPE, 2);
    expect(await syncProcess(env)).toEqual({ code: 0, stderr: '' });
    sim.world.rescan(SCOPE, 2);
    expect(await syncProcess(env)).toEqual({ code: 0, stderr: '' });
    const took = Date.now() - started;
    expect(sim.stats().throttled).toBe(0);
    expect(sim.stats().callsByApi).toEqual({ ListRegistryImages: 3, ListImageRiskConfigs: 8 });
    const runs = await ledger(t);
    expect(runs).toEqual([
      { status: 'succeeded', throttled: 0, calls: 5 },
      { status: 'succeeded', throttled: 0, calls: 3 },
      { status: 'succeeded', throttled: 0, calls: 3 },
    ]);
    // The third process waited for calls of the first to leave the window (one minute + margin).
    expect(took).toBeGreaterThanOrEqual(60_000);
    const rows = await budgetRows(t);
    expect(rows.map((r) => r.api)).toEqual(['ListImageRiskConfigs', 'ListRegistryImages']);
    for (const r of rows) expect(r.credential_key).toMatch(/^sha256:[0-9a-f]{64}$/);
    const dump = await t.pool.query(`select row_to_json(b)::text as j from hss_internal.api_call_budget b`);
    expect(dump.rows.map((r) => r.j).join()).not.toContain(TOKEN);
  }, 150_000);

  it('two replicas syncing at once on one credential share its budget: 0 × 429 (fake clock)', async () => {
    const RATE = 5;
    const T0 = Date.parse('2026-05-01T00:00:00Z');
    const clock = new FakeClock(T0);
    t = await createTestDatabase();
    sim = createSimulator({
      seed: 22,
      clock,
      imagesPerScope: 6,
      imageTypes: ['private_image'],
      projects: [{ projectId: PROJECT, enterpriseProjects: ['0', 'ep-b'] }],
      auth: { tokens: [TOKEN] },
      rateLimitPerMinute: RATE,
    });
    const { url } = await sim.listen();
    const db = t;
    const replica = () => {
      const config = loadConfig(
        envFor(db, url, RATE, { HSS_ENTERPRISE_PROJECT_IDS: '0,ep-b', HSS_SCOPE_CONCURRENCY: '1' }),
      );
      const app = createApp(config, { logger: pino({ level: 'silent' }), clock });
      apps.push(app);
      return app;
    };
    const [a, b] = [replica(), replica()];
    const [ra, rb] = await runWithFakeTime(
      clock,
      Promise.all([
        a.sync({ trigger: 'test', deadlineMs: null }),
        b.sync({ trigger: 'test', deadlineMs: null }),
      ]),
      250,
    );
    // Each replica synced one scope (the other's was locked), both calling HSS at once.
    expect([ra.status, rb.status]).toEqual(['succeeded', 'succeeded']);
    expect(ra.callsByApi.ListImageRiskConfigs).toBeGreaterThan(0);
    expect(rb.callsByApi.ListImageRiskConfigs).toBeGreaterThan(0);
    expect(sim.stats().callsByApi.ListImageRiskConfigs).toBe(12);
    expect(sim.stats().throttled).toBe(0);
    expect((await ledger(t)).map((r) => r.throttled)).toEqual([0, 0]);
    // Together they took what one budget needs: 12 calls at 5 a minute.
    const took = Math.max(ra.finishedAt.getTime(), rb.finishedAt.getTime()) - T0;
    expect(took).toBeGreaterThanOrEqual(2 * 60_000);
  }, 120_000);
});

describe('the call log in PostgreSQL', () => {
  it('admits up to the rate per window, says how long to wait, and forgets instants a window ahead of now', async () => {
    const t = await createTestDatabase();
    try {
      const T0 = Date.parse('2026-06-01T00:00:00Z');
      const clock = new FakeClock(T0);
      const log = createPgCallLog(t.handle, clock);
      const key = credentialKey('AKIDEXAMPLE');
      const api = 'ListImageRiskConfigs' as const;
      const first = await log.reserve(key, api, 2, 60_000);
      const second = await log.reserve(key, api, 2, 60_000);
      expect([first.ok, second.ok]).toEqual([true, true]);
      await clock.advance(10_000);
      expect(await log.reserve(key, api, 2, 60_000)).toEqual({ ok: false, waitMs: 50_000 });
      // The first call ends now: counted from its end, it leaves the window 60 s from now.
      if (!first.ok) throw new Error('unreachable');
      await log.finish(key, api, first.token);
      await clock.advance(50_000);
      // The second (still in flight, from its start) has left; the first (from its end) has not.
      expect(await log.reserve(key, api, 1, 60_000)).toEqual({ ok: false, waitMs: 10_000 });
      expect(await log.reserve(key, api, 2, 60_000)).toMatchObject({ ok: true });
      // Another credential and another API have budgets of their own.
      expect(await log.reserve(credentialKey('other'), api, 1, 60_000)).toMatchObject({ ok: true });
      expect(await log.reserve(key, 'ListRegistryImages', 1, 60_000)).toMatchObject({ ok: true });
      // A clock a year behind what was written: the future instants are not waited for.
      const back = createPgCallLog(t.handle, new FakeClock(T0 - 365 * 86_400_000));
      expect(await back.reserve(key, api, 1, 60_000)).toMatchObject({ ok: true });
      const rows = await t.pool.query(
        `select api, cardinality(calls)::int as n from hss_internal.api_call_budget where credential_key = $1 order by api`,
        [key],
      );
      expect(rows.rows).toEqual([
        { api: 'ListImageRiskConfigs', n: 1 },
        { api: 'ListRegistryImages', n: 1 },
      ]);
    } finally {
      await t.drop();
    }
  });
});
