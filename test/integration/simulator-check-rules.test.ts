/**
 * ListCheckRulesInfo and the per-image rule detail of the simulator, over HTTP with
 * plain fetch: exact answers, and the rule rows of every image adding up to its summaries.
 */
import { describe, expect, it } from 'vitest';
import type { ImageType, RuleResult } from '../../src/domain.js';
import { getV5, scopesOf, simulatorForFile } from '../../src/simulator/sim.test-helper.js';

const P = 'proj-c';
const scope = scopesOf(P);
const f = simulatorForFile({
  seed: 9,
  imagesPerScope: 20,
  cicdRiskConfigs: 'seed',
  projects: [{ projectId: P, enterpriseProjects: ['0'] }],
});

type Page = { total_num: number; data_list: Record<string, unknown>[] };
const get = async (path: string) => {
  const a = await getV5<Page>(f.base, P, path);
  return { status: a.status, json: a.json };
};
const bad = (param: string, rule: string) => ({
  status: 400,
  json: { error_code: 'HSS.0001', error_msg: `Invalid parameter ${param}: ${rule}` },
});

/** Every row of a paged rule query (limit 200). */
async function allRows(path: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (let offset = 0; ; offset += 200) {
    const page = await get(`${path}&limit=200&offset=${offset}`);
    expect(page.status).toBe(200);
    rows.push(...page.json.data_list);
    if (offset + 200 >= page.json.total_num) return rows;
  }
}

const SEVERITY = ['Security', 'Low', 'Medium', 'High', 'Critical'];
const key = (r: Record<string, unknown>) => `${r.check_name}|${r.check_type}|${r.standard}`;

describe('ListCheckRulesInfo', () => {
  it('validates type, image_type, image_id, offset and limit; unknown scan_result is empty', async () => {
    const base = 'baseline/check-rules?';
    expect(await get(`${base}image_type=cicd`)).toEqual(bad('type', 'required'));
    expect(await get(`${base}type=&image_type=cicd`)).toEqual(bad('type', 'required'));
    expect(await get(`${base}type=image`)).toEqual(bad('image_type', 'required'));
    expect(await get(`${base}type=host&image_type=cicd`)).toEqual(bad('type', 'image'));
    for (const t of ['private_image', 'local', 'bogus']) {
      expect(await get(`${base}type=image&image_type=${t}`)).toEqual(bad('image_type', 'cicd or registry'));
    }
    expect(await get(`${base}type=image&image_type=cicd&image_id=${'a'.repeat(129)}`)).toEqual(
      bad('image_id', 'at most 128 characters'),
    );
    expect(await get(`${base}type=image&image_type=cicd&enterprise_project_id=`)).toEqual(
      bad('enterprise_project_id', '1 to 256 characters'),
    );
    expect(await get(`${base}type=image&image_type=cicd&scan_result=bogus`)).toEqual({
      status: 200,
      json: { total_num: 0, data_list: [] },
    });
  });

  it("answers one image's rule results exactly as the world holds them, in the documented shape", async () => {
    const [imageId, rules] = [...f.sim.world.ruleTruth(scope('cicd'))][0]!;
    const listed = f.sim.world.images(scope('cicd')).find((r) => r.image_id === imageId)!;
    const rows = await allRows(`baseline/check-rules?type=image&image_type=cicd&image_id=${imageId}`);
    const wire = (r: RuleResult) => ({
      severity: r.severity,
      check_name: r.checkName,
      check_type: r.checkType,
      standard: r.standard,
      ...(r.checkTypeDesc === null ? {} : { check_type_desc: r.checkTypeDesc }),
      check_rule_name: r.checkRuleName,
      check_rule_id: r.checkRuleId,
      scan_result: r.scanResult,
      latest_scan_time: listed.latest_scan_time,
      image_num: 1,
    });
    expect(rows).toEqual(rules.map(wire));
    expect(Object.keys(rows[0]!)).toEqual(Object.keys(wire(rules[0]!)));
    for (const r of rows) expect(['Security', 'Low', 'Medium', 'High']).toContain(r.severity);
    expect(f.sim.stats().checkRuleCallsByImageId[imageId]).toBeGreaterThanOrEqual(1);
  });

  it('filters scan_result: failed rows number the failed items of the summaries', async () => {
    const [imageId, summaries] = [...f.sim.world.groundTruth(scope('registry'))].find(([, s]) =>
      s.some((r) => (r.failedRuleNum ?? 0) > 0),
    )!;
    const q = `baseline/check-rules?type=image&image_type=registry&image_id=${encodeURIComponent(imageId)}`;
    const failed = await allRows(`${q}&scan_result=failed`);
    const passed = await allRows(`${q}&scan_result=pass`);
    expect(failed.length).toBe(summaries.reduce((n, s) => n + (s.failedRuleNum ?? 0), 0));
    expect(new Set(failed.map((r) => r.scan_result))).toEqual(new Set(['failed']));
    expect(failed.length + passed.length).toBe(summaries.reduce((n, s) => n + (s.checkRuleNum ?? 0), 0));
  });

  it('without an image filter: one row per rule, image_num the images that have it', async () => {
    const truth = f.sim.world.ruleTruth(scope('cicd'));
    const images = new Map<string, number>();
    const failedAnywhere = new Set<string>();
    for (const rules of truth.values()) {
      for (const r of rules) {
        const k = `${r.checkName}|${r.checkType}|${r.standard}|${r.checkRuleId}`;
        images.set(k, (images.get(k) ?? 0) + 1);
        if (r.scanResult === 'failed') failedAnywhere.add(k);
      }
    }
    const rows = await allRows('baseline/check-rules?type=image&image_type=cicd');
    expect(rows.length).toBe(images.size);
    for (const r of rows) {
      const k = `${key(r)}|${r.check_rule_id}`;
      expect([r.image_num, r.scan_result]).toEqual([
        images.get(k),
        failedAnywhere.has(k) ? 'failed' : 'pass',
      ]);
    }
  });

  it('has its own rate budget: throttling ListCheckRulesInfo leaves the other APIs alone', async () => {
    f.sim.setRateLimit(2);
    try {
      const q = 'baseline/check-rules?type=image&image_type=cicd&limit=10';
      expect((await get(q)).status).toBe(200);
      expect((await get(q)).status).toBe(200);
      const third = await get(q);
      expect(third.status).toBe(429);
      expect(third.json).toMatchObject({ error_code: 'APIGW.0308' });
      expect((await get('image/cicd/images?limit=10')).status).toBe(200);
    } finally {
      f.sim.setRateLimit(null);
    }
  });
});

describe('rule rows add up to the summaries, for every image', () => {
  const cases: [ImageType, (imageId: string, checkName: string, standard: string) => string][] = [
    ...(['private_image', 'shared_image', 'local_image', 'instance_image'] as const).map(
      (t) =>
        [
          t,
          (id: string, name: string, std: string) =>
            `image/baseline/risk-configs/${encodeURIComponent(name)}/rules?image_type=${t}&standard=${std}&image_id=${encodeURIComponent(id)}`,
        ] as [ImageType, (a: string, b: string, c: string) => string],
    ),
    ...(['cicd', 'registry'] as const).map(
      (t) =>
        [
          t,
          (id: string) =>
            `baseline/check-rules?type=image&image_type=${t}&image_id=${encodeURIComponent(id)}`,
        ] as [ImageType, (a: string, b: string, c: string) => string],
    ),
  ];

  it.each(cases)('%s', async (imageType, rulesPath) => {
    const listing = f.sim.world.images(scope(imageType));
    const ids = [...new Set(listing.map((r) => r.image_id))];
    let checked = 0;
    for (const imageId of ids) {
      const summaries = await allRows(
        `image/baseline/risk-configs?image_type=${imageType}&image_id=${encodeURIComponent(imageId)}`,
      );
      const byBaseline = new Map<string, Record<string, unknown>[]>();
      for (const s of summaries) {
        const rows =
          byBaseline.get(key(s)) ??
          (await allRows(rulesPath(imageId, String(s.check_name), String(s.standard)))).filter(
            (r) => key(r) === key(s),
          );
        byBaseline.set(key(s), rows);
        const failed = rows.filter((r) => r.scan_result === 'failed');
        expect([rows.length, failed.length]).toEqual([s.check_rule_num, s.failed_rule_num]);
        if (imageType === 'cicd' || imageType === 'registry') {
          // Derived summaries (worst failed severity, Security when none failed) equal the served ones.
          const worst = failed.reduce((w, r) => Math.max(w, SEVERITY.indexOf(String(r.severity))), 0);
          expect(SEVERITY[worst]).toBe(s.severity);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(ids.length / 2);
  });
});

describe('ShowImageCheckRuleDetail per image', () => {
  const detail = (q: Record<string, string>) =>
    getV5<{
      description: string;
      reference: string;
      audit: string;
      remediation: string;
      check_info_list: Record<string, unknown>[];
    }>(f.base, P, `image/baseline/check-rule/detail?${new URLSearchParams(q)}`);

  it("answers the filtered image's current value; the text is the same for every image", async () => {
    const truth = f.sim.world.ruleTruth(scope('private_image'));
    // A rule two images fail, and one an image passes.
    const failedBy = new Map<string, { imageId: string; rule: RuleResult }[]>();
    for (const [imageId, rules] of truth) {
      for (const rule of rules.filter((r) => r.scanResult === 'failed')) {
        const k = `${rule.checkName}|${rule.checkType}|${rule.standard}|${rule.checkRuleId}`;
        failedBy.set(k, [...(failedBy.get(k) ?? []), { imageId, rule }]);
      }
    }
    const [a, b] = [...failedBy.values()].find((v) => v.length >= 2)!;
    const base = {
      image_type: 'private_image',
      check_name: a!.rule.checkName,
      check_type: a!.rule.checkType,
      standard: a!.rule.standard,
      check_rule_id: a!.rule.checkRuleId,
    };
    const da = await detail({ ...base, image_id: a!.imageId });
    const db = await detail({ ...base, image_id: b!.imageId });
    const none = await detail(base);
    expect(da.status).toBe(200);
    const valueA = da.json.check_info_list[0]!.current_value as string;
    const valueB = db.json.check_info_list[0]!.current_value as string;
    expect(valueA).toMatch(/^observed-[0-9a-f]{8}$/);
    expect(valueB).toMatch(/^observed-[0-9a-f]{8}$/);
    expect(valueA).not.toBe(valueB);
    // Deterministic: asked again, the same value.
    expect((await detail({ ...base, image_id: a!.imageId })).json).toEqual(da.json);
    const { check_info_list: la, ...textA } = da.json;
    const { check_info_list: lb, ...textB } = db.json;
    const { check_info_list: ln, ...textN } = none.json;
    expect(textA).toEqual(textB);
    expect(textA).toEqual(textN);
    // Without image filters: no current_value (an assumption, rules.ts).
    expect(ln).toEqual([
      { check_description: la[0]!.check_description, suggest_value: la[0]!.suggest_value },
    ]);
    expect(lb[0]!.suggest_value).toBe(`recommended-${a!.rule.checkRuleId}`);

    // An image passing a rule: its current value is the suggested one.
    const [passId, passRules] = [...truth].find(([, rules]) => rules.some((r) => r.scanResult === 'pass'))!;
    const pass = passRules.find((r) => r.scanResult === 'pass')!;
    const dp = await detail({
      image_type: 'private_image',
      check_name: pass.checkName,
      check_type: pass.checkType,
      standard: pass.standard,
      check_rule_id: pass.checkRuleId,
      image_id: passId,
    });
    expect(dp.json.check_info_list[0]!.current_value).toBe(`recommended-${pass.checkRuleId}`);
    expect(f.sim.stats().ruleDetailCallsByImageId[a!.imageId]).toBe(3);
  });

  it('accepts namespace, image_name, image_version and instance_id as the image filter', async () => {
    const row = f.sim.world
      .images(scope('private_image'))
      .find((r) => f.sim.world.ruleTruth(scope('private_image')).has(r.image_id))!;
    const rule =
      f.sim.world
        .ruleTruth(scope('private_image'))
        .get(row.image_id)!
        .find((r) => r.scanResult === 'failed') ??
      f.sim.world.ruleTruth(scope('private_image')).get(row.image_id)![0]!;
    const base = {
      image_type: 'private_image',
      check_name: rule.checkName,
      check_type: rule.checkType,
      standard: rule.standard,
      check_rule_id: rule.checkRuleId,
    };
    const byId = await detail({ ...base, image_id: row.image_id });
    const byName = await detail({
      ...base,
      namespace: row.namespace!,
      image_name: row.image_name,
      image_version: row.image_version,
      instance_id: row.instance_id!,
    });
    expect(byName.json).toEqual(byId.json);
    expect(byId.json.check_info_list[0]!.current_value).toBeDefined();
  });
});
