/**
 * End to end through the simulator over HTTP: every image type synced through the APIs
 * of its matrix row (src/hss/api-matrix.ts, docs/hss-api.md "Image type × API"), stored summaries
 * equal to the simulator's truth with their source API, cicd summaries derived from rule results
 * (or, switched, from ListImageRiskConfigs), per-image rule values, and scan times.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { IMAGE_TYPES, type ImageType } from '../../src/domain.js';
import { apisFor, type CicdSummaries } from '../../src/hss/api-matrix.js';
import type { Simulator } from '../../src/simulator/index.js';
import { currentValueOf } from '../../src/simulator/rule-gen.js';
import { replaceNul } from '../../src/text.js';
import type { TestDatabase } from '../helpers/db.js';
import { type SyncSetup, setupSync, TEST_PROJECT } from '../helpers/sync-setup.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const scopeOf = (imageType: ImageType) => ({ projectId: TEST_PROJECT, enterpriseProjectId: '0', imageType });

/** (NUL stored as U+FFFD, src/text.ts) `image_id|check_name|check_type|standard|severity|check_rule_num|failed_rule_num|check_type_desc|source_api` */
function truthBaselines(sim: Simulator, type: ImageType, sourceApi: string): string[] {
  const out: string[] = [];
  for (const [imageId, rows] of sim.world.groundTruth(scopeOf(type))) {
    for (const r of rows) {
      out.push(
        replaceNul(
          [
            imageId,
            r.checkName,
            r.checkType,
            r.standard,
            r.severity,
            r.checkRuleNum,
            r.failedRuleNum,
            r.checkTypeDesc,
            sourceApi,
          ].join('|'),
        ),
      );
    }
  }
  return out.sort();
}

async function storedBaselines(t: TestDatabase, type: ImageType): Promise<string[]> {
  const r = await t.pool.query<{ k: string }>(
    `select concat_ws('|', image_id, check_name, check_type, standard, coalesce(severity, ''), check_rule_num,
            failed_rule_num, coalesce(check_type_desc, ''), source_api) as k
       from hss.image_baselines where image_type = $1`,
    [type],
  );
  return r.rows.map((x) => x.k).sort();
}

/** The APIs the matrix says serve `type` (list, summaries, rules when any fail, rule details). */
function expectedApis(type: ImageType, cicd: CicdSummaries): string[] {
  const m = apisFor(type, cicd);
  const apis = new Set<string>([m.list, m.summaries]);
  if (m.rules) apis.add(m.rules);
  if (m.ruleDetail) apis.add('ShowImageCheckRuleDetail');
  return [...apis].sort();
}

async function syncType(type: ImageType, cicd: CicdSummaries = 'derived') {
  const s = await setupSync({
    clock: new FakeClock(T0),
    sim: {
      seed: 14,
      imagesPerScope: 12,
      imageTypes: [type],
      cicdRiskConfigs: cicd === 'derived' ? 'empty' : 'seed',
    },
    env: { HSS_IMAGE_TYPES: type, HSS_CICD_SUMMARIES: cicd, HSS_PAGE_SIZE: '10' },
  });
  const report = await s.app.sync({ trigger: 'test', deadlineMs: null });
  return { s, report };
}

describe('every image type through the APIs of its matrix row', () => {
  for (const type of IMAGE_TYPES) {
    it(`${type}: served by ${expectedApis(type, 'derived').join(', ')}; stored summaries equal the simulator's`, async () => {
      const { s, report } = await syncType(type);
      try {
        expect(report.status).toBe('succeeded');
        expect(Object.keys(s.sim.stats().callsByApi).sort()).toEqual(expectedApis(type, 'derived'));
        const truth = truthBaselines(s.sim, type, apisFor(type).summaries);
        expect(truth.length).toBeGreaterThan(5);
        expect(await storedBaselines(s.t, type)).toEqual(truth);
      } finally {
        await s.close();
      }
    });
  }

  it('cicd (derived): no ListImageRiskConfigs call; summaries equal the rule results added up, per image', async () => {
    const { s, report } = await syncType('cicd');
    try {
      expect(report.status).toBe('succeeded');
      expect(s.sim.stats().callsByApi.ListImageRiskConfigs).toBeUndefined();
      expect(s.sim.stats().callsByApi.ListCheckRulesInfo).toBeGreaterThan(0);
      // The simulator's summaries, recomputed from its own rule results: rules, failed, worst failed.
      const rank = ['Security', 'Low', 'Medium', 'High', 'Critical'];
      const expected: string[] = [];
      for (const [imageId, rules] of s.sim.world.ruleTruth(scopeOf('cicd'))) {
        const groups = new Map<string, typeof rules>();
        for (const r of rules) {
          const k = [imageId, r.checkName, r.checkType, r.standard].join('|');
          groups.set(k, [...(groups.get(k) ?? []), r]);
        }
        for (const [k, g] of groups) {
          const failed = g.filter((r) => r.scanResult === 'failed');
          const worst = failed.reduce<string>(
            (w, r) => (rank.indexOf(r.severity ?? '') > rank.indexOf(w) ? (r.severity ?? w) : w),
            'Security',
          );
          expected.push([k, g.length, failed.length, worst].join('|'));
        }
      }
      const got = await s.t.pool.query<{ k: string }>(
        `select concat_ws('|', image_id, check_name, check_type, standard, check_rule_num, failed_rule_num, severity) as k
           from hss.image_baselines where image_type = 'cicd' and source_api = 'ListCheckRulesInfo'`,
      );
      expect(got.rows.map((r) => r.k).sort()).toEqual(expected.sort());
      // And they equal the simulator's cicd summaries (groundTruth), every cicd image with results.
      const imgs = await s.t.pool.query(`select count(distinct image_id)::int as n from hss.image_baselines`);
      expect(imgs.rows[0].n).toBe(s.sim.world.groundTruth(scopeOf('cicd')).size);
    } finally {
      await s.close();
    }
  });

  it('cicd with HSS_CICD_SUMMARIES=risk-configs (simulator seed mode): summaries from ListImageRiskConfigs', async () => {
    const { s, report } = await syncType('cicd', 'risk-configs');
    try {
      expect(report.status).toBe('succeeded');
      expect(Object.keys(s.sim.stats().callsByApi).sort()).toEqual([
        'ListCheckRulesInfo',
        'ListCicdImages',
        'ListImageRiskConfigs',
      ]);
      expect(expectedApis('cicd', 'risk-configs')).toEqual(Object.keys(s.sim.stats().callsByApi).sort());
      expect(await storedBaselines(s.t, 'cicd')).toEqual(
        truthBaselines(s.sim, 'cicd', 'ListImageRiskConfigs'),
      );
    } finally {
      await s.close();
    }
  });
});

describe('per-image rule values and scan times (private_image)', () => {
  let s: SyncSetup;
  let waiting: string;
  const scope = scopeOf('private_image');

  beforeAll(async () => {
    s = await setupSync({
      clock: new FakeClock(T0),
      sim: { seed: 14, imagesPerScope: 12, imageTypes: ['private_image'] },
      env: { HSS_PAGE_SIZE: '10' },
    });
    // An image waiting for its first scan (HSS lists latest_scan_time 0), made from a scanned one.
    waiting = [...s.sim.world.groundTruth(scope).keys()][0] ?? '';
    s.sim.world.setScanStatus(scope, waiting, 'waiting_for_scan');
    expect((await s.app.sync({ trigger: 'test', deadlineMs: null })).status).toBe('succeeded');
  });

  afterAll(async () => {
    await s?.close();
  });

  it('stores, per image and failed rule, the current value the simulator answers for that image', async () => {
    const failed: string[] = [];
    for (const [imageId, rules] of s.sim.world.ruleTruth(scope)) {
      for (const r of rules.filter((x) => x.scanResult === 'failed')) {
        failed.push(
          [
            imageId,
            r.checkName,
            r.checkType,
            r.standard,
            r.checkRuleId,
            currentValueOf(imageId, r, true),
          ].join('|'),
        );
      }
    }
    const rows = await s.t.pool.query<{ k: string }>(
      `select concat_ws('|', image_id, check_name, check_type, standard, check_rule_id,
              check_info_list->0->>'current_value') as k
         from hss.image_rule_values where image_type = 'private_image'`,
    );
    expect(failed.length).toBeGreaterThan(10);
    expect(rows.rows.map((r) => r.k).sort()).toEqual(failed.sort());
    // Two images failing one rule: the simulator, asked over HTTP with each image filter, answers
    // two values; the stored ones are those, and they differ.
    const shared = await s.t.pool.query(
      `select check_name, check_type, standard, check_rule_id,
              array_agg(image_id order by image_id) as ids,
              array_agg(check_info_list->0->>'current_value' order by image_id) as vals
         from hss.image_rule_values group by 1, 2, 3, 4 having count(*) >= 2 order by 1, 2, 3, 4 limit 1`,
    );
    expect(shared.rows).toHaveLength(1);
    const row = shared.rows[0];
    const asked: string[] = [];
    for (const imageId of row.ids.slice(0, 2) as string[]) {
      const q = new URLSearchParams({
        image_type: 'private_image',
        check_name: row.check_name,
        check_type: row.check_type,
        standard: row.standard,
        check_rule_id: row.check_rule_id,
        image_id: imageId,
        enterprise_project_id: '0',
      });
      const res = await fetch(`${s.simUrl}/v5/${TEST_PROJECT}/image/baseline/check-rule/detail?${q}`, {
        headers: { 'X-Auth-Token': 'test-token' },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { check_info_list: { current_value: string }[] };
      asked.push(body.check_info_list[0]?.current_value ?? '');
    }
    expect(asked).toEqual(row.vals.slice(0, 2));
    expect(asked[0]).not.toBe(asked[1]);
  });

  it("keeps each fetched image's listing scan time as scanned_at; waiting_for_scan (0 upstream) is NULL", async () => {
    const listed = new Map<string, number>();
    for (const r of s.sim.world.images(scope)) {
      if (r.latest_scan_time === null) continue;
      listed.set(r.image_id, Math.max(listed.get(r.image_id) ?? 0, r.latest_scan_time));
    }
    expect(listed.get(waiting)).toBe(0);
    const truth = [...s.sim.world.groundTruth(scope).keys()].map((id) => `${id}|${listed.get(id)}`).sort();
    const got = await s.t.pool.query<{ k: string }>(
      `select distinct concat_ws('|', image_id, (extract(epoch from scanned_at) * 1000)::bigint) as k
         from hss.image_baseline_history where image_type = 'private_image' and valid_to is null`,
    );
    expect(truth.length).toBeGreaterThan(3);
    expect(got.rows.map((r) => r.k).sort()).toEqual(truth);
    const w = await s.t.pool.query(
      `select i.scan_status, i.latest_scan_time as image_time, c.latest_scan_time as coverage_time, c.coverage
         from hss.images i join hss.image_coverage c using (project_id, enterprise_project_id, image_type, image_id)
        where i.image_id = $1`,
      [waiting],
    );
    const tags = s.sim.world.images(scope).filter((r) => r.image_id === waiting).length;
    expect(tags).toBeGreaterThan(0);
    expect(w.rows).toEqual(
      Array(tags).fill({
        scan_status: 'waiting_for_scan',
        image_time: null,
        coverage_time: null,
        coverage: 'not_scanned',
      }),
    );
    const epoch = await s.t.pool.query(
      `select (select count(*) from hss.images where latest_scan_time < '1971-01-01')::int as images,
              (select count(*) from hss.image_coverage where latest_scan_time < '1971-01-01')::int as coverage`,
    );
    expect(epoch.rows).toEqual([{ images: 0, coverage: 0 }]);
  });
});
