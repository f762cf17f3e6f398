import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type ImageListing, noListingExtras } from '../domain.js';
import { cleanString, emptyStats, normalizeImagePage, RiskConfigCollector } from './normalize.js';
import {
  describeIssues,
  imagePageSchema,
  imageRowSchema,
  riskConfigPageSchema,
  riskConfigRowSchema,
} from './schemas.js';

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
    // total_num is optional in the official models: a page without it is valid.
    expect(imagePageSchema.safeParse({ data_list: [] }).success).toBe(true);
    expect(imagePageSchema.safeParse({ total_num: 0, data_list: 'x' }).success).toBe(false);
  });
});

describe('schemas: every number is checked against its column and the API (values.ts)', () => {
  const problem = (schema: z.ZodType, value: unknown) => {
    const r = schema.safeParse(value);
    return r.success ? null : describeIssues(r.error);
  };

  it('list rows: counts within int4, sizes within MAX_SAFE_INTEGER, instants within year 9999', () => {
    const row = (fields: Record<string, unknown>) => problem(imageRowSchema, { image_id: 'a', ...fields });
    const countRule = 'expected an integer from 0 to 2147483647';
    expect(row({ unsafe_setting_num: 3_000_000_000 })).toBe(`unsafe_setting_num: ${countRule}`);
    expect(row({ unsafe_setting_num: '3000000000' })).toBe(`unsafe_setting_num: ${countRule}`);
    expect(row({ unsafe_setting_num: -1 })).toBe(`unsafe_setting_num: ${countRule}`);
    expect(row({ unsafe_setting_num: 1.5 })).toBe(`unsafe_setting_num: ${countRule}`);
    expect(row({ unsafe_setting_num: 2_147_483_647 })).toBeNull();
    const sizeRule = 'image_size: expected a number from 0 to 9007199254740991 bytes';
    expect(row({ image_size: '9'.repeat(400) })).toBe(sizeRule);
    expect(row({ image_size: 2 ** 53 })).toBe(sizeRule);
    expect(row({ image_size: -1 })).toBe(sizeRule);
    // A 400-digit JSON number literal parses as Infinity.
    expect(row({ image_size: JSON.parse(`{"n":${'9'.repeat(400)}}`).n })).toBe(sizeRule);
    expect(row({ image_size: Number.NaN })).toBe(sizeRule);
    expect(row({ image_size: 5_000_000_000 })).toBeNull();
    const timeRule = 'expected an integer from 0 to 253402300799999 ms';
    expect(row({ latest_scan_time: 253_402_300_800_000 })).toBe(`latest_scan_time: ${timeRule}`);
    expect(row({ latest_update_time: -5 })).toBe(`latest_update_time: ${timeRule}`);
    expect(row({ latest_scan_time: 1_700_000_000_000.5 })).toBe(`latest_scan_time: ${timeRule}`);
    expect(row({ latest_scan_time: 0, latest_update_time: null })).toBeNull();
  });

  it('image_id: at most 128 characters (what ListImageRiskConfigs can filter on)', () => {
    expect(problem(imageRowSchema, { image_id: 'x'.repeat(129) })).toBe(
      'image_id: longer than 128 characters',
    );
    expect(problem(imageRowSchema, { image_id: 'x'.repeat(128) })).toBeNull();
    expect(imageRowSchema.parse({ image_id: 42 }).image_id).toBe('42');
  });

  it('a fractional image_size is rounded to the nearest byte', () => {
    const sizes = ['123.5', 123.4, 0.2, '7'].map(
      (image_size) => imageRowSchema.parse({ image_id: 'a', image_size }).image_size,
    );
    expect(sizes).toEqual([124, 123, 0, 7]);
  });

  it('results: counts non-negative within the API range, failed_rule_num at most check_rule_num', () => {
    const rule = 'expected an integer from 0 to 2097152';
    expect(problem(riskConfigRowSchema, { check_rule_num: 3e9 })).toBe(`check_rule_num: ${rule}`);
    expect(problem(riskConfigRowSchema, { check_rule_num: -3, failed_rule_num: -9 })).toBe(
      `check_rule_num: ${rule}; failed_rule_num: ${rule}`,
    );
    expect(problem(riskConfigRowSchema, { check_rule_num: 3, failed_rule_num: 9 })).toBe(
      'failed_rule_num: greater than check_rule_num',
    );
    expect(problem(riskConfigRowSchema, { check_rule_num: 9, failed_rule_num: 9 })).toBeNull();
    expect(problem(riskConfigRowSchema, { failed_rule_num: 9 })).toBeNull();
  });

  it('total_num: within the range the API defines', () => {
    expect(problem(imagePageSchema, { total_num: 2_147_483_548 })).toBe(
      'total_num: expected an integer from 0 to 2147483547',
    );
    expect(problem(imagePageSchema, { total_num: 2_147_483_547 })).toBeNull();
    expect(problem(riskConfigPageSchema, { total_num: 2_147_483_648 })).toBe(
      'total_num: expected an integer from 0 to 2147483647',
    );
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

/** An ImageListing with every field null (raw {}) but those given. */
function listing(fields: Partial<ImageListing> & { imageId: string }): ImageListing {
  return {
    imageDigest: null,
    namespace: null,
    imageName: null,
    imageVersion: null,
    instanceId: null,
    registryName: null,
    registryType: null,
    hostId: null,
    hostName: null,
    scanStatus: null,
    latestScanTime: null,
    unsafeSettingNum: null,
    imageSize: null,
    latestUpdateTime: null,
    ...noListingExtras(),
    ...fields,
  };
}

/** Parses each item as listImagesPage does and keeps it as received. */
function receivedRows(items: unknown[]) {
  return items.map((item) => ({ row: imageRowSchema.parse(item), received: item }));
}

describe('normalizeImagePage', () => {
  it('maps fields, turns absent values into null and skips rows without image_id', () => {
    const stats = emptyStats();
    const first = {
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
    };
    const items = [
      first,
      { image_name: 'no id' },
      { image_id: '', image_name: 'empty id' },
      { image_id: 'sha256:2', host_id: 'h', host_name: 'node-1' },
    ];
    const { totalNum, rows } = normalizeImagePage(3, receivedRows(items), stats);
    expect(totalNum).toBe(3);
    expect(rows).toEqual([
      {
        ...noListingExtras(),
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
        // A fraction of a byte is rounded to the nearest byte (values.ts wire.bytes).
        imageSize: 1025,
        latestUpdateTime: 1700000000001,
        // The item as received: the numeric string and the fraction as sent, the NUL replaced.
        raw: { ...first, image_name: 'nginx\uFFFD' },
      },
      listing({
        imageId: 'sha256:2',
        hostId: 'h',
        hostName: 'node-1',
        raw: { image_id: 'sha256:2', host_id: 'h', host_name: 'node-1' },
      }),
    ]);
    // The one NUL is counted once, though both imageName and raw hold its replacement.
    expect(stats).toEqual({ nulReplaced: 1, skippedWithoutImageId: 2, duplicates: 0, quarantined: 0 });
  });

  it('keeps the listing fields auditors need, typed as the official models send them', () => {
    const stats = emptyStats();
    // RegistryImagesInfo: latest_version and is_multiple_arch are booleans, latest_sync_time int64 ms.
    const registry = {
      id: 17,
      image_id: 'sha256:r',
      image_type: 'harbor',
      registry_type: 'Harbor',
      latest_version: true,
      scan_status: 'failed',
      scan_failed_desc: 'download_failed',
      scan_failed_code: 'download_failed',
      latest_scan_time: 1700000000000,
      latest_sync_time: 1700000000500,
      is_multiple_arch: false,
      instance_name: 'ent-1',
      severity_level: 'High',
      association_images: [{ image_digest: 'x' }],
    };
    // ImageLocalInfo: host_num, agent_id, local_image_type, non_scan_reason; 0 while waiting.
    const local = {
      image_id: 'sha256:l',
      local_image_type: 'other_image',
      scan_status: 'waiting_for_scan',
      latest_scan_time: 0,
      host_num: 3,
      agent_id: 'agent-1',
      non_scan_reason: '镜像格式不支持',
    };
    // CicdImageResponseInfo: cicd_name, pipeline_type; a numeric scan_failed_code becomes text.
    const cicd = { image_id: 'sha256:c', cicd_name: 'pipe', pipeline_type: 'jenkins', scan_failed_code: 7 };
    const { rows } = normalizeImagePage(null, receivedRows([registry, local, cicd]), stats);
    expect(rows).toEqual([
      listing({
        imageId: 'sha256:r',
        registryType: 'Harbor',
        scanStatus: 'failed',
        latestScanTime: 1700000000000,
        listedImageType: 'harbor',
        severityLevel: 'High',
        scanFailedDesc: 'download_failed',
        scanFailedCode: 'download_failed',
        latestVersion: 'true',
        latestSyncTime: 1700000000500,
        instanceName: 'ent-1',
        isMultipleArch: false,
        // raw is the item exactly as received, fields this product does not map included.
        raw: registry,
      }),
      listing({
        imageId: 'sha256:l',
        scanStatus: 'waiting_for_scan',
        // 0 (sent while an image waits for its first scan) is "never", not 1970.
        latestScanTime: null,
        nonScanReason: '镜像格式不支持',
        localImageType: 'other_image',
        agentId: 'agent-1',
        hostNum: 3,
        raw: local,
      }),
      listing({
        imageId: 'sha256:c',
        scanFailedCode: '7',
        cicdName: 'pipe',
        pipelineType: 'jenkins',
        raw: cicd,
      }),
    ]);
    expect(stats.nulReplaced).toBe(0);
  });

  it('raw applies the NUL policy to every string, keys and nested values included, counted once each', () => {
    const stats = emptyStats();
    const item = {
      image_id: 'a\u0000',
      'odd\u0000key': ['x\u0000', { 'k\u0000': 'v\u0000\u0000' }],
      n: 1,
      b: null,
    };
    const { rows } = normalizeImagePage(1, receivedRows([item]), stats);
    expect(rows[0]?.imageId).toBe('a\uFFFD');
    expect(rows[0]?.raw).toEqual({
      image_id: 'a\uFFFD',
      'odd\uFFFDkey': ['x\uFFFD', { 'k\uFFFD': 'v\uFFFD\uFFFD' }],
      n: 1,
      b: null,
    });
    expect(stats.nulReplaced).toBe(6);
  });

  it('a page without total_num has totalNum null; an absent data_list is no rows', () => {
    const page = imagePageSchema.parse({});
    expect(page.total_num).toBeUndefined();
    expect(normalizeImagePage(page.total_num, [], emptyStats())).toEqual({ totalNum: null, rows: [] });
    expect(normalizeImagePage(0, [], emptyStats())).toEqual({ totalNum: 0, rows: [] });
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
