import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import type { ImageType } from '../../src/domain.js';
import type { Simulator } from '../../src/simulator/index.js';
import type { TestDatabase } from '../helpers/db.js';
import { runWithFakeTime, type SyncSetup, setupSync, TEST_PROJECT } from '../helpers/sync-setup.js';

const PROJECT = 'proj-rules';
const TYPES: ImageType[] = ['private_image', 'local_image'];
const scopeOf = (imageType: ImageType) => ({ projectId: PROJECT, enterpriseProjectId: '0', imageType });

/** `image_type|image_id|check_name|check_type|standard|rule_id` of every failed rule the simulator holds. */
function truthFailed(sim: Simulator): string[] {
  const out: string[] = [];
  for (const type of TYPES) {
    for (const [imageId, rules] of sim.world.ruleTruth(scopeOf(type))) {
      for (const r of rules) {
        if (r.scanResult !== 'failed') continue;
        out.push([type, imageId, r.checkName, r.checkType, r.standard, r.checkRuleId].join('|'));
      }
    }
  }
  return out.sort();
}

async function storedFailed(t: TestDatabase): Promise<string[]> {
  const r = await t.pool.query<{ k: string }>(
    `select concat_ws('|', image_type, image_id, check_name, check_type, standard, check_rule_id) as k
       from hss_internal.image_rule_history where valid_to is null and scan_result = 'failed'`,
  );
  return r.rows.map((x) => x.k).sort();
}

/** Baselines whose stored failed rules do not number their failed_rule_num (should be none). */
async function countMismatches(t: TestDatabase): Promise<unknown[]> {
  const r = await t.pool.query(
    `select b.image_type, b.image_id, b.check_name, b.check_type, b.standard, b.failed_rule_num,
            (select count(*)::int from hss.image_failed_rules f
              where f.project_id = b.project_id and f.enterprise_project_id = b.enterprise_project_id
                and f.image_type = b.image_type and f.image_id = b.image_id and f.check_name = b.check_name
                and f.check_type = b.check_type and f.standard = b.standard) as stored
       from hss.image_baselines b`,
  );
  return r.rows.filter((x) => x.stored !== x.failed_rule_num);
}

const ruleCalls = (sim: Simulator) => sim.stats().callsByApi.ListImageRiskConfigRules ?? 0;
const detailCalls = (sim: Simulator) => sim.stats().callsByApi.ShowImageCheckRuleDetail ?? 0;

describe('rule drill-down against the simulator', () => {
  let t: TestDatabase;
  let sim: Simulator;
  let app: App;
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));

  let s: SyncSetup | undefined;

  beforeAll(async () => {
    s = await setupSync({
      sim: {
        seed: 21,
        imagesPerScope: 10,
        projects: [{ projectId: PROJECT, enterpriseProjects: ['0'] }],
        imageTypes: TYPES,
      },
      env: {
        HSS_PROJECT_ID: PROJECT,
        HSS_IMAGE_TYPES: TYPES.join(','),
        HSS_FETCH_CONCURRENCY: '4',
        HSS_PAGE_SIZE: '10',
      },
      clock,
    });
    ({ t, sim, app } = s);
    expect(app.config.ruleDetail).toBe('failed');
  });

  afterAll(async () => {
    await s?.close();
  });

  it('stores, for every image and baseline, exactly its failed rules, and each description once', async () => {
    const report = await app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.status).toBe('succeeded');
    const truth = truthFailed(sim);
    expect(truth.length).toBeGreaterThan(50);
    expect(await storedFailed(t)).toEqual(truth);
    expect(await countMismatches(t)).toEqual([]);
    // Failed-only mode stores no passed rule.
    const pass = await t.pool.query(
      `select count(*)::int as n from hss_internal.image_rule_history where scan_result <> 'failed'`,
    );
    expect(pass.rows[0].n).toBe(0);
    // ShowImageCheckRuleDetail is asked per image and failed rule (current_value is that
    // image's value), one call each; the answers store one description per distinct rule and one
    // row of current values per image and failed rule. Every failed rule has its remediation.
    const distinct = new Set(truth.map((k) => k.split('|').slice(2).join('|')));
    expect(distinct.size).toBeLessThan(truth.length);
    expect(detailCalls(sim)).toBe(truth.length);
    const desc = await t.pool.query(`select count(*)::int as n from hss_internal.rule_descriptions`);
    expect(desc.rows[0].n).toBe(distinct.size);
    const values = await t.pool.query<{ k: string }>(
      `select concat_ws('|', image_type, image_id, check_name, check_type, standard, check_rule_id) as k
         from hss_internal.image_rule_values`,
    );
    expect(values.rows.map((x) => x.k).sort()).toEqual(truth);
    const noFix = await t.pool.query(
      `select count(*)::int as n from hss.image_failed_rules where remediation is null or remediation not like 'Set %'`,
    );
    expect(noFix.rows[0].n).toBe(0);
    // The ledger: every image with results was due and fetched, nothing pending.
    const due = await t.pool.query(
      `select count(*)::int as n from hss_internal.image_contents where outcome = 'fetched'`,
    );
    const run = await t.pool.query(
      `select rule_images_due, rule_images_fetched, rule_images_pending, rule_versions_opened,
              rule_descriptions_fetched, calls_by_api->>'ListImageRiskConfigRules' as rule_calls
         from hss_internal.sync_runs where run_id = $1`,
      [report.runId],
    );
    expect(run.rows).toEqual([
      {
        rule_images_due: due.rows[0].n,
        rule_images_fetched: due.rows[0].n,
        rule_images_pending: 0,
        rule_versions_opened: truth.length,
        rule_descriptions_fetched: distinct.size,
        rule_calls: String(ruleCalls(sim)),
      },
    ]);
  });

  it('rejects an overlapping version of a rule result (exclusion constraint on the hashed key)', async () => {
    const open = await t.pool.query(
      `select version_id, valid_from from hss_internal.image_rule_history where valid_to is null order by version_id limit 1`,
    );
    const err = await t.pool
      .query(
        `insert into hss_internal.image_rule_history (project_id, enterprise_project_id, image_type, image_id, check_name,
           check_type, standard, check_rule_id, check_rule_name, severity, scan_result, valid_from, valid_to)
         select project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard,
                check_rule_id, check_rule_name, severity, scan_result, valid_from - interval '1 hour', valid_from + interval '1 second'
           from hss_internal.image_rule_history where version_id = $1`,
        [open.rows[0].version_id],
      )
      .catch((e: { code?: string; constraint?: string }) => e);
    expect([(err as { code?: string }).code, (err as { constraint?: string }).constraint]).toEqual([
      '23P01',
      'image_rule_history_no_overlap',
    ]);
  });

  it('calls neither rule API and writes nothing on an unchanged re-sync', async () => {
    const tuples = async () =>
      (await t.pool.query(`select version_id, xmin::text from hss_internal.image_rule_history order by 1`))
        .rows;
    const before = await tuples();
    const [rules, details] = [ruleCalls(sim), detailCalls(sim)];
    await clock.advance(60_000);
    const report = await app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.status).toBe('succeeded');
    expect(ruleCalls(sim) - rules).toBe(0);
    expect(detailCalls(sim) - details).toBe(0);
    expect(await tuples()).toEqual(before);
    const run = await t.pool.query(
      `select rule_images_due, rule_images_pending from hss_internal.sync_runs where run_id = $1`,
      [report.runId],
    );
    expect(run.rows).toEqual([{ rule_images_due: 0, rule_images_pending: 0 }]);
  });

  it('after K rescans calls the rules API only for the rescanned images, and stays exact', async () => {
    const rescanned = sim.world.rescan(scopeOf('private_image'), 3);
    expect(rescanned).toHaveLength(3);
    sim.resetStats();
    await clock.advance(60_000);
    const report = await app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.status).toBe('succeeded');
    const called = Object.keys(sim.stats().ruleCallsByImageId).sort();
    expect(called.length).toBeGreaterThan(0);
    expect(called.every((id) => rescanned.includes(id))).toBe(true);
    expect(await storedFailed(t)).toEqual(truthFailed(sim));
    expect(await countMismatches(t)).toEqual([]);
  });

  it('closes the failed rule versions of a baseline that stops failing', async () => {
    const d = sim.world.scopeData(PROJECT, '0', 'private_image');
    const content = d?.refs.map((r) => r.content).find((c) => c.rows.some((row) => row.failedRuleNum > 0));
    if (!content) throw new Error('no failing image in the world');
    for (const row of content.rows) {
      row.failedRuleNum = 0;
      row.severity = 'Security';
    }
    content.latestScanTime = (content.latestScanTime ?? 0) + 1;
    const open = async () =>
      (
        await t.pool.query(
          `select count(*)::int as n from hss_internal.image_rule_history where image_id = $1 and valid_to is null`,
          [content.imageId],
        )
      ).rows[0].n;
    expect(await open()).toBeGreaterThan(0);
    sim.resetStats();
    await clock.advance(60_000);
    const report = await app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.status).toBe('succeeded');
    expect(await open()).toBe(0);
    // The summary proved it: no rule call was needed.
    expect(sim.stats().ruleCallsByImageId[content.imageId]).toBeUndefined();
    expect(await storedFailed(t)).toEqual(truthFailed(sim));
    // The as-of function still shows the rules failing just before.
    const asOf = await t.pool.query(
      `select count(*)::int as n from hss.image_baseline_rules_as_of($1) where image_id = $2 and scan_result = 'failed'`,
      [new Date(clock.now() - 30_000), content.imageId],
    );
    expect(asOf.rows[0].n).toBeGreaterThan(0);
  });
});

describe('rule drill-down and retirement', () => {
  it('closes the rules of an image that left upstream, and refetches them when it comes back', async () => {
    const s = await setupSync({ sim: { seed: 8, imagesPerScope: 6, imageTypes: ['private_image'] } });
    const scope = { projectId: TEST_PROJECT, enterpriseProjectId: '0', imageType: 'private_image' as const };
    try {
      expect((await s.app.sync({ trigger: 'test', deadlineMs: null })).status).toBe('succeeded');
      const [gone] = [...s.sim.world.ruleTruth(scope)].find(([, rules]) =>
        rules.some((r) => r.scanResult === 'failed'),
      ) ?? [undefined];
      if (!gone) throw new Error('no failing image');
      const open = async () =>
        (
          await s.t.pool.query(
            `select count(*)::int as n from hss_internal.image_rule_history where image_id = $1 and valid_to is null`,
            [gone],
          )
        ).rows[0].n;
      const before = await open();
      expect(before).toBeGreaterThan(0);
      const tags = s.sim.world.images(scope).filter((i) => i.image_id === gone);
      s.sim.world.removeImage(scope, gone);
      expect((await s.app.sync({ trigger: 'test', deadlineMs: null })).status).toBe('succeeded');
      expect(await open()).toBe(0);
      // Back (with results generated anew): its rules are fetched again, and only its.
      for (const tag of tags) s.sim.world.addImage(scope, { ...tag, namespace: tag.namespace ?? '' });
      s.sim.resetStats();
      expect((await s.app.sync({ trigger: 'test', deadlineMs: null })).status).toBe('succeeded');
      expect(Object.keys(s.sim.stats().ruleCallsByImageId)).toEqual([gone]);
      const failedNow = s.sim.world
        .ruleTruth(scope)
        .get(gone)
        ?.filter((r) => r.scanResult === 'failed');
      expect(await open()).toBe(failedNow?.length);
    } finally {
      await s.close();
    }
  });
});

describe('rule drill-down modes, faults and budget', () => {
  it('HSS_RULE_DETAIL=all stores every rule of each failing baseline; off calls neither rule API', async () => {
    const s = await setupSync({
      sim: { seed: 8, imagesPerScope: 6, imageTypes: ['private_image'] },
      env: { HSS_RULE_DETAIL: 'all' },
    });
    try {
      expect((await s.app.sync({ trigger: 'test', deadlineMs: null })).status).toBe('succeeded');
      const r = await s.t.pool.query(
        `select b.image_id, b.check_name, b.check_type, b.standard, b.check_rule_num, b.failed_rule_num,
                count(h.*) filter (where h.scan_result = 'failed')::int as failed,
                count(h.*) filter (where h.scan_result = 'pass')::int as passed
           from hss.image_baselines b
           left join hss_internal.image_rule_history h on h.valid_to is null and h.image_id = b.image_id
            and h.check_name = b.check_name and h.check_type = b.check_type and h.standard = b.standard
          group by 1, 2, 3, 4, 5, 6`,
      );
      expect(r.rows.length).toBeGreaterThan(3);
      for (const row of r.rows) {
        const fails = row.failed_rule_num > 0;
        expect([row.failed, row.passed]).toEqual(
          fails ? [row.failed_rule_num, row.check_rule_num - row.failed_rule_num] : [0, 0],
        );
      }
    } finally {
      await s.close();
    }
    const off = await setupSync({
      sim: { seed: 8, imagesPerScope: 6, imageTypes: ['private_image'] },
      env: { HSS_RULE_DETAIL: 'off' },
    });
    try {
      const report = await off.app.sync({ trigger: 'test', deadlineMs: null });
      expect(report.status).toBe('succeeded');
      expect(report.ruleCounts).toBeUndefined();
      expect(Object.keys(off.sim.stats().callsByApi).sort()).toEqual([
        'ListImageRiskConfigs',
        'ListRegistryImages',
      ]);
      const rules = await off.t.pool.query(`select count(*)::int as n from hss_internal.image_rule_history`);
      expect(rules.rows[0].n).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('under 503s and invalid items on the rule APIs ends exact, leaving what failed due for the next run', async () => {
    const logs: Record<string, unknown>[] = [];
    const s = await setupSync({
      sim: {
        seed: 12,
        imagesPerScope: 8,
        imageTypes: ['private_image'],
        faults: {
          seed: 3,
          onlyApis: ['ListImageRiskConfigRules'],
          invalidItemRate: 0.02,
          errorRates: [
            { api: 'ListImageRiskConfigRules', status: 503, rate: 0.3 },
            { api: 'ShowImageCheckRuleDetail', status: 503, rate: 0.3 },
          ],
        },
      },
      env: { HSS_HTTP_MAX_ATTEMPTS: '2' },
      logger: pino(
        { level: 'warn' },
        new Writable({
          write(chunk: Buffer, _enc, done) {
            for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
            done();
          },
        }),
      ),
    });
    try {
      const first = await s.app.sync({ trigger: 'test', deadlineMs: null });
      expect(first.status).toBe('succeeded');
      expect(s.sim.stats().faultsInjected.error).toBeGreaterThan(0);
      // Each schema-invalid rule row (check_rule_id true) is quarantined alone; its
      // image's other rows are written, nothing of it is closed, and it stays due (pending).
      const invalid = s.sim.stats().faultsInjected.invalidItem ?? 0;
      expect(invalid).toBeGreaterThan(0);
      const rowsQuarantined = logs.filter(
        (l) => l.msg === 'schema-invalid item quarantined' && l.api === 'ListImageRiskConfigRules',
      );
      expect(rowsQuarantined).toHaveLength(invalid);
      const withInvalidRows = new Set(rowsQuarantined.map((l) => String(l.imageId)));
      const failedImages = new Set(
        logs.filter((l) => l.msg === 'rule fetch failed; the image stays due').map((l) => String(l.imageId)),
      );
      const leftDue = new Set([...withInvalidRows, ...failedImages]);
      expect(withInvalidRows.size).toBeGreaterThan(0);
      expect(first.ruleCounts?.ruleImagesPending).toBe(leftDue.size);
      expect(first.ruleCounts?.ruleImagesFetched).toBe((first.ruleCounts?.ruleImagesDue ?? 0) - leftDue.size);
      const incomplete = logs.filter(
        (l) => l.msg === 'rule drill-down incomplete; what is left stays due for the next run',
      );
      expect(incomplete.map((l) => l.ruleImagesPending)).toEqual([leftDue.size]);
      expect(String((incomplete[0]?.problems as string[] | undefined)?.[0])).toContain(
        `${withInvalidRows.size} image(s) with schema-invalid rule answers (quarantined), left due`,
      );
      // Their valid rows are written already (open versions of those images).
      const open = await s.t.pool.query<{ image_id: string }>(
        `select distinct image_id from hss_internal.image_rule_history where valid_to is null`,
      );
      const openImages = new Set(open.rows.map((r) => r.image_id));
      expect([...withInvalidRows].filter((id) => !openImages.has(id))).toEqual([]);
      s.sim.setFaults({});
      const second = await s.app.sync({ trigger: 'test', deadlineMs: null });
      expect(second.ruleCounts?.ruleImagesPending).toBe(0);
      expect(second.ruleCounts?.ruleImagesDue).toBe(leftDue.size);
      expect(second.ruleCounts?.ruleImagesFetched).toBe(leftDue.size);
      const truth: string[] = [];
      for (const [imageId, rules] of s.sim.world.ruleTruth({
        projectId: TEST_PROJECT,
        enterpriseProjectId: '0',
        imageType: 'private_image',
      })) {
        for (const r of rules) {
          if (r.scanResult === 'failed') {
            truth.push(
              ['private_image', imageId, r.checkName, r.checkType, r.standard, r.checkRuleId].join('|'),
            );
          }
        }
      }
      expect(await storedFailed(s.t)).toEqual(truth.sort());
      const noDesc = await s.t.pool.query(
        `select count(*)::int as n from hss.image_failed_rules where remediation is null`,
      );
      expect(noDesc.rows[0].n).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('makes the same summary calls with the drill-down on, and the run deadline bounds it', async () => {
    const summaryCalls: Record<string, number> = {};
    for (const mode of ['off', 'failed']) {
      const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
      const s = await setupSync({
        clock,
        sim: { seed: 4, imagesPerScope: 8, imageTypes: ['private_image'] },
        env: { HSS_RATE_LIMIT_PER_MINUTE: '5', HSS_RULE_DETAIL: mode, HSS_FETCH_CONCURRENCY: '2' },
      });
      try {
        const report = await runWithFakeTime(
          clock,
          s.app.sync({ trigger: 'test', deadlineMs: 10 * 60_000 }),
          1000,
        );
        expect(report.status).toBe('succeeded');
        summaryCalls[mode] = s.sim.stats().callsByApi.ListImageRiskConfigs ?? 0;
        if (mode === 'failed') {
          // The drill-down works beside the summaries: rule versions open before the
          // scope's summaries are all written (both stamped by the same fake clock).
          const order = await s.t.pool.query(
            `select (select min(valid_from) from hss_internal.image_rule_history) < (select max(finished_at) from hss_internal.sync_scope_runs) as before`,
          );
          expect(order.rows[0].before).toBe(true);
          // The run stopped at its deadline (its timing is checked exactly in src/sync/engine.test.ts;
          // here fake time runs on while real I/O completes): without it the descriptions alone
          // would take hours. What is left is recorded and due next run.
          const left = report.apiBacklog?.find((a) => a.api === 'ShowImageCheckRuleDetail');
          expect(left?.callsDue).toBeGreaterThan(0);
          const desc = await s.t.pool.query(
            `select count(distinct rule_key)::int as due,
                    count(distinct rule_key) filter (where d.rule_key is not null)::int as have
               from hss_internal.image_rule_history h left join hss_internal.rule_descriptions d using (rule_key)`,
          );
          expect(desc.rows[0].have).toBe(report.ruleCounts?.ruleDescriptionsFetched);
          expect(desc.rows[0].have).toBeLessThan(desc.rows[0].due);
        }
      } finally {
        await s.close();
      }
    }
    // The summaries make the same calls either way, with the drill-down beside them (above). That
    // they keep their timing is checked to the instant in rules-overlap.test.ts (runQuiescent):
    // here fake time runs on while real I/O completes, so this test checks the wiring only.
    expect(summaryCalls.failed).toBe(summaryCalls.off);
  });
});
