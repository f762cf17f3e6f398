/**
 * The run follows the image type × API matrix (src/hss/api-matrix.ts), in memory: each image type
 * through the APIs that serve it, summaries derived from rule results for cicd, rule detail per
 * image, list pages without total_num, and the coverage counts at the end of the run.
 */
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from './engine.js';
import { faultOn, S0, scopeOf, T0, world } from './engine-world.test-helper.js';
import { apiError, type FakeImage, rule, summary } from './fake-hss.test-helper.js';
import { formatRunSummary } from './summary.js';

const SCAN = T0 - 86_400_000;
const C0 = scopeOf('0', 'cicd');

/** c1: one failed rule, one failed rule without an id, passes; c2: nothing fails. */
function cicdImages(): FakeImage[] {
  return [
    {
      imageId: 'c1',
      scanTime: SCAN,
      results: [summary('CentOS 7', 2)],
      rules: {
        'CentOS 7': [
          { ...rule('CentOS 7', 'r1', 'failed'), severity: 'Medium', checkTypeDesc: null },
          { ...rule('CentOS 7', '', 'failed'), severity: 'Low', checkTypeDesc: 'CentOS baseline' },
          { ...rule('CentOS 7', 'r2', 'pass'), severity: 'Critical', checkTypeDesc: null },
        ],
        SSH: [rule('SSH', 's1', 'pass')],
      },
    },
    {
      imageId: 'c2',
      scanTime: SCAN,
      results: [summary('SSH', 0)],
      rules: { SSH: [rule('SSH', 's1', 'pass')] },
    },
  ];
}

const calls = (w: ReturnType<typeof world>) => w.hss.calls.map((c) => `${c.api} ${c.subject}`);

describe('the run follows the image type × API matrix', () => {
  it('cicd (derived): summaries from ListCheckRulesInfo, its rows written as the rules with no other call', async () => {
    const w = world({ imageTypes: ['cicd'], enterpriseProjectIds: ['0'], ruleDetail: 'failed' });
    w.hss.put(C0, cicdImages());
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(calls(w)).toEqual(['ListCicdImages 0', 'ListCheckRulesInfo c1/all', 'ListCheckRulesInfo c2/all']);
    // The board shows the APIs the matrix gives the scope, and no other.
    expect(r.apiBacklog?.map((a) => [a.api, a.callsMade, a.callsDue])).toEqual([
      ['ListCheckRulesInfo', 2, 0],
      ['ListCicdImages', 1, 0],
    ]);
    expect(w.store.results.get('p1/0/cicd|c1')).toEqual([
      {
        checkName: 'CentOS 7',
        checkType: 'os',
        standard: 'hw_standard',
        severity: 'Medium',
        checkRuleNum: 3,
        failedRuleNum: 2,
        checkTypeDesc: 'CentOS baseline',
      },
      {
        checkName: 'SSH',
        checkType: 'os',
        standard: 'hw_standard',
        // Nothing failed: Security.
        severity: 'Security',
        checkRuleNum: 1,
        failedRuleNum: 0,
        checkTypeDesc: null,
      },
    ]);
    expect([w.store.sources.get('p1/0/cicd|c1'), w.store.sources.get('p1/0/cicd|c2')]).toEqual([
      'ListCheckRulesInfo',
      'ListCheckRulesInfo',
    ]);
    // The failed rows with an id; the one without is set aside; the image with no failure has none.
    expect(w.store.rules.get('p1/0/cicd|c1')).toMatchObject({
      mode: 'failed',
      source: 'ListCheckRulesInfo',
      scannedAt: SCAN,
      rules: [{ ...rule('CentOS 7', 'r1', 'failed'), severity: 'Medium', checkTypeDesc: null }],
    });
    expect(w.store.rules.get('p1/0/cicd|c2')).toMatchObject({ rules: [], source: 'ListCheckRulesInfo' });
    expect(r.ruleCounts).toEqual({
      ruleImagesDue: 2,
      ruleImagesFetched: 2,
      ruleImagesPending: 0,
      ruleVersionsOpened: 1,
      ruleVersionsClosed: 0,
      ruleDescriptionsFetched: 0,
    });
    const line = w.logs.find((l) => l.msg === 'sync run finished');
    expect([line?.ruleValuesFetched, line?.ruleRowsSetAside]).toEqual([0, 1]);
    // Nothing changed upstream: the re-sync lists and writes nothing.
    const before = w.hss.calls.length;
    const again = await w.run();
    expect(again.ruleCounts?.ruleImagesDue).toBe(0);
    expect(calls(w).slice(before)).toEqual(['ListCicdImages 0']);
  });

  it('cicd (derived) with the drill-down off: no rule is written', async () => {
    const w = world({ imageTypes: ['cicd'], enterpriseProjectIds: ['0'] });
    w.hss.put(C0, cicdImages());
    const r = await w.run();
    expect(r.counts.imagesFetched).toBe(2);
    expect(calls(w)).toEqual(['ListCicdImages 0', 'ListCheckRulesInfo c1/all', 'ListCheckRulesInfo c2/all']);
    expect(w.store.rules.size).toBe(0);
  });

  it.each<['quarantine' | 'quarantine-row', string]>([
    ['quarantine', 'the answer unusable'],
    ['quarantine-row', 'one row set aside'],
  ])('cicd (derived): %s (%s) leaves that image pending, as for ListImageRiskConfigs', async (fault) => {
    const w = world({ imageTypes: ['cicd'], enterpriseProjectIds: ['0'], ruleDetail: 'failed' });
    w.hss.put(C0, cicdImages());
    w.hss.fault = faultOn(
      (c) => c.api === 'ListCheckRulesInfo' && c.subject === 'c1/all',
      () => fault,
    );
    const r = await w.run();
    expect(r.counts).toMatchObject({
      imagesDue: 2,
      imagesFetched: 1,
      imagesPending: 1,
      itemsQuarantined: 1,
    });
    expect([...w.store.results.keys()]).toEqual(['p1/0/cicd|c2']);
    expect([...w.store.rules.keys()]).toEqual(['p1/0/cicd|c2']);
    expect(calls(w)).toEqual(['ListCicdImages 0', 'ListCheckRulesInfo c1/all', 'ListCheckRulesInfo c2/all']);
  });

  it('cicd (risk-configs): summaries from ListImageRiskConfigs, rules from one image-wide listing', async () => {
    const w = world({
      imageTypes: ['cicd'],
      enterpriseProjectIds: ['0'],
      ruleDetail: 'all',
      cicdSummaries: 'risk-configs',
    });
    w.hss.put(C0, cicdImages());
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(calls(w).sort()).toEqual([
      'ListCheckRulesInfo c1/all',
      'ListCicdImages 0',
      'ListImageRiskConfigs c1',
      'ListImageRiskConfigs c2',
    ]);
    expect(w.store.sources.get('p1/0/cicd|c1')).toBe('ListImageRiskConfigs');
    // Mode all: every row with an id, passed ones too.
    expect(w.store.rules.get('p1/0/cicd|c1')?.rules.map((x) => `${x.checkRuleId}:${x.scanResult}`)).toEqual([
      'r1:failed',
      'r2:pass',
      's1:pass',
    ]);
    expect(w.store.rules.get('p1/0/cicd|c1')?.scannedAt).toBe(SCAN);
  });

  it('registry: summaries from ListImageRiskConfigs, failed rules from ListCheckRulesInfo, no rule detail', async () => {
    const w = world({ imageTypes: ['registry'], enterpriseProjectIds: ['0'], ruleDetail: 'failed' });
    w.hss.put(scopeOf('0', 'registry'), cicdImages());
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(calls(w).sort()).toEqual([
      'ListCheckRulesInfo c1/failed',
      'ListImageRiskConfigs c1',
      'ListImageRiskConfigs c2',
      'ListRegistryImages 0',
    ]);
    expect(w.store.rules.get('p1/0/registry|c1')).toMatchObject({
      source: 'ListCheckRulesInfo',
      rules: [{ checkRuleId: 'r1' }],
    });
    expect(r.callsByApi.ShowImageCheckRuleDetail).toBeUndefined();
  });

  it('local: no rule API serves the type, so no drill-down call, said once in the log', async () => {
    const w = world({ imageTypes: ['local'], enterpriseProjectIds: ['0'], ruleDetail: 'all' });
    w.hss.put(scopeOf('0', 'local'), cicdImages());
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(calls(w)).toEqual(['ListImageLocal 0', 'ListImageRiskConfigs c1', 'ListImageRiskConfigs c2']);
    const said = w.logs.filter(
      (l) =>
        l.msg === 'no HSS API documents rule results for this image type: no rule drill-down in this scope',
    );
    expect(said.map((l) => [l.scope, l.imageType])).toEqual([['p1/0/local', 'local']]);
    expect(w.store.rules.size).toBe(0);
  });

  it('asks rule detail per image for failed rules, and without an image for a passed rule', async () => {
    const w = world({ enterpriseProjectIds: ['0'], ruleDetail: 'all' });
    w.hss.put(S0, [
      {
        imageId: 'a1',
        scanTime: SCAN,
        results: [summary('CentOS 7', 1)],
        rules: { 'CentOS 7': [rule('CentOS 7', 'f1', 'failed'), rule('CentOS 7', 'p1', 'pass')] },
      },
    ]);
    const r = await w.run();
    expect(calls(w)).toEqual([
      'ListRegistryImages 0',
      'ListImageRiskConfigs a1',
      'ListImageRiskConfigRules a1/CentOS 7/failed',
      'ListImageRiskConfigRules a1/CentOS 7/pass',
      'ShowImageCheckRuleDetail f1@a1',
      'ShowImageCheckRuleDetail p1',
    ]);
    expect(r.ruleCounts?.ruleDescriptionsFetched).toBe(2);
    expect(r.apiBacklog?.map((a) => [a.api, a.callsMade, a.callsDue])).toEqual([
      ['ListImageRiskConfigRules', 2, 0],
      ['ListImageRiskConfigs', 1, 0],
      ['ListRegistryImages', 1, 0],
      ['ShowImageCheckRuleDetail', 2, 0],
    ]);
    expect([...w.store.values.keys()]).toEqual([
      'p1/0/private_image|a1|["CentOS 7","os","hw_standard","f1"]',
    ]);
    expect(w.store.log.filter((l) => l.startsWith('upsertRuleValues'))).toEqual(['upsertRuleValues f1@a1']);
  });
});

describe('list pages without total_num', () => {
  it('end at the first short page, which proves the inventory complete (retirement allowed)', async () => {
    const w = world({ enterpriseProjectIds: ['0'], pageSize: 2 });
    w.hss.listTotals = false;
    const five = Array.from(
      { length: 5 },
      (_, i): FakeImage => ({
        imageId: `a${i + 1}`,
        scanTime: SCAN,
        results: [summary('SSH', 0)],
      }),
    );
    w.hss.put(S0, five);
    const events: ProgressEvent[] = [];
    const r = await w.run({ onProgress: (e) => events.push(e) });
    expect(r.status).toBe('succeeded');
    expect(w.hss.callsOf('ListRegistryImages').map((c) => c.subject)).toEqual(['0', '2', '4']);
    expect(w.store.inventories).toEqual([{ scope: 'p1/0/private_image', complete: true, imageCount: 5 }]);
    expect(events.filter((e) => e.phase === 'inventory').map((e) => [e.done, e.total])).toEqual([
      [2, 4],
      [4, 6],
      [5, 5],
    ]);
    // A complete inventory without total_num still proves a removal.
    w.hss.put(S0, five.slice(0, 4));
    const again = await w.run();
    expect(again.counts.imagesRetired).toBe(1);
    expect(w.hss.callsOf('ListRegistryImages').map((c) => c.subject)).toEqual(['0', '2', '4', '0', '2', '4']);
    expect(w.store.inventories[1]).toEqual({ scope: 'p1/0/private_image', complete: true, imageCount: 4 });
  });

  it('end at an empty page when the last full page filled the limit', async () => {
    const w = world({ enterpriseProjectIds: ['0'], pageSize: 2 });
    w.hss.listTotals = false;
    w.hss.put(S0, [
      { imageId: 'a1', scanTime: SCAN, results: [] },
      { imageId: 'a2', scanTime: SCAN, results: [] },
    ]);
    const r = await w.run();
    expect(r.counts.imagesListed).toBe(2);
    expect(w.hss.callsOf('ListRegistryImages').map((c) => c.subject)).toEqual(['0', '2']);
    expect(w.store.inventories).toEqual([{ scope: 'p1/0/private_image', complete: true, imageCount: 2 }]);
    // Fetched, and HSS answered nothing: no_results, not covered.
    expect(r.coverage).toEqual({
      covered: 0,
      not_scanned: 0,
      scan_failed: 0,
      no_results: 2,
      inconsistent: 0,
      pending: 0,
    });
  });
});

describe('coverage counts at the end of the run', () => {
  it('are in the ledger row and the summary line', async () => {
    const w = world({ enterpriseProjectIds: ['0'] });
    w.hss.put(S0, [
      { imageId: 'a1', scanTime: SCAN, results: [summary('CentOS 7', 2)] },
      // The listing reports unsafe settings, the results none fail.
      { imageId: 'a2', scanTime: SCAN, results: [summary('SSH', 0)] },
    ]);
    const r = await w.run();
    const coverage = {
      covered: 1,
      not_scanned: 0,
      scan_failed: 0,
      no_results: 0,
      inconsistent: 1,
      pending: 0,
    };
    expect(r.coverage).toEqual(coverage);
    expect(w.store.runs.get(r.runId)?.outcome?.coverage).toEqual(coverage);
    expect(formatRunSummary(r)).toContain(
      ' coverage=covered:1,not_scanned:0,scan_failed:0,no_results:0,inconsistent:1,pending:0 calls=',
    );
    expect(w.logs.find((l) => l.msg === 'sync run finished')?.coverage).toEqual(coverage);
  });

  it('failing to count leaves the run as it is: a warning, no coverage', async () => {
    const w = world();
    w.store.fault = (op) => (op === 'countCoverage' ? new Error('view missing') : undefined);
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(r.coverage).toBeUndefined();
    expect(w.store.runs.get(r.runId)?.outcome?.coverage).toBeUndefined();
    expect(w.store.log.slice(-1)).toEqual(['finishRun succeeded']);
    const warned = w.logs.find((l) => l.msg === 'could not count coverage; the run is recorded without it');
    expect(warned?.err).toBe('Error: view missing');
    expect(formatRunSummary(r)).not.toContain('coverage=');
  });
});

describe('per-image rule detail under faults', () => {
  it('stops at the first failure; what is left stays due and is asked for next run', async () => {
    const w = world({ enterpriseProjectIds: ['0'], ruleDetail: 'failed' });
    w.hss.fault = faultOn(
      (c) => c.api === 'ShowImageCheckRuleDetail' && c.subject === 'a1-a@a1',
      () => apiError('ShowImageCheckRuleDetail', 503),
    );
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(w.hss.callsOf('ShowImageCheckRuleDetail').map((c) => c.subject)).toEqual(['a1-a@a1']);
    expect(w.store.values.size).toBe(0);
    const incomplete = w.logs.find(
      (l) => l.msg === 'rule drill-down incomplete; what is left stays due for the next run',
    );
    expect(incomplete?.problems).toEqual([
      'p1/0/private_image: 1 rule fetch(es) failed: rule detail CentOS 7/a1-a on image a1: HSS_API_ERROR: ShowImageCheckRuleDetail HTTP 503 HSS.0001',
    ]);
    w.hss.fault = () => undefined;
    const before = w.hss.calls.length;
    const again = await w.run();
    expect(again.ruleCounts?.ruleImagesDue).toBe(0);
    expect(
      w.hss.calls
        .slice(before)
        .filter((c) => c.api === 'ShowImageCheckRuleDetail')
        .map((c) => c.subject),
    ).toEqual(['a1-a@a1', 'shared@a1', 'a2-a@a2', 'shared@a2', 'a3-a@a3', 'shared@a3']);
    expect([w.store.values.size, w.store.descriptions.size]).toEqual([6, 4]);
  });
});

describe('a rule answer with rows set aside', () => {
  /** p1: CentOS 7 fails `failed` items; HSS answers the failed rules `ids`. */
  const image = (scanTime: number, failed: number, ids: string[]): FakeImage => ({
    imageId: 'p1',
    scanTime,
    results: [summary('CentOS 7', failed)],
    rules: { 'CentOS 7': ids.map((id) => rule('CentOS 7', id, 'failed')) },
  });
  const open = (w: ReturnType<typeof world>) =>
    (w.store.rules.get('p1/0/private_image|p1')?.rules ?? []).map((r) => r.checkRuleId);

  it('writes the rows it has, closes nothing, and leaves the image due until a whole answer comes', async () => {
    const w = world({ enterpriseProjectIds: ['0'], ruleDetail: 'failed' });
    w.hss.put(S0, [image(SCAN, 2, ['r1', 'r2'])]);
    await w.run();
    expect(open(w)).toEqual(['r1', 'r2']);

    // Rescanned: r2 is absent from the answer, but one row was set aside (it may be r2).
    w.hss.put(S0, [image(SCAN + 1000, 3, ['r1', 'r3'])]);
    w.hss.fault = faultOn(
      (c) => c.api === 'ListImageRiskConfigRules',
      () => 'quarantine-row',
    );
    const second = await w.run();
    expect(open(w)).toEqual(['r1', 'r2', 'r3']);
    // Written but left due: pending, and the scope says why.
    expect(second.ruleCounts).toMatchObject({
      ruleImagesDue: 1,
      ruleImagesFetched: 0,
      ruleImagesPending: 1,
      ruleVersionsOpened: 1,
      ruleVersionsClosed: 0,
    });

    // The next run asks again (the image stayed due) and the whole answer closes r2.
    w.hss.fault = () => undefined;
    w.hss.put(S0, [image(SCAN + 1000, 3, ['r1', 'r3', 'r4'])]);
    const before = w.hss.calls.length;
    const third = await w.run();
    expect(
      w.hss.calls
        .slice(before)
        .filter((c) => c.api === 'ListImageRiskConfigRules')
        .map((c) => c.subject),
    ).toEqual(['p1/CentOS 7/failed']);
    expect(open(w)).toEqual(['r1', 'r3', 'r4']);
    expect(third.ruleCounts).toMatchObject({
      ruleImagesDue: 1,
      ruleImagesFetched: 1,
      ruleImagesPending: 0,
      ruleVersionsOpened: 1,
      ruleVersionsClosed: 1,
    });
  });
});
