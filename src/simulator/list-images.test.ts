import { describe, expect, it } from 'vitest';
import { getV5, scopesOf, simulatorForFile } from './sim.test-helper.js';
import type { SimImageRow } from './types.js';

const P = 'proj-l';
const scope = scopesOf(P);
const f = simulatorForFile({
  seed: 4,
  imagesPerScope: 25,
  projects: [{ projectId: P, enterpriseProjects: ['0', 'ep-2'] }],
});

const PATHS = {
  registry: 'image/registries/images',
  local: 'image/local-repositories',
  cicd: 'image/cicd/images',
} as const;

async function list(api: keyof typeof PATHS, query: string, project = P) {
  type Page = { total_num: number; data_list: SimImageRow[]; error_code?: string; error_msg?: string };
  const { status, json } = await getV5<Page>(f.base, project, `${PATHS[api]}?${query}`);
  return { status, json };
}

async function allPages(api: keyof typeof PATHS, query: string, limit: number): Promise<SimImageRow[]> {
  const rows: SimImageRow[] = [];
  let total = Number.POSITIVE_INFINITY;
  for (let offset = 0; offset < total; offset += limit) {
    const page = await list(api, `${query}&offset=${offset}&limit=${limit}`);
    expect(page.status).toBe(200);
    total = page.json.total_num;
    rows.push(...page.json.data_list);
  }
  return rows;
}

describe('image list APIs', () => {
  it('ListRegistryImages pages cover each reference of the scope exactly once', async () => {
    for (const t of ['private_image', 'shared_image', 'instance_image'] as const) {
      expect(await allPages('registry', `image_type=${t}`, 7)).toEqual(f.sim.world.images(scope(t)));
    }
    // No image_type: the registry scope (harbor / jfrog rows).
    expect(await allPages('registry', 'enterprise_project_id=ep-2', 1)).toEqual(
      f.sim.world.images(scope('registry', 'ep-2')),
    );
  });

  it('ListImageLocal serves the local_image data and ListCicdImages the cicd scope', async () => {
    expect(await allPages('local', '', 200)).toEqual(f.sim.world.images(scope('local_image')));
    expect(await allPages('cicd', '', 10)).toEqual(f.sim.world.images(scope('cicd')));
  });

  it('answers other image_type values of ListRegistryImages and unknown projects with nothing', async () => {
    for (const q of ['image_type=local_image', 'image_type=cicd', 'image_type=bogus']) {
      expect((await list('registry', q)).json).toEqual({ total_num: 0, data_list: [] });
    }
    expect((await list('cicd', '', 'nope')).json).toEqual({ total_num: 0, data_list: [] });
  });

  it('validates offset and limit per API', async () => {
    const bad = (param: string, rule: string) => ({
      status: 400,
      json: { error_code: 'HSS.0001', error_msg: `Invalid parameter ${param}: ${rule}` },
    });
    expect(await list('registry', 'limit=0')).toEqual(bad('limit', 'an integer from 1 to 200'));
    expect(await list('registry', 'limit=201')).toEqual(bad('limit', 'an integer from 1 to 200'));
    expect(await list('local', 'limit=x')).toEqual(bad('limit', 'an integer from 10 to 200'));
    expect(await list('local', 'limit=9')).toEqual(bad('limit', 'an integer from 10 to 200'));
    expect(await list('cicd', 'limit=9')).toEqual(bad('limit', 'an integer from 10 to 200'));
    expect(await list('cicd', 'offset=2000001')).toEqual(bad('offset', 'an integer from 0 to 2000000'));
    expect((await list('registry', 'limit=1')).json.data_list.length).toBe(1);
    // Default limit 10.
    expect((await list('local', '')).json.data_list.length).toBe(10);
  });

  it('filters by namespace, image_name substring, image_version, instance_id and scan_status', async () => {
    const rows = f.sim.world.images(scope('instance_image'));
    const one = rows[3]!;
    const cases: [string, (r: SimImageRow) => boolean][] = [
      ['namespace=library', (r) => r.namespace === 'library'],
      ['image_name=euler', (r) => r.image_name.includes('euler')],
      [
        `image_name=${encodeURIComponent(one.image_name)}&image_version=${one.image_version}`,
        (r) => r.image_name.includes(one.image_name) && r.image_version === one.image_version,
      ],
      [`instance_id=${one.instance_id}`, (r) => r.instance_id === one.instance_id],
      ['scan_status=success', (r) => r.scan_status === 'success'],
    ];
    for (const [q, pred] of cases) {
      const expected = rows.filter(pred);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(rows.length);
      expect(await allPages('registry', `image_type=instance_image&${q}`, 200)).toEqual(expected);
    }
  });

  it('lists every enterprise project for all_granted_eps', async () => {
    expect(await allPages('cicd', 'enterprise_project_id=all_granted_eps', 50)).toEqual([
      ...f.sim.world.images(scope('cicd')),
      ...f.sim.world.images(scope('cicd', 'ep-2')),
    ]);
  });
});
