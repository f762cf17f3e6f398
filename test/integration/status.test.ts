/**
 * `status` against a database filled by real syncs (simulator over loopback HTTP), with a fake
 * clock so ages and freshness are exact: both the text and the `--json` output.
 */
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import type { CliIo } from '../../src/cli.js';
import { FakeClock } from '../../src/clock.js';
import { run as cmdStatus } from '../../src/commands/status.js';
import { loadConfig } from '../../src/config/load.js';
import type { Simulator } from '../../src/simulator/index.js';
import type { StatusReport } from '../../src/status-format.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startSimTarget } from '../helpers/sim-target.js';

const PROJECT = 'proj-status';
const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const MIN = 60_000;
const PRIVATE = { projectId: PROJECT, enterpriseProjectId: '0', imageType: 'private_image' as const };
const SHARED = { projectId: PROJECT, enterpriseProjectId: '0', imageType: 'shared_image' as const };

async function runStatus(env: CliIo['env'], args: string[], clock: FakeClock): Promise<string> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await cmdStatus({ env, stdout, stderr: new PassThrough() }, args, clock);
  expect(code).toBe(0);
  return Buffer.concat(chunks).toString('utf8');
}

describe('status against a synced database', () => {
  let t: TestDatabase;
  let sim: Simulator;
  let app: App;
  const clock = new FakeClock(T0);
  const runIds: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    const target = await startSimTarget({
      project: PROJECT,
      token: 'status-token',
      seed: 21,
      imagesPerScope: 6,
      imageTypes: ['private_image', 'shared_image'],
    });
    sim = target.sim;
    const config = loadConfig({
      DATABASE_URL: t.url,
      ...target.env,
      HSS_RATE_LIMIT_PER_MINUTE: '100000',
      HSS_HTTP_MAX_ATTEMPTS: '1',
    });
    app = createApp(config, { logger: pino({ level: 'silent' }), clock });
    // Six contents per scope, all scanned (some with several tags).
    for (const scope of [PRIVATE, SHARED]) {
      const rows = sim.world.images(scope);
      expect(new Set(rows.map((r) => r.image_id)).size).toBe(6);
      expect(rows.every((r) => r.scan_status === 'success')).toBe(true);
    }

    // Run 1 at T0: everything fetched.
    runIds.push((await app.sync({ trigger: 'test', deadlineMs: null })).runId);
    // Run 2 at T0+60m: three private images rescanned and fetched again.
    await clock.advance(60 * MIN);
    sim.world.rescan(PRIVATE, 3);
    const r2 = await app.sync({ trigger: 'test', deadlineMs: null });
    expect(r2.status).toBe('succeeded');
    runIds.push(r2.runId);
    // Run 3 at T0+70m: two shared images rescanned, but every result fetch fails: 2 pending.
    await clock.advance(10 * MIN);
    sim.world.rescan(SHARED, 2);
    sim.setFaults({ errorRates: [{ api: 'ListImageRiskConfigs', status: 400, rate: 1 }] });
    const r3 = await app.sync({ trigger: 'test', deadlineMs: null });
    sim.setFaults({});
    expect(r3.status).toBe('partial');
    runIds.push(r3.runId);
    // status runs at T0+90m, and calls results older than 1 h stale.
    await clock.advance(20 * MIN);
  });

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await t?.drop();
  });

  const env = () => ({ DATABASE_URL: t.url, HSS_MAX_RESULT_AGE: '1h', SYNC_SCHEDULE: '0 0 1 1 *' });

  it('--json: recent runs with outcome, duration and counts; per scope images, fresh, pending, oldest age', async () => {
    const report = JSON.parse(await runStatus(env(), ['--json'], clock)) as StatusReport;
    expect(report.generatedAt).toBe(new Date(T0 + 90 * MIN).toISOString());
    expect(report.maxResultAgeSeconds).toBe(3600);
    const year = new Date().getUTCFullYear() + 1;
    expect(report.schedule).toEqual({
      expression: '0 0 1 1 *',
      timezone: 'UTC',
      nextRun: new Date(Date.UTC(year, 0, 1)).toISOString(),
      source: 'SYNC_SCHEDULE',
    });

    expect(report.runs.map((r) => [r.runId, r.status, r.trigger, r.startedAt, r.durationSeconds])).toEqual([
      [runIds[2], 'partial', 'test', new Date(T0 + 70 * MIN).toISOString(), 0],
      [runIds[1], 'succeeded', 'test', new Date(T0 + 60 * MIN).toISOString(), 0],
      [runIds[0], 'succeeded', 'test', new Date(T0).toISOString(), 0],
    ]);
    const [r3, r2, r1] = report.runs;
    expect(r1!.scopes).toEqual({ total: 2, succeeded: 2, partial: 0, failed: 0 });
    expect(r1!.counts).toMatchObject({ imagesDistinct: 12, imagesDue: 12, imagesFetched: 12 });
    expect(r1!.counts.imagesPending).toBe(0);
    // The rule drill-down: every image with results had its rules due, and got them.
    expect(r1!.counts).toMatchObject({ ruleImagesDue: 12, ruleImagesFetched: 12, ruleImagesPending: 0 });
    // Run 3's summaries were not fetched, so no image's rules became due.
    expect(r3!.counts).toMatchObject({ ruleImagesDue: 0, ruleImagesFetched: 0, ruleImagesPending: 0 });
    expect(r2!.counts).toMatchObject({ imagesDue: 3, imagesFetched: 3, imagesPending: 0, throttled: 0 });
    expect(r3!.scopes).toEqual({ total: 2, succeeded: 1, partial: 1, failed: 0 });
    expect(r3!.counts).toMatchObject({ imagesDue: 2, imagesFetched: 0, imagesPending: 2 });
    expect(r3!.error).toContain('2 image(s) failed to fetch');
    // Per API: calls made, still due, and the time each API's own budget needs for them.
    const api = (name: string, made: number, due: number, catchUp: number) => ({
      api: name,
      callsMade: made,
      callsDue: due,
      ratePerMinute: 100000,
      catchUpSeconds: catchUp,
    });
    expect(r3!.apis).toEqual([
      api('ListImageRiskConfigRules', 0, 0, 0),
      api('ListImageRiskConfigs', 2, 2, 1),
      api('ListRegistryImages', 2, 0, 0),
      api('ShowImageCheckRuleDetail', 0, 0, 0),
    ]);
    expect(r3!.catchUpSeconds).toBe(1);
    expect(r2!.apis.find((a) => a.api === 'ListImageRiskConfigs')).toEqual(
      api('ListImageRiskConfigs', 3, 0, 0),
    );

    expect(report.scopes).toEqual([
      {
        target: `cn-north-4/${PROJECT}`,
        projectId: PROJECT,
        enterpriseProjectId: '0',
        imageType: 'private_image',
        images: 6,
        // The three refetched at T0+60m; the rest were fetched at T0, 90 minutes ago.
        fresh: 3,
        pending: 0,
        oldestResultAgeSeconds: 90 * 60,
        lastStatus: 'succeeded',
        lastSuccessAt: new Date(T0 + 70 * MIN).toISOString(),
        coverage: { covered: 6, not_scanned: 0, scan_failed: 0, no_results: 0, inconsistent: 0, pending: 0 },
      },
      {
        target: `cn-north-4/${PROJECT}`,
        projectId: PROJECT,
        enterpriseProjectId: '0',
        imageType: 'shared_image',
        images: 6,
        // The two rescanned at T0+70m failed to fetch: their results are still from T0.
        fresh: 0,
        pending: 2,
        oldestResultAgeSeconds: 90 * 60,
        lastStatus: 'partial',
        lastSuccessAt: new Date(T0 + 60 * MIN).toISOString(),
        // The two rescanned ones: results of an older scan than the listing shows.
        coverage: { covered: 4, not_scanned: 0, scan_failed: 0, no_results: 0, inconsistent: 0, pending: 2 },
      },
    ]);
  });

  it('text: the same facts as aligned tables, the next run and what fresh and pending mean', async () => {
    const text = await runStatus(env(), ['--runs', '2'], clock);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Recent runs (newest first):');
    expect(lines[1]).toMatch(
      /^ {2}started +status +trigger +duration +scopes +images +due +fetched +pending +versions +rules +rules pending +calls +429s +quarantined +error$/,
    );
    expect(lines[3]).toMatch(
      /^ {2}2026-03-01 13:10:00Z +partial +test +0\.0s +1\/2 +\d+ +2 +0 +2 +\+0\/-0 +0\/0 +0 /,
    );
    expect(lines[4]).toMatch(
      /^ {2}2026-03-01 13:00:00Z +succeeded +test +0\.0s +2\/2 +\d+ +3 +3 +0 +\+\d+\/-\d+ +(\d)\/\1 +0 /,
    );
    // The table cuts the error cell; the newest finished run's problems follow it whole.
    expect(lines[5]).toMatch(
      /^Last finished run \(partial\): proj-status\/0\/shared_image: 2 image\(s\) failed to fetch: HSS_API_ERROR: ListImageRiskConfigs GET \/v5\/proj-status\/image\/baseline\/risk-configs HTTP 400 HSS\.0001 "Invalid parameter" request_id=\S+$/,
    );
    expect(lines[6]).toBe('');
    expect(lines[7]).toBe('Scopes:');
    expect(lines[8]).toMatch(/^ {2}scope +images +fresh +pending +oldest result +last status +last success$/);
    expect(lines.slice(10, 12)).toEqual([
      '  proj-status/0/private_image  6       3      0        1h 30m         succeeded    2026-03-01 13:10:00Z',
      '  proj-status/0/shared_image   6       0      2        1h 30m         partial      2026-03-01 13:00:00Z',
    ]);
    // Coverage now, per scope and state.
    const coverage = lines.indexOf('Coverage now (images per state; docs/sql.md "Coverage"):');
    expect(coverage).toBeGreaterThan(11);
    expect(lines[coverage + 1]).toMatch(
      /^ {2}scope +covered +not scanned +scan failed +no results +inconsistent +pending$/,
    );
    expect(lines.slice(coverage + 3, coverage + 5).map((l) => l.trim().split(/ +/))).toEqual([
      ['proj-status/0/private_image', '6', '0', '0', '0', '0', '0'],
      ['proj-status/0/shared_image', '4', '0', '0', '0', '0', '2'],
    ]);
    // The newest run's call budget per API.
    const budget = lines.indexOf(
      'Call budget per API (run of 2026-03-01 13:10:00Z, partial; catches up in 1s):',
    );
    expect(budget).toBeGreaterThan(10);
    expect(lines[budget + 1]).toMatch(/^ {2}api +calls made +calls due +per minute +catch-up$/);
    expect(lines.slice(budget + 3, budget + 7).map((l) => l.trim().split(/ +/))).toEqual([
      ['ListImageRiskConfigRules', '0', '0', '100000', '0s'],
      ['ListImageRiskConfigs', '2', '2', '100000', '1s'],
      ['ListRegistryImages', '2', '0', '100000', '0s'],
      ['ShowImageCheckRuleDetail', '0', '0', '100000', '0s'],
    ]);
    const year = new Date().getUTCFullYear() + 1;
    expect(text).toContain(
      `Next run: ${year}-01-01 00:00:00Z (schedule "0 0 1 1 *" in UTC, if the daemon is running)\n`,
    );
    expect(text).toContain(
      "fresh = checked within 1h (HSS_MAX_RESULT_AGE); pending = due but not fetched in the scope's last run; rules = images whose failed rules were fetched / due (HSS_RULE_DETAIL), rules pending = left due for the next run; quarantined = schema-invalid listing items and results skipped (logged with their request id); coverage: covered = results of the listed scan that agree with the listing, inconsistent = the listing's unsafe settings and the results disagree, pending = results not fetched for the listed scan yet, no results = HSS answered none, not scanned / scan failed = as HSS lists it\n",
    );
  });

  it('says to migrate first on a database without the schema', async () => {
    const empty = await createTestDatabase({ migrate: false });
    try {
      await expect(
        cmdStatus(
          { env: { DATABASE_URL: empty.url }, stdout: new PassThrough(), stderr: new PassThrough() },
          [],
          clock,
        ),
      ).rejects.toThrow('the database has no hss schema yet: run `hss-baseline-sync migrate` first');
    } finally {
      await empty.drop();
    }
  });
});
