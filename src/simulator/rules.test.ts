import { describe, expect, it } from 'vitest';
import { getV5, simulatorForFile } from './sim.test-helper.js';
import type { SimScope } from './types.js';

const P = 'proj-r';
const S: SimScope = { projectId: P, enterpriseProjectId: '0', imageType: 'private_image' };
const f = simulatorForFile({
  seed: 7,
  imagesPerScope: 12,
  projects: [{ projectId: P, enterpriseProjects: ['0'] }],
});

function get(path: string) {
  return getV5(f.base, P, path);
}

type Page = { total_num: number; data_list: Record<string, unknown>[] };

async function rules(checkName: string, query: string): Promise<Page> {
  const r = await get(`image/baseline/risk-configs/${encodeURIComponent(checkName)}/rules?${query}`);
  expect(r.status).toBe(200);
  return r.json as unknown as Page;
}

describe('ListImageRiskConfigRules', () => {
  it('serves, per image and baseline row, exactly failed_rule_num failed and the rest passed', async () => {
    let checked = 0;
    for (const [imageId, rows] of f.sim.world.groundTruth(S)) {
      for (const row of rows) {
        const q = `image_type=private_image&standard=${row.standard}&image_id=${encodeURIComponent(imageId)}&limit=200`;
        const failed = await rules(row.checkName, `${q}&result_type=failed`);
        const passed = await rules(row.checkName, `${q}&result_type=pass`);
        const mine = (p: Page) => p.data_list.filter((r) => r.check_type === row.checkType);
        expect(mine(failed)).toHaveLength(row.failedRuleNum ?? -1);
        expect(mine(passed)).toHaveLength((row.checkRuleNum ?? 0) - (row.failedRuleNum ?? 0));
        expect(mine(failed).every((r) => r.scan_result === 'failed')).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('pages, and a rescan that changes failed_rule_num changes the failed rules with it', async () => {
    const [imageId, rows] =
      [...f.sim.world.groundTruth(S)].find(([, r]) => (r[0]?.failedRuleNum ?? 0) > 10) ?? [];
    if (!imageId || !rows?.[0]) throw new Error('no image with more than 10 failed rules');
    const row = rows[0];
    const q = `image_type=private_image&standard=${row.standard}&image_id=${encodeURIComponent(imageId)}&result_type=failed`;
    const first = await rules(row.checkName, `${q}&limit=10&offset=0`);
    expect(first.data_list).toHaveLength(10);
    expect(first.total_num).toBeGreaterThan(10);
    f.sim.world.rescan(S, [imageId]);
    const after = f.sim.world
      .groundTruth(S)
      .get(imageId)
      ?.find(
        (r) => r.checkName === row.checkName && r.standard === row.standard && r.checkType === row.checkType,
      );
    const again = await rules(row.checkName, `${q}&limit=200`);
    expect(again.data_list.filter((r) => r.check_type === row.checkType)).toHaveLength(
      after?.failedRuleNum ?? -1,
    );
  });

  it('validates like HSS: image_type and standard required, limit 10-200; unknown values give nothing', async () => {
    const bad = await get('image/baseline/risk-configs/CentOS%207/rules?image_type=private_image');
    expect(bad.status).toBe(400);
    expect(bad.json.error_code).toBe('HSS.0001');
    expect(
      (
        await get(
          'image/baseline/risk-configs/CentOS%207/rules?image_type=private_image&standard=hw_standard&limit=5',
        )
      ).status,
    ).toBe(400);
    expect(await rules('CentOS 7', 'image_type=private_image&standard=xx_standard')).toEqual({
      total_num: 0,
      data_list: [],
    });
    expect(
      await rules('CentOS 7', 'image_type=private_image&standard=hw_standard&result_type=maybe'),
    ).toEqual({
      total_num: 0,
      data_list: [],
    });
  });
});

describe('ShowImageCheckRuleDetail', () => {
  it('answers the same text for a rule whatever the image, and 400 without a required parameter', async () => {
    const q = 'image_type=private_image&check_name=CentOS%207&check_type=CentOS%207&standard=hw_standard';
    const truth = [...f.sim.world.ruleTruth(S).values()]
      .flat()
      .find((r) => r.checkName === 'CentOS 7' && r.checkType === 'CentOS 7' && r.standard === 'hw_standard');
    const id = truth?.checkRuleId ?? '1.1';
    const r = await get(`image/baseline/check-rule/detail?${q}&check_rule_id=${id}`);
    expect(r.status).toBe(200);
    expect(r.json.remediation).toBe(
      `Set ${truth?.checkRuleName ?? `CentOS 7: configuration item ${id}`} to its recommended value and rebuild the image.`,
    );
    expect((r.json.check_info_list as unknown[]).length).toBe(1);
    const missing = await get(`image/baseline/check-rule/detail?${q}`);
    expect([missing.status, missing.json.error_code]).toEqual([400, 'HSS.0001']);
    expect(f.sim.stats().calls.ShowImageCheckRuleDetail).toEqual({ '200': 1, '400': 1 });
  });
});
