import { describe, expect, it } from 'vitest';
import type { RiskConfig, Scope } from '../../domain.js';
import {
  type ImageResultItem,
  imageKeyOf,
  type OpenVersionRow,
  planResults,
  planVersions,
  type ResultRow,
} from './results-plan.js';

const scope: Scope = { target: 't', projectId: 'p', enterpriseProjectId: '0', imageType: 'private_image' };
const risk = (o: Partial<RiskConfig> = {}): RiskConfig => ({
  checkName: 'CentOS 7',
  checkType: 'CentOS 7',
  standard: 'hw_standard',
  severity: 'High',
  checkRuleNum: 10,
  failedRuleNum: 1,
  checkTypeDesc: null,
  ...o,
});
const item = (imageId: string, results: RiskConfig[], o: Partial<ImageResultItem> = {}): ImageResultItem => ({
  scope,
  imageId,
  signal: {
    latestScanTime: Date.UTC(2026, 0, 1),
    imageDigest: 'd',
    unsafeSettingNum: 3,
    scanStatus: 'success',
  },
  outcome: 'fetched',
  source: 'ListImageRiskConfigs',
  results,
  ...o,
});
const key = { project_id: 'p', enterprise_project_id: '0', image_type: 'private_image' };

/** A stored result row of image `imageId` (CentOS 7, hw_standard, 1 of 10 failed). */
const row = (imageId: string, o: Partial<ResultRow> = {}): ResultRow => ({
  ...key,
  image_id: imageId,
  check_name: 'CentOS 7',
  check_type: 'CentOS 7',
  standard: 'hw_standard',
  severity: 'High',
  check_rule_num: 10,
  failed_rule_num: 1,
  check_type_desc: null,
  scanned_at: null,
  source_api: null,
  ...o,
});

describe('planResults', () => {
  it('shapes contents, fetched images and result rows', () => {
    expect(planResults([item('a', [risk()])])).toEqual({
      contents: [
        {
          ...key,
          image_id: 'a',
          fetched_scan_time: '2026-01-01T00:00:00.000Z',
          fetched_digest: 'd',
          fetched_unsafe_num: 3,
          fetched_scan_status: 'success',
          outcome: 'fetched',
          result_count: 1,
        },
      ],
      fetchedImages: [{ ...key, image_id: 'a' }],
      results: [row('a', { scanned_at: '2026-01-01T00:00:00.000Z', source_api: 'ListImageRiskConfigs' })],
    });
  });

  it('keeps not_scanned images out of the history rows', () => {
    const plan = planResults([item('a', [risk()], { outcome: 'not_scanned' })]);
    expect(plan.fetchedImages).toEqual([]);
    expect(plan.results).toEqual([]);
    expect(plan.contents.map((c) => [c.image_id, c.outcome, c.result_count])).toEqual([
      ['a', 'not_scanned', 0],
    ]);
  });

  it('keeps the last item of an image and the last row of a result key', () => {
    const plan = planResults([
      item('a', [risk({ failedRuleNum: 1 })]),
      item('b', []),
      item('a', [risk({ failedRuleNum: 2 }), risk({ standard: 'cn_standard' }), risk({ failedRuleNum: 3 })]),
    ]);
    expect(plan.fetchedImages.map((i) => i.image_id)).toEqual(['a', 'b']);
    expect(plan.results.map((r) => [r.image_id, r.standard, r.failed_rule_num])).toEqual([
      ['a', 'hw_standard', 3],
      ['a', 'cn_standard', 1],
    ]);
    expect(plan.contents.map((c) => [c.image_id, c.result_count])).toEqual([
      ['a', 2],
      ['b', 0],
    ]);
  });

  it('tells the same image_id in different scopes apart', () => {
    const other: Scope = { ...scope, imageType: 'shared_image' };
    const plan = planResults([item('a', [risk()]), item('a', [risk()], { scope: other })]);
    expect(plan.fetchedImages).toHaveLength(2);
    expect(imageKeyOf(plan.fetchedImages[0]!)).not.toBe(imageKeyOf(plan.fetchedImages[1]!));
  });
});

describe('planVersions', () => {
  const at = new Date('2026-01-02T00:00:00.000Z');
  const open = (id: string, r: ResultRow, floor = '2026-01-01T00:00:00.001000Z'): OpenVersionRow => ({
    ...r,
    version_id: id,
    floor,
  });

  it('opens every result at `at` when nothing is open', () => {
    const rows = [row('a'), row('a', { standard: 'cn_standard' }), row('b')];
    expect(planVersions(rows, [], at)).toEqual({
      close: [],
      open: rows.map((r) => ({ row: r, at: '2026-01-02T00:00:00.000Z' })),
    });
  });

  it('keeps an identical open version, closes a changed or gone one, opens the rest in order', () => {
    const same = row('a', { severity: null });
    const changed = row('a', { standard: 'cn_standard', failed_rule_num: 2 });
    const fresh = row('a', { check_name: 'EulerOS' });
    const plan = planVersions(
      [fresh, same, changed],
      [
        open('1', row('a', { severity: null })),
        open('2', row('a', { standard: 'cn_standard', failed_rule_num: 1 })),
        open('3', row('a', { check_name: 'Gone' })),
      ],
      at,
    );
    expect(plan).toEqual({
      close: [{ at: '2026-01-02T00:00:00.000Z', versionIds: ['2', '3'] }],
      open: [
        { row: fresh, at: '2026-01-02T00:00:00.000Z' },
        { row: changed, at: '2026-01-02T00:00:00.000Z' },
      ],
    });
  });

  it('moves an image whose open version began at or after `at` just past it, and only that image', () => {
    const plan = planVersions(
      [row('a', { failed_rule_num: 5 }), row('b', { failed_rule_num: 5 })],
      [open('1', row('a'), '2026-01-02T00:00:00.001500Z'), open('2', row('b'))],
      at,
    );
    expect(plan).toEqual({
      close: [
        { at: '2026-01-02T00:00:00.001500Z', versionIds: ['1'] },
        { at: '2026-01-02T00:00:00.000Z', versionIds: ['2'] },
      ],
      open: [
        { row: row('a', { failed_rule_num: 5 }), at: '2026-01-02T00:00:00.001500Z' },
        { row: row('b', { failed_rule_num: 5 }), at: '2026-01-02T00:00:00.000Z' },
      ],
    });
  });

  it('takes the floor of an image when given (the end of a closed version reopened)', () => {
    const floors = new Map([[imageKeyOf(row('a')), '2026-01-03T00:00:00.000000Z']]);
    const plan = planVersions([row('a', { failed_rule_num: 5 })], [open('1', row('a'))], at, floors);
    expect(plan).toEqual({
      close: [{ at: '2026-01-03T00:00:00.000000Z', versionIds: ['1'] }],
      open: [{ row: row('a', { failed_rule_num: 5 }), at: '2026-01-03T00:00:00.000000Z' }],
    });
  });
});
