import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { IMAGE_TYPES } from '../domain.js';
import { WINDOWS_CHECK_TYPES } from './baseline.js';
import { HOSTILE_KINDS, MAX_DESC_LENGTH } from './hostile.js';
import { listImageRiskConfigs } from './risk-configs.js';
import type { SimScope } from './types.js';
import { SimWorld } from './world.js';

const scope = (imageType: SimScope['imageType']): SimScope => ({
  projectId: 'proj-demo',
  enterpriseProjectId: '0',
  imageType,
});
const world = (seed = 1, clock = new FakeClock()) => new SimWorld({ seed, clock });

describe('world generation', () => {
  it('replays exactly from the seed', () => {
    const a = world(7);
    const b = world(7);
    expect(a.scopes()).toEqual(b.scopes());
    for (const s of a.scopes()) {
      expect(a.images(s)).toEqual(b.images(s));
      expect(a.groundTruth(s)).toEqual(b.groundTruth(s));
      const q = new Map([
        ['image_type', s.imageType],
        ['limit', '200'],
      ]);
      expect(JSON.stringify(listImageRiskConfigs(a, 'proj-demo', q))).toBe(
        JSON.stringify(listImageRiskConfigs(b, 'proj-demo', q)),
      );
    }
    expect(world(8).images(scope('private_image'))).not.toEqual(a.images(scope('private_image')));
  });

  it('populates every image type by default, local serving the local_image data', () => {
    const w = world();
    expect(w.scopes().map((s) => s.imageType)).toEqual([...IMAGE_TYPES]);
    expect(w.images(scope('local'))).toEqual(w.images(scope('local_image')));
    expect(w.groundTruth(scope('local'))).toEqual(w.groundTruth(scope('local_image')));
    expect(() => w.images({ ...scope('cicd'), projectId: 'nope' })).toThrow(
      'no such simulator scope nope/0/cicd',
    );
  });

  it('has 40 contents, 8 of them with 2–3 tags that differ in version (or host for local)', () => {
    const w = world();
    for (const s of w.scopes()) {
      const rows = w.images(s);
      const byId = groupBy(rows, (r) => r.image_id);
      expect(byId.size).toBe(40);
      const multi = [...byId.values()].filter((tags) => tags.length > 1);
      expect(multi.length).toBe(8);
      for (const tags of multi) {
        expect(tags.length).toBeLessThanOrEqual(3);
        const distinguishing = tags.map((t) =>
          s.imageType.startsWith('local') ? t.host_id : t.image_version,
        );
        expect(new Set(distinguishing).size).toBe(tags.length);
        // Content fields are shared by every tag.
        expect(
          new Set(tags.map((t) => JSON.stringify([t.image_digest, t.latest_scan_time, t.scan_status]))).size,
        ).toBe(1);
      }
    }
  });

  it('shapes rows per list API and uses sha256 ids (short ids for cicd)', () => {
    const w = world();
    const reg = w.images(scope('instance_image'))[0]!;
    expect(Object.keys(reg)).toEqual([
      'image_id',
      'image_digest',
      'namespace',
      'image_name',
      'image_version',
      'image_type',
      'instance_id',
      'registry_name',
      'registry_type',
      'scan_status',
      'latest_scan_time',
      'unsafe_setting_num',
      'image_size',
      'latest_update_time',
      'vul_num',
      'severity_level',
      'latest_version',
      'latest_sync_time',
      'instance_name',
      'is_multiple_arch',
    ]);
    expect(reg.image_id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(reg.instance_id).toMatch(/^[0-9a-f]{32}$/);
    const local = w.images(scope('local_image'))[0]!;
    expect(Object.keys(local).slice(0, 6).join(' ')).toBe(
      'image_id image_digest image_name image_version host_id host_name',
    );
    const cicd = w.images(scope('cicd'))[0]!;
    expect(Object.keys(cicd).slice(0, 6).join(' ')).toBe(
      'image_id namespace image_name image_version image_digest registry_name',
    );
    expect(cicd.image_id).toMatch(/^[0-9a-f]{24}$/);
    const registry = w.images(scope('registry'));
    expect(new Set(registry.map((r) => r.registry_type))).toEqual(new Set(['Harbor', 'Jfrog']));
    // RegistryImagesInfo.image_type names the registry kind in the registry scope.
    expect(new Set(registry.map((r) => `${r.image_type}/${r.registry_type}`))).toEqual(
      new Set(['harbor/Harbor', 'jfrog/Jfrog']),
    );
  });

  it('leaves 10 % not successfully scanned; unscan and waiting ones without results', () => {
    const w = world();
    for (const s of w.scopes()) {
      const contents = [...groupBy(w.images(s), (r) => r.image_id).values()].map((t) => t[0]!);
      const notOk = contents.filter((c) => c.scan_status !== 'success');
      expect(notOk.map((c) => c.scan_status).sort()).toEqual([
        'failed',
        'scanning',
        'unscan',
        'waiting_for_scan',
      ]);
      const truth = w.groundTruth(s);
      const unscan = notOk.find((c) => c.scan_status === 'unscan')!;
      const waiting = notOk.find((c) => c.scan_status === 'waiting_for_scan')!;
      const scanning = notOk.find((c) => c.scan_status === 'scanning')!;
      expect([unscan.latest_scan_time, truth.has(unscan.image_id), unscan.unsafe_setting_num]).toEqual([
        null,
        false,
        0,
      ]);
      expect([waiting.latest_scan_time, truth.has(waiting.image_id)]).toEqual([0, false]);
      // A scan in progress keeps the previous results.
      expect(truth.has(scanning.image_id)).toBe(true);
      // Every scanned image has results but the one planted without (coverage.ts).
      const { noResults } = w.coverageCases(s);
      expect(noResults.length).toBe(1);
      for (const c of contents.filter((x) => x.scan_status === 'success'))
        expect(truth.has(c.image_id)).toBe(!noResults.includes(c.image_id));
    }
  });

  it('keeps result rows consistent: keys unique, counts in range, severity and unsafe_setting_num derived', () => {
    const w = world(3);
    for (const s of w.scopes()) {
      const truth = w.groundTruth(s);
      const unsafe = new Map(w.images(s).map((r) => [r.image_id, r.unsafe_setting_num]));
      for (const [id, rows] of truth) {
        expect(rows.length).toBeGreaterThanOrEqual(1);
        expect(rows.length).toBeLessThanOrEqual(4);
        const keys = rows.map((r) => `${r.checkName}|${r.checkType}|${r.standard}`);
        expect(new Set(keys).size).toBe(rows.length);
        for (const r of rows) {
          expect(['CentOS 7', 'Debian 10', 'EulerOS', 'Ubuntu16', 'Windows']).toContain(r.checkName);
          expect(['cn_standard', 'hw_standard']).toContain(r.standard);
          expect(r.checkRuleNum).toBeGreaterThanOrEqual(10);
          expect(r.checkRuleNum).toBeLessThanOrEqual(80);
          expect(r.failedRuleNum).toBeLessThanOrEqual(r.checkRuleNum!);
          expect(r.failedRuleNum === 0).toBe(r.severity === 'Security');
          if (!/^\d+$/.test(r.checkType)) {
            if (r.checkName === 'Windows') expect(WINDOWS_CHECK_TYPES).toContain(r.checkType);
            else expect(r.checkType).toBe(r.checkName);
          }
        }
        const failed = rows.reduce((n, r) => n + r.failedRuleNum!, 0);
        // The one image planted inconsistent (coverage.ts) contradicts its results.
        const inconsistent = w.coverageCases(s).inconsistent.includes(id);
        expect(unsafe.get(id)).toBe(inconsistent ? (failed > 0 ? 0 : 3) : failed);
      }
    }
  });

  it('plants every hostile value in every scope', () => {
    const w = world();
    for (const s of w.scopes()) {
      expect(w.hostileKinds(s)).toEqual(HOSTILE_KINDS.map((h) => h.kind));
      const rows = [...w.groundTruth(s).values()].flat();
      const descs = rows.map((r) => r.checkTypeDesc);
      expect(descs.filter((d) => d?.length === MAX_DESC_LENGTH).length).toBe(1);
      expect(descs.filter((d) => d?.includes('\u0000')).length).toBe(1);
      expect(descs.filter((d) => d?.includes('🔒')).length).toBe(1);
      expect(descs.filter((d) => d?.includes('\n') && d.includes('\t')).length).toBe(1);
      expect(descs.filter((d) => d?.includes('等保')).length).toBe(1);
      expect(descs.filter((d) => d?.includes('"') && d.includes('\\')).length).toBe(1);
      expect(descs.filter((d) => d === '').length).toBe(1);
      expect(descs.filter((d) => d === null).length).toBe(1);
      expect(rows.some((r) => r.checkType === '3')).toBe(true);
      expect(rows.some((r) => r.checkType === '0')).toBe(true);
    }
  });

  it('plants only as many hostile kinds as there are rows in a tiny scope', () => {
    const w = new SimWorld({ seed: 1, clock: new FakeClock(), imagesPerScope: 2, imageTypes: ['cicd'] });
    const rows = [...w.groundTruth(scope('cicd')).values()].flat();
    expect(w.hostileKinds(scope('cicd'))).toEqual(HOSTILE_KINDS.slice(0, rows.length).map((h) => h.kind));
  });
});

describe('world mutations', () => {
  it('rescan changes latest_scan_time and the results of exactly those images, on every tag', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5));
    const w = world(1, clock);
    const s = scope('private_image');
    const before = w.groundTruth(s);
    const rows = w.images(s);
    // A content with several tags, one plain content and the unscanned one.
    const multi = rows.find(
      (r) => r.scan_status === 'success' && rows.filter((x) => x.image_id === r.image_id).length > 1,
    )!.image_id;
    const plain = [...before.keys()].find((id) => id !== multi)!;
    const unscanned = rows.find((r) => r.scan_status === 'unscan')!.image_id;
    const ids = [plain, unscanned, multi];
    const order = [...new Set(rows.map((r) => r.image_id))].filter((id) => ids.includes(id));
    expect(w.rescan(s, ids)).toEqual(order);

    const after = w.groundTruth(s);
    for (const [id, old] of before) {
      if (ids.includes(id)) continue;
      expect(after.get(id)).toEqual(old);
    }
    for (const id of [plain, multi]) {
      const changed = after.get(id)!.filter((r, i) => {
        const o = old(before, id, i);
        return r.failedRuleNum !== o.failedRuleNum && r.severity !== o.severity;
      });
      expect(changed.length).toBeGreaterThanOrEqual(1);
    }
    expect(after.get(unscanned)!.length).toBeGreaterThanOrEqual(1);
    for (const r of w.images(s).filter((x) => ids.includes(x.image_id))) {
      expect([r.latest_scan_time, r.scan_status]).toEqual([clock.now(), 'success']);
      expect(r.unsafe_setting_num).toBe(after.get(r.image_id)!.reduce((n, x) => n + x.failedRuleNum!, 0));
    }
    expect(() => w.rescan(s, ['sha256:none'])).toThrow('no image sha256:none in the simulator scope');
  });

  it('rescan by count picks N distinct images deterministically and always advances the scan time', () => {
    const clock = new FakeClock(0);
    const a = world(5, clock);
    const b = world(5, clock);
    const s = scope('cicd');
    const picked = a.rescan(s, 5);
    expect(picked.length).toBe(5);
    expect(new Set(picked).size).toBe(5);
    expect(b.rescan(s, 5)).toEqual(picked);
    expect(a.groundTruth(s)).toEqual(b.groundTruth(s));
    // The clock (0) is behind the old scan times: the time still moves forward.
    const old = world(5, clock).images(s);
    for (const r of a.images(s).filter((x) => picked.includes(x.image_id))) {
      const prev = old.find((o) => o.image_id === r.image_id)!.latest_scan_time ?? 0;
      expect(r.latest_scan_time).toBe(prev + 1);
    }
  });

  it('adds images and tags, removes every reference, and sets scan states', () => {
    const clock = new FakeClock(Date.UTC(2026, 1, 1));
    const w = world(1, clock);
    const s = scope('shared_image');
    const n = w.images(s).length;
    const id = w.addImage(s, { image_name: 'added', image_version: '9.9.9' });
    const added = w.images(s).at(-1)!;
    expect(added).toMatchObject({
      image_id: id,
      image_name: 'added',
      image_version: '9.9.9',
      scan_status: 'success',
    });
    expect(added.latest_scan_time).toBe(clock.now());
    expect(w.groundTruth(s).get(id)!.length).toBeGreaterThanOrEqual(1);
    expect(w.addImage(s, { image_id: id, image_version: '10.0.0' })).toBe(id);
    expect(w.images(s).length).toBe(n + 2);
    expect(
      w
        .images(s)
        .filter((r) => r.image_id === id)
        .map((r) => r.image_version),
    ).toEqual(['9.9.9', '10.0.0']);

    expect(w.removeImage(s, id)).toBe(2);
    expect(w.images(s).length).toBe(n);
    expect(w.groundTruth(s).has(id)).toBe(false);
    expect(w.removeImage(s, id)).toBe(0);

    const target = [...w.groundTruth(s).keys()][0]!;
    w.setScanStatus(s, target, 'unscan');
    expect(w.groundTruth(s).has(target)).toBe(false);
    expect(w.images(s).find((r) => r.image_id === target)!.latest_scan_time).toBeNull();
    w.setScanStatus(s, target, 'success');
    expect(w.groundTruth(s).has(target)).toBe(true);
    expect(w.images(s).find((r) => r.image_id === target)!.latest_scan_time).toBe(clock.now());
    w.setScanStatus(s, target, 'failed');
    expect(w.groundTruth(s).has(target)).toBe(true);
    expect(w.images(s).find((r) => r.image_id === target)).toMatchObject({
      scan_failed_code: 'download_failed',
      scan_failed_desc: '镜像下载失败。请向技术人员寻求帮助。',
    });
  });
});

function old(
  before: Map<string, { failedRuleNum: number | null; severity: string | null }[]>,
  id: string,
  i: number,
) {
  return before.get(id)![i]!;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}
