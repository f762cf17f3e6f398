import { afterEach, describe, expect, it } from 'vitest';
import type { ImageType, Scope } from '../domain.js';
import { MockHss, mockClient, okPage } from './mock-hss.test-helper.js';
import type { QuarantineEvent } from './types.js';

const PATH = '/v5/proj1/baseline/check-rules';

function scope(imageType: ImageType): Scope {
  return { target: 't', projectId: 'proj1', enterpriseProjectId: '0', imageType };
}

function url(imageType: ImageType, offset: number, scanResult: string | null, limit = 10): string {
  const result = scanResult === null ? '' : `&scan_result=${scanResult}`;
  return `${PATH}?enterprise_project_id=0&image_id=sha256%3Aimg&image_type=${imageType}&limit=${limit}&offset=${offset}${result}&type=image`;
}

/** Rows as ImageCheckRuleResponseInfo defines them. */
function rows(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({
    severity: 'High',
    check_name: 'CentOS 7',
    check_type: 'CentOS 7',
    standard: 'hw_standard',
    check_type_desc: 'CentOS 7 baseline',
    check_rule_name: `Rule ${from + i + 1}`,
    check_rule_id: `1.${from + i + 1}`,
    scan_result: 'failed',
    latest_scan_time: 1_700_000_000_000,
    image_num: 4,
  }));
}

let mock = new MockHss();
afterEach(async () => {
  await mock.close();
});

function setup(ratePerMinute?: number) {
  mock = new MockHss();
  return mockClient(mock, { pageSize: 10, ...(ratePerMinute ? { ratePerMinute } : {}) });
}

describe('listCheckRules (ListCheckRulesInfo)', () => {
  it('GET baseline/check-rules with type=image, the scope type, the image and scan_result; all pages', async () => {
    const { client, events, onCall } = setup();
    mock.reply(okPage(rows(10), 13, 'r1')).reply(okPage(rows(3, 10), 13, 'r2'));
    const rules = await client.listCheckRules(
      scope('cicd'),
      'sha256:img',
      { scanResult: 'failed' },
      { onCall },
    );
    expect(mock.paths()).toEqual([url('cicd', 0, 'failed'), url('cicd', 10, 'failed')]);
    expect(rules).toHaveLength(13);
    expect(rules[12]).toEqual({
      checkName: 'CentOS 7',
      checkType: 'CentOS 7',
      standard: 'hw_standard',
      checkRuleId: '1.13',
      checkRuleName: 'Rule 13',
      severity: 'High',
      scanResult: 'failed',
      checkTypeDesc: 'CentOS 7 baseline',
    });
    expect(events.map((e) => [e.api, e.requestId])).toEqual([
      ['ListCheckRulesInfo', 'r1'],
      ['ListCheckRulesInfo', 'r2'],
    ]);
  });

  it('without a scan_result filter sends none; without total_num stops on a short page', async () => {
    const { client } = setup();
    mock
      .reply({ status: 200, json: { data_list: rows(10) } })
      .reply({ status: 200, json: { data_list: rows(2, 10) } });
    const rules = await client.listCheckRules(scope('registry'), 'sha256:img', { scanResult: null });
    expect(mock.paths()).toEqual([url('registry', 0, null), url('registry', 10, null)]);
    expect(rules.map((r) => r.checkRuleId)).toEqual([...rows(12).map((r) => r.check_rule_id)]);
  });

  it('dedupes by (check_name, check_type, standard, check_rule_id), keeps each row without an id', async () => {
    const { client } = setup();
    const base = {
      check_name: 'CentOS 7',
      check_type: 'CentOS 7',
      standard: 'hw_standard',
      scan_result: 'pass',
    };
    mock.reply(
      okPage([
        { ...base, check_rule_id: '1.1', check_rule_name: 'first' },
        { ...base, check_rule_id: '1.1', check_rule_name: 'repeat' },
        { ...base, check_rule_id: '1.1', standard: 'cn_standard', check_rule_name: 'other standard' },
        { ...base, check_rule_id: 11, check_type: 3, check_rule_name: 'numbers\u0000' },
        { ...base, check_rule_name: 'no id' },
        { ...base, check_rule_id: '', check_rule_name: 'no id either' },
        {},
      ]),
    );
    const rules = await client.listCheckRules(scope('cicd'), 'sha256:img', { scanResult: 'pass' });
    expect(rules.map((r) => [r.standard, r.checkType, r.checkRuleId, r.checkRuleName])).toEqual([
      ['hw_standard', 'CentOS 7', '1.1', 'first'],
      ['cn_standard', 'CentOS 7', '1.1', 'other standard'],
      ['hw_standard', '3', '11', 'numbers\uFFFD'],
      ['hw_standard', 'CentOS 7', '', 'no id'],
      ['hw_standard', 'CentOS 7', '', 'no id either'],
      ['', '', '', null],
    ]);
    expect(rules[5]).toEqual({
      checkName: '',
      checkType: '',
      standard: '',
      checkRuleId: '',
      checkRuleName: null,
      severity: null,
      scanResult: '',
      checkTypeDesc: null,
    });
    expect(client.stats).toEqual({ nulReplaced: 1, skippedWithoutImageId: 0, duplicates: 1, quarantined: 0 });
  });

  it('quarantines a schema-invalid row alone and returns the others', async () => {
    const { client } = setup();
    const quarantined: QuarantineEvent[] = [];
    const page = rows(4);
    const bad = [
      { check_rule_id: '9.1', latest_scan_time: 'yesterday' },
      { check_rule_id: '9.2', image_num: 2_097_153 },
    ];
    mock.reply(okPage([page[0], bad[0], page[1], bad[1], page[2]], 5, 'rq'));
    const rules = await client.listCheckRules(
      scope('cicd'),
      'sha256:img',
      { scanResult: null },
      {
        onQuarantine: (e) => quarantined.push(e),
      },
    );
    expect(rules.map((r) => r.checkRuleId)).toEqual(['1.1', '1.2', '1.3']);
    expect(quarantined).toEqual([
      {
        api: 'ListCheckRulesInfo',
        requestId: 'rq',
        position: 1,
        problem: 'latest_scan_time: Invalid input',
        sample: '{"check_rule_id":"9.1","latest_scan_time":"yesterday"}',
        imageId: 'sha256:img',
      },
      {
        api: 'ListCheckRulesInfo',
        requestId: 'rq',
        position: 3,
        problem: 'image_num: expected an integer from 0 to 2097152',
        sample: '{"check_rule_id":"9.2","image_num":2097153}',
        imageId: 'sha256:img',
      },
    ]);
    expect(client.stats.quarantined).toBe(2);
  });

  it('has its own rate budget: a ListImageRiskConfigRules call does not make it wait', async () => {
    const { client, clock, pacer } = setup(1);
    mock.reply(okPage([])).reply(okPage([]));
    const filter = { checkName: 'CentOS 7', standard: 'hw_standard', resultType: 'failed' as const };
    await client.listRiskConfigRules(scope('private_image'), 'img', filter);
    await client.listCheckRules(scope('cicd'), 'sha256:img', { scanResult: null });
    expect(clock.sleeps).toEqual([]);
    expect(pacer.snapshot().map((k) => [k.api, k.callsStarted])).toEqual([
      ['ListImageRiskConfigRules', 1],
      ['ListCheckRulesInfo', 1],
    ]);
  });
});
