/**
 * The simulator plays each API's documented image_type and limit/offset ranges, over
 * HTTP with plain fetch: exact JSON answers.
 */
import { describe, expect, it } from 'vitest';
import { getV5, scopesOf, simulatorForFile } from '../../src/simulator/sim.test-helper.js';

const P = 'proj-r';
const scope = scopesOf(P);
const projects = [{ projectId: P, enterpriseProjects: ['0'] }];
const official = simulatorForFile({ seed: 5, imagesPerScope: 12, projects });
const seeded = simulatorForFile({ seed: 5, imagesPerScope: 12, projects, cicdRiskConfigs: 'seed' });

const EMPTY = { total_num: 0, data_list: [] };
const bad = (param: string, rule: string) => ({
  status: 400,
  json: { error_code: 'HSS.0001', error_msg: `Invalid parameter ${param}: ${rule}` },
});
type Page = { total_num: number; data_list: Record<string, unknown>[] };

async function get(base: string, path: string) {
  const a = await getV5<Page>(base, P, path);
  return { status: a.status, json: a.json };
}

/** An image with results of a scope, and one of its baselines. */
function someImage(f: typeof official, imageType: Parameters<typeof scope>[0]) {
  const [imageId, rows] = [...f.sim.world.groundTruth(scope(imageType))][0]!;
  return { imageId, row: rows[0]! };
}

describe('image_type ranges', () => {
  it('ListImageRiskConfigs serves its six documented types; cicd and others answer empty', async () => {
    for (const t of [
      'private_image',
      'shared_image',
      'local_image',
      'instance_image',
      'registry',
      'local',
    ] as const) {
      const { imageId } = someImage(official, t);
      const a = await get(official.base, `image/baseline/risk-configs?image_type=${t}&image_id=${imageId}`);
      expect(a.status).toBe(200);
      expect(a.json.total_num).toBe(official.sim.world.groundTruth(scope(t)).get(imageId)!.length);
    }
    const { imageId } = someImage(official, 'cicd');
    for (const q of [`image_type=cicd&image_id=${imageId}`, 'image_type=cicd', 'image_type=bogus']) {
      expect(await get(official.base, `image/baseline/risk-configs?${q}`)).toEqual({
        status: 200,
        json: EMPTY,
      });
    }
  });

  it("the seed switch answers cicd images' summaries through ListImageRiskConfigs", async () => {
    const { imageId } = someImage(seeded, 'cicd');
    const a = await get(seeded.base, `image/baseline/risk-configs?image_type=cicd&image_id=${imageId}`);
    expect(
      a.json.data_list.map((r) => [r.check_name, r.standard, r.check_rule_num, r.failed_rule_num]),
    ).toEqual(
      seeded.sim.world
        .groundTruth(scope('cicd'))
        .get(imageId)!
        .map((r) => [r.checkName, r.standard, r.checkRuleNum, r.failedRuleNum]),
    );
    expect(seeded.sim.world.cicdRiskConfigs).toBe('seed');
    expect(official.sim.world.cicdRiskConfigs).toBe('empty');
  });

  it('ListImageRiskConfigRules serves the four documented types; cicd, registry and local answer empty', async () => {
    for (const t of ['private_image', 'shared_image', 'local_image', 'instance_image'] as const) {
      const { imageId, row } = someImage(official, t);
      const a = await get(
        official.base,
        `image/baseline/risk-configs/${encodeURIComponent(row.checkName)}/rules?image_type=${t}&standard=${row.standard}&image_id=${imageId}&limit=200`,
      );
      expect(a.json.total_num).toBe(row.checkRuleNum);
    }
    for (const t of ['cicd', 'registry', 'local'] as const) {
      const { imageId, row } = someImage(official, t);
      const a = await get(
        official.base,
        `image/baseline/risk-configs/${encodeURIComponent(row.checkName)}/rules?image_type=${t}&standard=${row.standard}&image_id=${imageId}`,
      );
      expect(a).toEqual({ status: 200, json: EMPTY });
    }
  });

  it('ShowImageCheckRuleDetail answers every field absent for types outside its range', async () => {
    for (const t of ['cicd', 'registry', 'local'] as const) {
      const { imageId, row } = someImage(official, t);
      const rule = official.sim.world.ruleTruth(scope(t === 'local' ? 'local_image' : t)).get(imageId)![0]!;
      const q = new URLSearchParams({
        image_type: t,
        check_name: row.checkName,
        check_type: row.checkType,
        standard: row.standard,
        check_rule_id: rule.checkRuleId,
        image_id: imageId,
      });
      const a = await getV5(official.base, P, `image/baseline/check-rule/detail?${q}`);
      expect([a.status, a.text]).toEqual([200, '{}']);
    }
  });

  it('ListRegistryImages takes harbor and jfrog as image_type: the rows of that kind', async () => {
    const all = official.sim.world.images(scope('registry'));
    for (const kind of ['harbor', 'jfrog']) {
      const a = await get(official.base, `image/registries/images?image_type=${kind}&limit=200`);
      const expected = all.filter((r) => r.image_type === kind);
      expect(expected.length).toBeGreaterThan(0);
      expect(a.json).toEqual({ total_num: expected.length, data_list: expected });
    }
  });
});

describe('limit and offset ranges', () => {
  /** [path with query prefix, minimum limit] per API, as its SDK request model documents. */
  const apis: [string, string, number][] = [
    ['ListImageRiskConfigs', 'image/baseline/risk-configs?image_type=private_image', 10],
    ['ListImageLocal', 'image/local-repositories?', 10],
    ['ListCicdImages', 'image/cicd/images?', 10],
    ['ListCheckRulesInfo', 'baseline/check-rules?type=image&image_type=cicd', 10],
    [
      'ListImageRiskConfigRules',
      'image/baseline/risk-configs/EulerOS/rules?image_type=private_image&standard=hw_standard',
      10,
    ],
    ['ListRegistryImages', 'image/registries/images?image_type=private_image', 1],
  ];

  it.each(apis)(
    '%s (%s): limit from %i to 200, offset 0–2,000,000, else 400 HSS.0001',
    async (_api, path, min) => {
      const q = (extra: string) => `${path}${path.endsWith('?') ? '' : '&'}${extra}`;
      const limitRule = `an integer from ${min} to 200`;
      for (const limit of [String(min - 1), '201', '-1', 'ten', '1e2']) {
        expect(await get(official.base, q(`limit=${limit}`))).toEqual(bad('limit', limitRule));
      }
      for (const offset of ['-1', '2000001', 'x']) {
        expect(await get(official.base, q(`offset=${offset}`))).toEqual(
          bad('offset', 'an integer from 0 to 2000000'),
        );
      }
      for (const ok of [`limit=${min}`, 'limit=200', 'offset=2000000', 'offset=0']) {
        expect((await get(official.base, q(ok))).status).toBe(200);
      }
      expect((await get(official.base, q('offset=2000000'))).json.data_list).toEqual([]);
    },
  );
});
