/**
 * Switching HSS_RULE_DETAIL between `all` and `failed` against the simulator: a version is closed
 * only by an answer that covers it. A `failed` answer covers the failed rules only, so the passed
 * versions an `all` run opened stay open (they are no longer asked about, not gone); one closes
 * only when its rule is answered failing. Exact version counts in both directions.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { RunReport } from '../../src/sync/engine.js';
import { type SyncSetup, setupSync, TEST_PROJECT } from '../helpers/sync-setup.js';

const SCOPE = { projectId: TEST_PROJECT, enterpriseProjectId: '0', imageType: 'private_image' as const };
type Mode = 'all' | 'failed';

/**
 * `image|check_name|check_type|standard|rule_id|scan_result` of the rules the simulator answers
 * under `mode`: the rules of each failing baseline (check_name, standard), failed ones only under
 * `failed`.
 */
function truth(s: SyncSetup, mode: Mode): string[] {
  const out: string[] = [];
  for (const [imageId, rules] of s.sim.world.ruleTruth(SCOPE)) {
    const failing = new Set(
      rules.filter((r) => r.scanResult === 'failed').map((r) => `${r.checkName}|${r.standard}`),
    );
    for (const r of rules) {
      if (!failing.has(`${r.checkName}|${r.standard}`)) continue;
      if (mode === 'failed' && r.scanResult !== 'failed') continue;
      out.push([imageId, r.checkName, r.checkType, r.standard, r.checkRuleId, r.scanResult].join('|'));
    }
  }
  return out.sort();
}

/** Open rule versions, as truth() spells them. */
async function open(s: SyncSetup): Promise<string[]> {
  const r = await s.t.pool.query<{ k: string }>(
    `select concat_ws('|', image_id, check_name, check_type, standard, check_rule_id, scan_result) as k
       from hss_internal.image_rule_history where valid_to is null`,
  );
  return r.rows.map((x) => x.k).sort();
}

async function versions(s: SyncSetup): Promise<number> {
  const r = await s.t.pool.query(`select count(*)::int as n from hss_internal.image_rule_history`);
  return r.rows[0].n;
}

describe('HSS_RULE_DETAIL switches', () => {
  const apps: App[] = [];
  let s: SyncSetup | undefined;
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    await s?.close();
    s = undefined;
  });

  /** A run of an app on the same database and simulator, under `mode`. */
  async function runAs(mode: Mode): Promise<RunReport> {
    const setup = s as SyncSetup;
    const app = createApp(
      loadConfig({
        DATABASE_URL: setup.t.url,
        HSS_REGION: 'cn-north-4',
        HSS_PROJECT_ID: TEST_PROJECT,
        HSS_ENDPOINT: setup.simUrl,
        HSS_IAM_ENDPOINT: setup.simUrl,
        HSS_AUTH_TOKEN: 'test-token',
        HSS_IMAGE_TYPES: 'private_image',
        HSS_RATE_LIMIT_PER_MINUTE: '100000',
        HSS_RULE_DETAIL: mode,
      }),
      { logger: pino({ level: 'silent' }) },
    );
    apps.push(app);
    const report = await app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.status).toBe('succeeded');
    return report;
  }

  it('all → failed keeps every passed version open; a rescan then closes only what a failed answer covers', async () => {
    s = await setupSync({ sim: { seed: 8, imagesPerScope: 6, imageTypes: ['private_image'] } });
    const first = await runAs('all');
    const all = truth(s, 'all');
    const passed = all.filter((k) => !k.endsWith('|failed'));
    expect(passed.length).toBeGreaterThan(20);
    expect(await open(s)).toEqual(all);
    expect(first.ruleCounts).toMatchObject({ ruleVersionsOpened: all.length, ruleVersionsClosed: 0 });

    // The switch: every image is due again (its rules were fetched under another mode), and the
    // failed answers change nothing: no version closes, none opens.
    const second = await runAs('failed');
    expect(second.ruleCounts).toMatchObject({
      ruleImagesFetched: second.ruleCounts?.ruleImagesDue,
      ruleVersionsOpened: 0,
      ruleVersionsClosed: 0,
    });
    expect(second.ruleCounts?.ruleImagesDue).toBeGreaterThan(0);
    expect(await open(s)).toEqual(all);
    expect(await versions(s)).toBe(all.length);

    // A rescan under `failed`: failed versions the answer does not repeat close, passed versions
    // stay open unless their rule fails now (then they close and the failed one opens).
    const before = await open(s);
    const [rescanned] = s.sim.world.rescan(SCOPE, 1);
    const after = truth(s, 'failed');
    const ruleOf = (k: string) => k.split('|').slice(0, 5).join('|');
    const failingNow = new Set(after.map(ruleOf));
    const closes = before.filter((k) =>
      k.endsWith('|failed') ? !after.includes(k) : failingNow.has(ruleOf(k)),
    );
    const opens = after.filter((k) => !before.includes(k));
    expect(closes.length + opens.length).toBeGreaterThan(0);
    expect(closes.every((k) => k.startsWith(`${rescanned}|`))).toBe(true);
    const third = await runAs('failed');
    expect(third.ruleCounts).toMatchObject({
      ruleImagesFetched: 1,
      ruleVersionsOpened: opens.length,
      ruleVersionsClosed: closes.length,
    });
    const expected = [...before.filter((k) => !closes.includes(k)), ...opens].sort();
    expect(await open(s)).toEqual(expected);
    // No rule is open twice.
    expect(new Set(expected.map(ruleOf)).size).toBe(expected.length);
    expect(await versions(s)).toBe(all.length + opens.length);
  });

  it('failed → all opens the passed versions and closes none; back to failed closes none', async () => {
    s = await setupSync({ sim: { seed: 8, imagesPerScope: 6, imageTypes: ['private_image'] } });
    const first = await runAs('failed');
    const failed = truth(s, 'failed');
    const all = truth(s, 'all');
    expect(await open(s)).toEqual(failed);
    expect(first.ruleCounts).toMatchObject({ ruleVersionsOpened: failed.length, ruleVersionsClosed: 0 });

    const second = await runAs('all');
    expect(second.ruleCounts).toMatchObject({
      ruleVersionsOpened: all.length - failed.length,
      ruleVersionsClosed: 0,
    });
    expect(await open(s)).toEqual(all);

    const third = await runAs('failed');
    expect(third.ruleCounts).toMatchObject({ ruleVersionsOpened: 0, ruleVersionsClosed: 0 });
    expect(third.ruleCounts?.ruleImagesFetched).toBeGreaterThan(0);
    expect(await open(s)).toEqual(all);
    expect(await versions(s)).toBe(all.length);
  });
});
