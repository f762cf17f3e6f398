/**
 * The simulator's switches for the client's new cases: list pages without total_num,
 * nested error bodies, rule rows without check_rule_id. Over HTTP with plain fetch, exact JSON.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getV5, scopesOf, simulatorForFile } from '../../src/simulator/sim.test-helper.js';

const P = 'proj-f';
const scope = scopesOf(P);
const f = simulatorForFile({
  seed: 4,
  imagesPerScope: 12,
  imageTypes: ['private_image', 'cicd'],
  projects: [{ projectId: P, enterpriseProjects: ['0'] }],
});
afterEach(() => f.sim.setFaults({}));

describe('fault switches', () => {
  it('omitTotalNum: the pages of the named APIs come without total_num', async () => {
    f.sim.setFaults({ omitTotalNum: ['ListCicdImages'] });
    const page = await getV5(f.base, P, 'image/cicd/images?limit=10');
    expect(page.json).toEqual({ data_list: f.sim.world.images(scope('cicd')).slice(0, 10) });
    const other = await getV5<{ total_num: number }>(
      f.base,
      P,
      'image/registries/images?image_type=private_image',
    );
    expect(other.json.total_num).toBe(f.sim.world.images(scope('private_image')).length);
    f.sim.setFaults({ omitTotalNum: ['*'] });
    const rules = await getV5(f.base, P, 'baseline/check-rules?type=image&image_type=cicd&scan_result=bogus');
    expect(rules.text).toBe('{"data_list":[]}');
    expect(f.sim.stats().faultsInjected.omitTotalNum).toBeGreaterThanOrEqual(2);
  });

  it('nestedErrors: error answers take the form {"error":{"code","message"}}', async () => {
    f.sim.setFaults({ nestedErrors: true });
    const invalid = await getV5(f.base, P, 'image/cicd/images?limit=5');
    expect([invalid.status, invalid.json]).toEqual([
      400,
      { error: { code: 'HSS.0001', message: 'Invalid parameter limit: an integer from 10 to 200' } },
    ]);
    const denied = await fetch(`${f.base}/v5/${P}/image/cicd/images`, {
      headers: { 'X-Auth-Token': 'nope' },
    });
    expect([denied.status, await denied.json()]).toEqual([
      401,
      {
        error: {
          code: 'APIGW.0301',
          message: 'Incorrect IAM authentication information: decrypt token fail',
        },
      },
    ]);
    f.sim.setFaults({ nestedErrors: true, errorRates: [{ api: 'ListCicdImages', status: 503, rate: 1 }] });
    const busy = await getV5(f.base, P, 'image/cicd/images');
    expect([busy.status, busy.json]).toEqual([
      503,
      { error: { code: 'APIGW.0201', message: 'Backend unavailable' } },
    ]);
    // 200 answers are untouched.
    const ok = await getV5(f.base, P, 'image/registries/images?image_type=private_image');
    expect(ok.status).toBe(200);
  });

  it('HostileValue.unset: a rule row without check_rule_id, the other rows whole', async () => {
    const [imageId, rules] = [...f.sim.world.ruleTruth(scope('cicd'))][0]!;
    f.sim.setFaults({
      hostileValues: [{ api: 'ListCheckRulesInfo', at: 'item', imageId, index: 1, unset: ['check_rule_id'] }],
    });
    const page = await getV5<{ total_num: number; data_list: Record<string, unknown>[] }>(
      f.base,
      P,
      `baseline/check-rules?type=image&image_type=cicd&image_id=${imageId}&limit=10`,
    );
    expect(page.json.data_list.map((r) => r.check_rule_id)).toEqual(
      rules.slice(0, 10).map((r, i) => (i === 1 ? undefined : r.checkRuleId)),
    );
    expect(Object.keys(page.json.data_list[1]!)).not.toContain('check_rule_id');
    expect(page.json.data_list[1]!.check_rule_name).toBe(rules[1]!.checkRuleName);

    // The same on ListImageRiskConfigRules, every row of the answer.
    const [pid, prules] = [...f.sim.world.ruleTruth(scope('private_image'))][0]!;
    const r0 = prules[0]!;
    f.sim.setFaults({
      hostileValues: [
        { api: 'ListImageRiskConfigRules', at: 'item', imageId: pid, unset: ['check_rule_id'] },
      ],
    });
    const rp = await getV5<{ data_list: Record<string, unknown>[] }>(
      f.base,
      P,
      `image/baseline/risk-configs/${encodeURIComponent(r0.checkName)}/rules?image_type=private_image&standard=${r0.standard}&image_id=${encodeURIComponent(pid)}`,
    );
    expect(rp.json.data_list.length).toBeGreaterThan(0);
    for (const r of rp.json.data_list) expect('check_rule_id' in r).toBe(false);
  });

  it('invalidItemRate makes ListCheckRulesInfo rows schema-invalid: check_rule_id true', async () => {
    f.sim.setFaults({ invalidItemRate: 1 });
    const page = await getV5<{ data_list: Record<string, unknown>[] }>(
      f.base,
      P,
      'baseline/check-rules?type=image&image_type=cicd&limit=10',
    );
    expect(page.json.data_list.map((r) => r.check_rule_id)).toEqual(Array(10).fill(true));
  });
});
