import { describe, expect, it } from 'vitest';
import type { RiskConfig } from '../domain.js';
import { MAX_DESC_LENGTH } from './hostile.js';
import { getV5, type SimAnswer, scopesOf, simulatorForFile } from './sim.test-helper.js';
import type { SimScope } from './types.js';

const P = 'proj-a';
const scope = scopesOf(P);
// cicdRiskConfigs 'seed': these tests read the cicd scope through ListImageRiskConfigs, as the
// seed's example does (the official default answers cicd empty: simulator-ranges.test.ts).
const f = simulatorForFile({
  seed: 11,
  cicdRiskConfigs: 'seed',
  projects: [{ projectId: P, enterpriseProjects: ['0', 'ep-b'] }],
});

type Page = {
  total_num: number;
  data_list: Record<string, unknown>[];
  error_code?: string;
  error_msg?: string;
};

function risk(query: string, project = P): Promise<SimAnswer<Page>> {
  return getV5<Page>(f.base, project, `image/baseline/risk-configs?${query}`);
}

/** The client's normalisation: check_type as text, absent strings '' and absent others null. */
function normalise(row: Record<string, unknown>): RiskConfig {
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    checkName: String(row.check_name ?? ''),
    checkType: String(row.check_type ?? ''),
    standard: String(row.standard ?? ''),
    severity: typeof row.severity === 'string' ? row.severity : null,
    checkRuleNum: num(row.check_rule_num),
    failedRuleNum: num(row.failed_rule_num),
    checkTypeDesc: typeof row.check_type_desc === 'string' ? row.check_type_desc : null,
  };
}

/** Every row of a query, page by page with limit 10; asserts each page's total_num. */
async function allPages(query: string): Promise<RiskConfig[]> {
  const first = await risk(`${query}&limit=10&offset=0`);
  const total = first.json.total_num;
  const rows = first.json.data_list.map(normalise);
  for (let offset = 10; offset < total; offset += 10) {
    const page = await risk(`${query}&limit=10&offset=${offset}`);
    expect(page.json.total_num).toBe(total);
    expect(page.json.data_list.length).toBe(Math.min(10, total - offset));
    rows.push(...page.json.data_list.map(normalise));
  }
  return rows;
}

const allTruth = (s: SimScope) => [...f.sim.world.groundTruth(s).values()].flat();

describe('ListImageRiskConfigs validation', () => {
  const pi = (q: string) => `image_type=private_image&${q}`;
  /** [parameter, rule, queries breaking it] */
  const rules: [string, string, string[]][] = [
    ['image_type', 'required', ['', 'image_type=', 'limit=50']],
    [
      'limit',
      'an integer from 10 to 200',
      // Validation comes before the "unknown value → empty" rules (image_type=bogus).
      ['limit=9', 'limit=201', 'limit=abc', 'limit=10.5', 'limit=-10', 'limit=']
        .map(pi)
        .concat('image_type=bogus&limit=5'),
    ],
    ['offset', 'an integer from 0 to 2000000', ['offset=-1', 'offset=2000001', 'offset=1e3'].map(pi)],
    [
      'enterprise_project_id',
      '1 to 256 characters',
      ['enterprise_project_id=', `enterprise_project_id=${'e'.repeat(257)}`].map(pi),
    ],
    ['image_id', 'at most 128 characters', [pi(`image_id=${'a'.repeat(129)}`)]],
  ];
  it.each(rules.flatMap(([param, rule, queries]) => queries.map((q) => [q, param, rule])))(
    '%s → 400 HSS.0001 (%s)',
    async (query, param, rule) => {
      const a = await risk(query);
      expect(a.status).toBe(400);
      expect(a.json).toEqual({ error_code: 'HSS.0001', error_msg: `Invalid parameter ${param}: ${rule}` });
    },
  );

  it.each([
    'image_type=bogus',
    'image_type=private_image&severity=Critical',
    'image_type=private_image&standard=foo',
    'image_type=private_image&standard=qt_standard',
    `image_type=private_image&image_id=${'a'.repeat(128)}`,
    'image_type=private_image&enterprise_project_id=unknown-ep',
    'image_type=private_image&check_name=Windows%207',
  ])('%s → 200 empty', async (query) => {
    const a = await risk(query);
    expect([a.status, a.text]).toEqual([200, '{"total_num":0,"data_list":[]}']);
  });

  it('accepts the range limits and answers an empty page past the end with the full total', async () => {
    const total = allTruth(scope('shared_image')).length;
    for (const q of ['limit=10', 'limit=200', 'offset=0']) {
      expect((await risk(`image_type=shared_image&${q}`)).status).toBe(200);
    }
    const far = await risk('image_type=shared_image&offset=2000000&limit=200');
    expect(far.json).toEqual({ total_num: total, data_list: [] });
  });

  it('answers an unknown project with an empty result', async () => {
    expect((await risk('image_type=private_image', 'nope')).json).toEqual({ total_num: 0, data_list: [] });
  });

  it('defaults to limit 10, offset 0, enterprise project 0', async () => {
    const a = await risk('image_type=cicd');
    expect(a.json.total_num).toBe(allTruth(scope('cicd')).length);
    expect(a.json.data_list.map(normalise)).toEqual(allTruth(scope('cicd')).slice(0, 10));
  });
});

describe('ListImageRiskConfigs results', () => {
  it('without an image filter returns every row of the scope, each exactly once over the pages', async () => {
    for (const t of ['private_image', 'registry', 'local_image', 'cicd'] as const) {
      expect(await allPages(`image_type=${t}`)).toEqual(allTruth(scope(t)));
      expect(await allPages(`image_type=${t}&enterprise_project_id=ep-b`)).toEqual(
        allTruth(scope(t, 'ep-b')),
      );
    }
  });

  it('serves local from the local_image data', async () => {
    expect(await allPages('image_type=local')).toEqual(await allPages('image_type=local_image'));
  });

  it('concatenates every enterprise project for all_granted_eps', async () => {
    const rows = await allPages('image_type=instance_image&enterprise_project_id=all_granted_eps');
    expect(rows).toEqual([
      ...allTruth(scope('instance_image')),
      ...allTruth(scope('instance_image', 'ep-b')),
    ]);
  });

  it('filters by image_id: exactly the truth of that image', async () => {
    const truth = f.sim.world.groundTruth(scope('private_image'));
    for (const [id, rows] of [...truth].slice(0, 8)) {
      const a = await risk(`image_type=private_image&image_id=${encodeURIComponent(id)}&limit=200`);
      expect(a.json.total_num).toBe(rows.length);
      expect(a.json.data_list.map(normalise)).toEqual(rows);
    }
    const unscanned = f.sim.world.images(scope('private_image')).find((r) => r.scan_status === 'unscan')!;
    expect((await risk(`image_type=private_image&image_id=${unscanned.image_id}`)).json.total_num).toBe(0);
  });

  it('lets image_id outrank image_name and image_version', async () => {
    const [id, rows] = [...f.sim.world.groundTruth(scope('private_image'))][0]!;
    const a = await risk(
      `image_type=private_image&image_id=${id}&image_name=no-such-name&image_version=0.0.0&limit=200`,
    );
    expect(a.json.data_list.map(normalise)).toEqual(rows);
  });

  it('matches image_name as a substring and image_version only together with image_name', async () => {
    const s = scope('shared_image');
    const truth = f.sim.world.groundTruth(s);
    const rowsOf = (pred: (r: { image_name: string; image_version: string }) => boolean) => {
      const ids = [
        ...new Set(
          f.sim.world
            .images(s)
            .filter(pred)
            .map((r) => r.image_id),
        ),
      ];
      return ids.flatMap((id) => truth.get(id) ?? []);
    };
    const expected = rowsOf((r) => r.image_name.includes('euler'));
    expect(expected.length).toBeGreaterThan(0);
    expect(await allPages('image_type=shared_image&image_name=euler')).toEqual(expected);

    const tag = f.sim.world.images(s).find((r) => truth.has(r.image_id))!;
    const both = `image_name=${encodeURIComponent(tag.image_name)}&image_version=${tag.image_version}`;
    expect(await allPages(`image_type=shared_image&${both}`)).toEqual(
      rowsOf((r) => r.image_name.includes(tag.image_name) && r.image_version === tag.image_version),
    );
    // Without image_name, image_version does not filter.
    expect((await risk('image_type=shared_image&image_version=no-such-version')).json.total_num).toBe(
      allTruth(s).length,
    );
  });

  it('honours namespace for private_image and ignores it for local_image and instance_image', async () => {
    const s = scope('private_image');
    const truth = f.sim.world.groundTruth(s);
    const ids = [
      ...new Set(
        f.sim.world
          .images(s)
          .filter((r) => r.namespace === 'library')
          .map((r) => r.image_id),
      ),
    ];
    const expected = ids.flatMap((id) => truth.get(id) ?? []);
    expect(expected.length).toBeGreaterThan(0);
    expect(await allPages('image_type=private_image&namespace=library')).toEqual(expected);
    expect((await risk('image_type=local_image&namespace=no-such-ns')).json.total_num).toBe(
      allTruth(scope('local_image')).length,
    );
    expect((await risk('image_type=instance_image&namespace=no-such-ns')).json.total_num).toBe(
      allTruth(scope('instance_image')).length,
    );
  });

  it('filters by check_name, severity and standard', async () => {
    const rows = allTruth(scope('registry'));
    for (const [q, pred] of [
      ['check_name=CentOS%207', (r: RiskConfig) => r.checkName === 'CentOS 7'],
      ['check_name=Windows', (r: RiskConfig) => r.checkName === 'Windows'],
      ['severity=High', (r: RiskConfig) => r.severity === 'High'],
      ['severity=Security', (r: RiskConfig) => r.severity === 'Security'],
      ['standard=cn_standard', (r: RiskConfig) => r.standard === 'cn_standard'],
      [
        'standard=hw_standard&severity=Low',
        (r: RiskConfig) => r.standard === 'hw_standard' && r.severity === 'Low',
      ],
    ] as const) {
      const expected = rows.filter(pred);
      expect(expected.length).toBeGreaterThan(0);
      expect(await allPages(`image_type=registry&${q}`)).toEqual(expected);
    }
  });
});

describe('ListImageRiskConfigs hostile values on the wire', () => {
  const s = scope('cicd');
  const imageWith = (pred: (r: RiskConfig) => boolean) =>
    [...f.sim.world.groundTruth(s)].find(([, rows]) => rows.some(pred))![0];

  it('serialises numeric-looking check_type as a JSON number', async () => {
    const a = await risk(`image_type=cicd&image_id=${imageWith((r) => r.checkType === '3')}`);
    expect(a.text).toContain('"check_type":3,');
    expect(a.json.data_list.some((r) => r.check_type === 3)).toBe(true);
    const z = await risk(`image_type=cicd&image_id=${imageWith((r) => r.checkType === '0')}`);
    expect(z.json.data_list.some((r) => r.check_type === 0)).toBe(true);
  });

  it('carries the 65,534-character description, NUL, emoji, controls, quotes and an omitted field', async () => {
    const descs = async (pred: (r: RiskConfig) => boolean) => {
      const a = await risk(`image_type=cicd&image_id=${imageWith(pred)}`);
      return { text: a.text, descs: a.json.data_list.map((r) => r.check_type_desc), rows: a.json.data_list };
    };
    const long = await descs((r) => r.checkTypeDesc?.length === MAX_DESC_LENGTH);
    expect(long.descs.filter((d) => typeof d === 'string' && d.length === MAX_DESC_LENGTH).length).toBe(1);
    const nul = await descs((r) => r.checkTypeDesc?.includes('\u0000') ?? false);
    expect(nul.text).toContain('before NUL\\u0000after NUL');
    expect(nul.descs).toContain('before NUL\u0000after NUL');
    const emoji = await descs((r) => r.checkTypeDesc?.includes('🔒') ?? false);
    expect(emoji.text).toContain('🔒🐳');
    const controls = await descs((r) => r.checkTypeDesc?.includes('\t') ?? false);
    expect(controls.text).toContain('Line one\\nLine two\\r\\n\\tindented');
    const quotes = await descs((r) => r.checkTypeDesc?.includes('"') ?? false);
    expect(quotes.text).toContain('He said \\"don\'t\\" use C:\\\\Windows');
    const omitted = await descs((r) => r.checkTypeDesc === null);
    expect(omitted.rows.some((r) => !('check_type_desc' in r))).toBe(true);
  });

  it('gives every answer its own 32-hex X-Request-Id', async () => {
    const ids = await Promise.all(
      ['image_type=cicd', '', 'image_type=x'].map(async (q) => (await risk(q)).requestId),
    );
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(3);
  });
});
