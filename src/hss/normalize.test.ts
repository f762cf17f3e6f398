import { describe, expect, it } from 'vitest';
import { cleanString, emptyStats, normalizeImagePage, RiskConfigCollector } from './normalize.js';
import { describeIssues, imagePageSchema, riskConfigPageSchema } from './schemas.js';

describe('schemas', () => {
  it('accept absent/null fields, numeric strings, numeric check_type, and keep unknown fields', () => {
    const page = riskConfigPageSchema.parse({
      total_num: '2',
      data_list: [{ check_name: 'CentOS 7', check_type: 3, check_rule_num: '12', extra: { a: 1 } }, {}],
      future_field: true,
    });
    expect(page.total_num).toBe(2);
    expect(page.data_list?.[0]?.check_type).toBe('3');
    expect(page.data_list?.[0]?.check_rule_num).toBe(12);
    expect(page.data_list?.[0]).toMatchObject({ extra: { a: 1 } });
    expect(page).toMatchObject({ future_field: true });
  });

  it('reject wrong types with a path-only description', () => {
    const r = riskConfigPageSchema.safeParse({ total_num: 1, data_list: [{ check_rule_num: 'many' }] });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssues(r.error)).toBe('data_list.0.check_rule_num: Invalid input');
    expect(imagePageSchema.safeParse({ data_list: [] }).success).toBe(false);
    expect(imagePageSchema.safeParse({ total_num: 0, data_list: 'x' }).success).toBe(false);
  });
});

describe('cleanString (NUL policy)', () => {
  it('replaces each U+0000 with U+FFFD and counts them', () => {
    const stats = emptyStats();
    expect(cleanString('a\u0000b\u0000', stats)).toBe('a\uFFFDb\uFFFD');
    expect(stats.nulReplaced).toBe(2);
  });
  it('changes nothing else: Chinese, emoji, newlines, spaces, very long strings', () => {
    const stats = emptyStats();
    const long = '检'.repeat(65_534);
    for (const s of ['基线检查 😀', ' a\r\nb\t ', long, '']) expect(cleanString(s, stats)).toBe(s);
    expect(stats.nulReplaced).toBe(0);
  });
});

describe('normalizeImagePage', () => {
  it('maps fields, turns absent values into null and skips rows without image_id', () => {
    const stats = emptyStats();
    const page = imagePageSchema.parse({
      total_num: 3,
      data_list: [
        {
          image_id: 'sha256:1',
          image_digest: 'd1',
          namespace: 'ns',
          image_name: 'nginx\u0000',
          image_version: '1.0',
          instance_id: 'i',
          registry_name: 'swr',
          registry_type: 'SwrPrivate',
          scan_status: 'success',
          latest_scan_time: 1700000000000,
          unsafe_setting_num: '4',
          image_size: 1024.5,
          latest_update_time: 1700000000001,
        },
        { image_name: 'no id' },
        { image_id: '', image_name: 'empty id' },
        { image_id: 'sha256:2', host_id: 'h', host_name: 'node-1' },
      ],
    });
    const { totalNum, rows } = normalizeImagePage(page, stats);
    expect(totalNum).toBe(3);
    expect(rows).toEqual([
      {
        imageId: 'sha256:1',
        imageDigest: 'd1',
        namespace: 'ns',
        imageName: 'nginx\uFFFD',
        imageVersion: '1.0',
        instanceId: 'i',
        registryName: 'swr',
        registryType: 'SwrPrivate',
        hostId: null,
        hostName: null,
        scanStatus: 'success',
        latestScanTime: 1700000000000,
        unsafeSettingNum: 4,
        imageSize: 1024.5,
        latestUpdateTime: 1700000000001,
      },
      {
        imageId: 'sha256:2',
        imageDigest: null,
        namespace: null,
        imageName: null,
        imageVersion: null,
        instanceId: null,
        registryName: null,
        registryType: null,
        hostId: 'h',
        hostName: 'node-1',
        scanStatus: null,
        latestScanTime: null,
        unsafeSettingNum: null,
        imageSize: null,
        latestUpdateTime: null,
      },
    ]);
    expect(stats).toEqual({ nulReplaced: 1, skippedWithoutImageId: 2, duplicates: 0, quarantined: 0 });
  });

  it('treats an absent data_list as no rows', () => {
    expect(normalizeImagePage(imagePageSchema.parse({ total_num: 0 }), emptyStats()).rows).toEqual([]);
  });
});

describe('RiskConfigCollector', () => {
  it('normalises rows: absent key strings → "", absent values → null, check_type number → text', () => {
    const collector = new RiskConfigCollector(emptyStats());
    const page = riskConfigPageSchema.parse({
      data_list: [{ check_type: 3, severity: 'High', check_type_desc: '说明\n第二行' }, {}],
    });
    collector.add(page.data_list ?? []);
    expect(collector.rows).toEqual([
      {
        checkName: '',
        checkType: '3',
        standard: '',
        severity: 'High',
        checkRuleNum: null,
        failedRuleNum: null,
        checkTypeDesc: '说明\n第二行',
      },
      {
        checkName: '',
        checkType: '',
        standard: '',
        severity: null,
        checkRuleNum: null,
        failedRuleNum: null,
        checkTypeDesc: null,
      },
    ]);
  });

  it('keeps the first row of each (check_name, check_type, standard) across pages and counts duplicates', () => {
    const stats = emptyStats();
    const collector = new RiskConfigCollector(stats);
    collector.add([
      { check_name: 'CentOS 7', check_type: 'CentOS 7', standard: 'hw_standard', failed_rule_num: 1 },
      { check_name: 'CentOS 7', check_type: 'CentOS 7', standard: 'cn_standard', failed_rule_num: 2 },
    ]);
    collector.add([
      { check_name: 'CentOS 7', check_type: 'CentOS 7', standard: 'hw_standard', failed_rule_num: 9 },
      // NUL-cleaned keys are compared after cleaning.
      { check_name: 'CentOS 7', check_type: 'CentOS 7', standard: 'cn_standard\u0000' },
      { check_name: 'CentOS 7', check_type: 'CentOS 7', standard: 'cn_standard\uFFFD' },
    ]);
    expect(collector.rows.map((r) => [r.standard, r.failedRuleNum])).toEqual([
      ['hw_standard', 1],
      ['cn_standard', 2],
      ['cn_standard\uFFFD', null],
    ]);
    expect(stats).toEqual({ nulReplaced: 1, skippedWithoutImageId: 0, duplicates: 2, quarantined: 0 });
  });
});
