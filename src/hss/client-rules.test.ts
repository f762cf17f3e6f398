import { afterEach, describe, expect, it } from 'vitest';
import { expectRefused, MockHss, mockClient, okPage, TEST_SCOPE } from './mock-hss.test-helper.js';
import type { QuarantineEvent } from './types.js';

const RULES_PATH = '/v5/proj1/image/baseline/risk-configs/CentOS%207/rules';
const DETAIL_PATH = '/v5/proj1/image/baseline/check-rule/detail';

const scope = TEST_SCOPE;
const filter = { checkName: 'CentOS 7', standard: 'hw_standard', resultType: 'failed' as const };

function rulesUrl(offset: number, limit = 10): string {
  return `${RULES_PATH}?enterprise_project_id=0&image_id=img&image_type=private_image&limit=${limit}&offset=${offset}&result_type=failed&standard=hw_standard`;
}

function ruleRows(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({
    check_name: 'CentOS 7',
    check_type: 'CentOS 7',
    standard: 'hw_standard',
    check_rule_id: `1.${from + i + 1}`,
    check_rule_name: `Rule ${from + i + 1}`,
    severity: 'High',
    scan_result: 'failed',
  }));
}

let mock = new MockHss();
afterEach(async () => {
  await mock.close();
});

function setup() {
  mock = new MockHss();
  return mockClient(mock, { pageSize: 10 });
}

describe('listRiskConfigRules', () => {
  it('pages with check_name as an encoded path segment and every filter in the query', async () => {
    const { client, events, onCall } = setup();
    mock.reply(okPage(ruleRows(10), 13)).reply(okPage(ruleRows(3, 10), 13));
    const rules = await client.listRiskConfigRules(scope, 'img', filter, { onCall });
    expect(mock.paths()).toEqual([rulesUrl(0), rulesUrl(10)]);
    expect(rules).toHaveLength(13);
    expect(rules[12]).toEqual({
      checkName: 'CentOS 7',
      checkType: 'CentOS 7',
      standard: 'hw_standard',
      checkRuleId: '1.13',
      checkRuleName: 'Rule 13',
      severity: 'High',
      scanResult: 'failed',
    });
    expect(events.map((e) => e.api)).toEqual(['ListImageRiskConfigRules', 'ListImageRiskConfigRules']);
  });

  it('refuses a page with more rows than its limit, or a total_num outside int4, after one call', async () => {
    const path = 'GET /v5/proj1/image/baseline/risk-configs/CentOS%207/rules';
    for (const [json, problem] of [
      [
        { total_num: 11, data_list: ruleRows(11) },
        '11 rows in a page of at most 10 (limit); the answer is not a page of this request',
      ],
      [
        { total_num: -1, data_list: ruleRows(1) },
        'the answer does not match the ListImageRiskConfigRules schema: total_num: expected an integer from 0 to 2147483647',
      ],
    ] as const) {
      const { client } = setup();
      mock.reply({ status: 200, json });
      await expectRefused(
        mock,
        client.listRiskConfigRules(scope, 'img', filter),
        `ListImageRiskConfigRules HTTP 200: ${path}: ${problem}`,
      );
      await mock.close();
    }
  });

  it('applies the NUL policy, turns numeric ids into text, fills absent keys and drops repeats', async () => {
    const { client } = setup();
    mock.reply(
      okPage([
        { check_rule_id: 7, check_rule_name: 'a\u0000b', scan_result: 'failed' },
        { check_rule_id: '7', check_rule_name: 'again', scan_result: 'failed' },
        { check_name: 'CentOS 7', check_type: 'CentOS 7', check_rule_id: '8', scan_result: 'failed' },
      ]),
    );
    const rules = await client.listRiskConfigRules(scope, 'img', filter);
    expect(rules.map((r) => [r.checkName, r.checkType, r.standard, r.checkRuleId, r.checkRuleName])).toEqual([
      ['CentOS 7', '', 'hw_standard', '7', 'a\uFFFDb'],
      ['CentOS 7', 'CentOS 7', 'hw_standard', '8', null],
    ]);
    expect(client.stats).toEqual({ nulReplaced: 1, skippedWithoutImageId: 0, duplicates: 1, quarantined: 0 });
  });

  it('a row without check_rule_id is kept with checkRuleId "" (each one: no identity to dedupe by)', async () => {
    const { client } = setup();
    const quarantined: QuarantineEvent[] = [];
    mock.reply(
      okPage([
        ruleRows(1)[0],
        { check_rule_name: 'no id', scan_result: 'failed' },
        { check_rule_id: '', check_rule_name: 'empty id', scan_result: 'failed' },
        { check_rule_id: null, check_rule_name: 'null id', scan_result: 'failed' },
      ]),
    );
    const rules = await client.listRiskConfigRules(scope, 'img', filter, {
      onQuarantine: (e) => quarantined.push(e),
    });
    expect(rules.map((r) => [r.checkRuleId, r.checkRuleName])).toEqual([
      ['1.1', 'Rule 1'],
      ['', 'no id'],
      ['', 'empty id'],
      ['', 'null id'],
    ]);
    expect(rules[1]).toEqual({
      checkName: 'CentOS 7',
      checkType: '',
      standard: 'hw_standard',
      checkRuleId: '',
      checkRuleName: 'no id',
      severity: null,
      scanResult: 'failed',
    });
    expect(quarantined).toEqual([]);
    expect(client.stats).toEqual({ nulReplaced: 0, skippedWithoutImageId: 0, duplicates: 0, quarantined: 0 });
  });

  it("a schema-invalid row is quarantined alone; the image's other rules, on every page, are returned", async () => {
    const { client } = setup();
    const quarantined: QuarantineEvent[] = [];
    const page1 = ruleRows(10);
    page1[3] = { ...ruleRows(1, 3)[0]!, check_rule_name: { text: 'not a string' } as unknown as string };
    mock
      .reply(okPage(page1, 12, 'r1'))
      .reply(okPage([...ruleRows(1, 10), { check_rule_id: true }], 12, 'r2'));
    const rules = await client.listRiskConfigRules(scope, 'img', filter, {
      onQuarantine: (e) => quarantined.push(e),
    });
    expect(mock.paths()).toEqual([rulesUrl(0), rulesUrl(10)]);
    expect(rules.map((r) => r.checkRuleId)).toEqual([
      '1.1',
      '1.2',
      '1.3',
      '1.5',
      '1.6',
      '1.7',
      '1.8',
      '1.9',
      '1.10',
      '1.11',
    ]);
    expect(quarantined).toEqual([
      {
        api: 'ListImageRiskConfigRules',
        requestId: 'r1',
        position: 3,
        problem: 'check_rule_name: Invalid input: expected string, received object',
        sample:
          '{"check_name":"CentOS 7","check_type":"CentOS 7","standard":"hw_standard","check_rule_id":"1.4",' +
          '"check_rule_name":{"text":"not a string"},"severity":"High","scan_result":"failed"}',
        imageId: 'img',
      },
      {
        api: 'ListImageRiskConfigRules',
        requestId: 'r2',
        position: 11,
        problem: 'check_rule_id: Invalid input',
        sample: '{"check_rule_id":true}',
        imageId: 'img',
      },
    ]);
    expect(client.stats.quarantined).toBe(2);
  });
});

describe('showCheckRuleDetail', () => {
  it('without an image: every required parameter, no image filter; normalises the answer', async () => {
    const { client, events, onCall } = setup();
    mock.reply({
      status: 200,
      json: {
        description: 'd\u0000',
        reference: 'ref',
        audit: null,
        remediation: 'fix it',
        check_info_list: [{ check_description: 'c', current_value: '1', suggest_value: '2' }],
      },
    });
    const key = { checkName: 'CentOS 7', checkType: 'CentOS 7', standard: 'hw_standard', checkRuleId: '1.2' };
    expect(await client.showCheckRuleDetail(scope, key, null, { onCall })).toEqual({
      description: 'd\uFFFD',
      reference: 'ref',
      audit: null,
      remediation: 'fix it',
      checkInfoList: [{ checkDescription: 'c', currentValue: '1', suggestValue: '2' }],
    });
    expect(mock.paths()).toEqual([
      `${DETAIL_PATH}?check_name=CentOS%207&check_rule_id=1.2&check_type=CentOS%207&enterprise_project_id=0&image_type=private_image&standard=hw_standard`,
    ]);
    expect(events.map((e) => e.api)).toEqual(['ShowImageCheckRuleDetail']);
  });

  it('with an image, asks for that image: image_id and its non-null filters (current_value is its value)', async () => {
    const { client } = setup();
    mock
      .reply({ status: 200, json: { check_info_list: [{ current_value: 'PermitRootLogin yes' }] } })
      .reply({ status: 200, json: {} });
    const key = { checkName: 'CentOS 7', checkType: 'CentOS 7', standard: 'hw_standard', checkRuleId: '1.2' };
    const image = {
      imageId: 'sha256:abc',
      namespace: 'team a',
      imageName: 'nginx',
      imageVersion: '1.25',
      instanceId: 'inst-1',
    };
    const detail = await client.showCheckRuleDetail(scope, key, image);
    expect(detail.checkInfoList).toEqual([
      { checkDescription: null, currentValue: 'PermitRootLogin yes', suggestValue: null },
    ]);
    // Unknown parts of the image (a local image has no namespace or instance) are not sent.
    await client.showCheckRuleDetail(scope, key, {
      imageId: 'sha256:def',
      namespace: null,
      imageName: 'redis',
      imageVersion: null,
      instanceId: null,
    });
    const common = 'check_name=CentOS%207&check_rule_id=1.2&check_type=CentOS%207&enterprise_project_id=0';
    expect(mock.paths()).toEqual([
      `${DETAIL_PATH}?${common}&image_id=sha256%3Aabc&image_name=nginx&image_type=private_image` +
        '&image_version=1.25&instance_id=inst-1&namespace=team%20a&standard=hw_standard',
      `${DETAIL_PATH}?${common}&image_id=sha256%3Adef&image_name=redis&image_type=private_image&standard=hw_standard`,
    ]);
  });

  it('an answer that does not match the schema is a non-retryable HssBadResponseError', async () => {
    const { client } = setup();
    mock.reply({ status: 200, json: { description: 5 } });
    const key = { checkName: 'X', checkType: 'X', standard: 'cn_standard', checkRuleId: '1' };
    await expectRefused(
      mock,
      client.showCheckRuleDetail(scope, key, null),
      `ShowImageCheckRuleDetail HTTP 200: GET ${DETAIL_PATH}: the answer does not match the ` +
        'ShowImageCheckRuleDetail schema: description: Invalid input: expected string, received number',
    );
  });
});
