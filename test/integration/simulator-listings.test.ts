/**
 * The simulator's listings carry what the official models say about scans and images, and its
 * world holds every coverage case: over HTTP with plain fetch, exact JSON.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { createSimulator, type SimImageRow, SimWorld } from '../../src/simulator/index.js';
import { getV5, scopesOf, simulatorForFile } from '../../src/simulator/sim.test-helper.js';

const P = 'proj-l';
const scope = scopesOf(P);
const f = simulatorForFile({ seed: 2, projects: [{ projectId: P, enterpriseProjects: ['0'] }] });

type Page = { total_num: number; data_list: SimImageRow[] };
const PATHS = {
  registry: 'image/registries/images',
  local: 'image/local-repositories',
  cicd: 'image/cicd/images',
} as const;

async function all(api: keyof typeof PATHS, query = ''): Promise<SimImageRow[]> {
  const rows: SimImageRow[] = [];
  for (let offset = 0; ; offset += 200) {
    const page = await getV5<Page>(f.base, P, `${PATHS[api]}?${query}&limit=200&offset=${offset}`);
    expect(page.status).toBe(200);
    rows.push(...page.json.data_list);
    if (offset + 200 >= page.json.total_num) return rows;
  }
}
const byStatus = (rows: SimImageRow[], status: string) => rows.filter((r) => r.scan_status === status);

describe('listing fields of the official models', () => {
  it('registry rows: failed scans carry scan_failed_desc and scan_failed_code, others neither', async () => {
    const rows = await all('registry', 'image_type=private_image');
    expect(rows).toEqual(f.sim.world.images(scope('private_image')));
    const [failed] = byStatus(rows, 'failed');
    expect(failed).toMatchObject({
      scan_failed_code: 'download_failed',
      scan_failed_desc: '镜像下载失败。请向技术人员寻求帮助。',
    });
    for (const r of rows.filter((x) => x.scan_status !== 'failed')) {
      expect([r.scan_failed_code, r.scan_failed_desc]).toEqual([undefined, undefined]);
    }
    for (const r of rows) {
      expect(Object.keys(r)).not.toContain('non_scan_reason');
      expect(typeof r.latest_version).toBe('boolean');
      expect(typeof r.is_multiple_arch).toBe('boolean');
      expect(r.latest_sync_time).toBeGreaterThanOrEqual(r.latest_update_time);
    }
  });

  it('waiting_for_scan images send latest_scan_time 0, unscan ones null; severity_level only once scanned', async () => {
    for (const api of ['registry', 'local', 'cicd'] as const) {
      const rows = await all(api, api === 'registry' ? 'image_type=shared_image' : '');
      const [waiting] = byStatus(rows, 'waiting_for_scan');
      const [unscan] = byStatus(rows, 'unscan');
      expect([waiting!.latest_scan_time, waiting!.severity_level, waiting!.unsafe_setting_num]).toEqual([
        0,
        undefined,
        0,
      ]);
      expect([unscan!.latest_scan_time, unscan!.severity_level]).toEqual([null, undefined]);
      for (const r of byStatus(rows, 'success')) {
        expect(['Security', 'Low', 'Medium', 'High']).toContain(r.severity_level);
      }
    }
  });

  it('local rows: non_scan_reason on unscan images, host_num, agent_id per host, local_image_type', async () => {
    const rows = await all('local');
    expect(rows).toEqual(f.sim.world.images(scope('local_image')));
    const [unscan] = byStatus(rows, 'unscan');
    expect(unscan!.non_scan_reason).toBe('镜像格式不支持扫描 (image format not supported for scanning)');
    expect(rows.filter((r) => r.non_scan_reason !== undefined)).toEqual(byStatus(rows, 'unscan'));
    const failed = byStatus(rows, 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r.scan_failed_desc).toBe('response_timed_out');
    for (const r of rows.filter((x) => x.scan_status !== 'failed')) expect(r.scan_failed_desc).toBe('');
    const tags = new Map<string, number>();
    for (const r of rows) tags.set(r.image_id, (tags.get(r.image_id) ?? 0) + 1);
    const agents = new Map<string, string>();
    for (const r of rows) {
      expect(r.host_num).toBe(tags.get(r.image_id));
      expect(['swr_image', 'other_image']).toContain(r.local_image_type);
      expect(r.agent_id).toMatch(/^[0-9a-f]{32}$/);
      expect(agents.get(r.host_id!) ?? r.agent_id).toBe(r.agent_id);
      agents.set(r.host_id!, r.agent_id!);
      expect(r.scan_failed_code).toBeUndefined();
    }
    expect(Math.max(...tags.values())).toBeGreaterThan(1);
  });

  it('cicd rows: image_type and registry_type cicd, cicd_name, pipeline_type, latest_version', async () => {
    const rows = await all('cicd');
    expect(rows).toEqual(f.sim.world.images(scope('cicd')));
    for (const r of rows) {
      expect([r.image_type, r.registry_type]).toEqual(['cicd', 'cicd']);
      expect(r.cicd_name).toMatch(/^[a-z-]+$/);
      expect(['jenkins', 'codearts']).toContain(r.pipeline_type);
      expect(r.latest_version).toBe(r.image_version === 'latest');
    }
    expect(byStatus(rows, 'failed')[0]!.scan_failed_code).toBe('download_failed');
  });

  it('registry scope rows name their registry kind; instance_image rows their instance', async () => {
    for (const r of await all('registry')) {
      expect([
        ['harbor', 'Harbor'],
        ['jfrog', 'Jfrog'],
      ]).toContainEqual([r.image_type, r.registry_type]);
    }
    for (const r of await all('registry', 'image_type=instance_image')) {
      expect(r.instance_name).toBe(`swr-ee-instance-${r.instance_id!.slice(0, 8)}`);
    }
  });
});

describe('coverage cases of the world', () => {
  it('holds, per scope, one image scanned without results and one whose listing contradicts its results', async () => {
    for (const s of f.sim.world.scopes()) {
      const cases = f.sim.world.coverageCases(s);
      expect([cases.noResults.length, cases.inconsistent.length]).toEqual([1, 1]);
      const rows = f.sim.world.images(s);
      const truth = f.sim.world.groundTruth(s);
      const empty = rows.find((r) => r.image_id === cases.noResults[0])!;
      expect([empty.scan_status, empty.unsafe_setting_num, truth.has(empty.image_id)]).toEqual([
        'success',
        0,
        false,
      ]);
      const odd = rows.find((r) => r.image_id === cases.inconsistent[0])!;
      const failed = truth.get(odd.image_id)!.reduce((n, r) => n + (r.failedRuleNum ?? 0), 0);
      expect(odd.unsafe_setting_num).toBe(failed > 0 ? 0 : 3);
    }
    // Over HTTP: the no-results image answers ListImageRiskConfigs with nothing.
    const [empty] = f.sim.world.coverageCases(scope('private_image')).noResults;
    const a = await getV5(
      f.base,
      P,
      `image/baseline/risk-configs?image_type=private_image&image_id=${empty}`,
    );
    expect([a.status, a.text]).toEqual([200, '{"total_num":0,"data_list":[]}']);
  });

  it('is deterministic from the seed, controlled by shares, and leaves identities alone', () => {
    const make = (coverage?: { noResults?: number; inconsistent?: number }) =>
      new SimWorld({
        seed: 2,
        projects: [{ projectId: P, enterpriseProjects: ['0'] }],
        clock: systemClock,
        coverage,
      });
    const a = make();
    const b = make();
    const off = make({ noResults: 0, inconsistent: 0 });
    const many = make({ noResults: 0.25, inconsistent: 0.25 });
    for (const s of a.scopes()) {
      expect(a.coverageCases(s)).toEqual(b.coverageCases(s));
      expect(off.coverageCases(s)).toEqual({ noResults: [], inconsistent: [] });
      // 26 eligible per scope (36 scanned, 10 of them carrying hostile values): 25 % is 7, then
      // 25 % of the 19 left is 5.
      const m = many.coverageCases(s);
      expect([m.noResults.length, m.inconsistent.length]).toEqual([7, 5]);
      const ids = (w: SimWorld) => w.images(s).map((r) => [r.image_id, r.image_name, r.image_version]);
      expect(ids(off)).toEqual(ids(a));
      // Images that are no case have the same results with or without the cases.
      const cases = new Set([...a.coverageCases(s).noResults, ...a.coverageCases(s).inconsistent]);
      const truthOff = off.groundTruth(s);
      for (const [id, rows] of a.groundTruth(s)) if (!cases.has(id)) expect(rows).toEqual(truthOff.get(id));
    }
  });

  it('can be set per image through the world and the control surface', async () => {
    const sim = createSimulator({ seed: 3, imagesPerScope: 10, imageTypes: ['cicd'] });
    const { url } = await sim.listen();
    try {
      const s = { projectId: 'proj-demo', enterpriseProjectId: '0', imageType: 'cicd' as const };
      const id = [...sim.world.groundTruth(s).keys()][0]!;
      const post = (path: string, body: unknown) =>
        fetch(`${url}/_sim/${path}`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => [
          r.status,
          await r.json(),
        ]);
      const where = { project_id: 'proj-demo', image_type: 'cicd' };
      expect(await post('coverage', { ...where, image_id: id, state: 'inconsistent' })).toEqual([200, {}]);
      const got = await fetch(`${url}/_sim/coverage?project_id=proj-demo&image_type=cicd`).then((r) =>
        r.json(),
      );
      expect((got as { inconsistent: string[] }).inconsistent).toContain(id);
      expect(await post('coverage', { ...where, image_id: id, state: 'no_results' })).toEqual([200, {}]);
      expect(sim.world.groundTruth(s).has(id)).toBe(false);
      expect(await post('coverage', { ...where, image_id: id, state: 'bogus' })).toEqual([
        400,
        {
          error_code: 'SIM.0001',
          error_msg: 'image_id and state (no_results, inconsistent, consistent) are required',
        },
      ]);
      expect(await post('cicd-risk-configs', { mode: 'seed' })).toEqual([200, {}]);
      expect(sim.world.cicdRiskConfigs).toBe('seed');
    } finally {
      await sim.close();
    }
  });
});
