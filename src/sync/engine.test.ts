/**
 * The whole run, in memory: runSync against MemoryStore, the fake HSS client and the fake clock
 * (no PostgreSQL, no HTTP). Every call takes 1 s of fake time, so outcomes, counts, call order,
 * the deadline and an abort mid-run are exact.
 */
import { describe, expect, it } from 'vitest';
import { HssAuthError } from '../errors.js';
import { faultOn, images, S0, T0, world } from './engine-world.test-helper.js';
import { apiError } from './fake-hss.test-helper.js';

describe('runSync in memory', () => {
  it('syncs every scope, counts exactly, maintains, then records the run', async () => {
    const w = world();
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(r.error).toBeNull();
    expect(r.scopes.map((s) => [s.label, s.status])).toEqual([
      ['p1/0/private_image', 'succeeded'],
      ['p1/1/private_image', 'succeeded'],
    ]);
    expect(r.counts).toMatchObject({
      imagesListed: 5,
      imagesDistinct: 5,
      imagesDue: 5,
      imagesFetched: 5,
      imagesPending: 0,
      versionsOpened: 10,
      versionsClosed: 0,
      apiCalls: 7,
      itemsQuarantined: 0,
    });
    expect(r.callsByApi).toEqual({ ListRegistryImages: 2, ListImageRiskConfigs: 5 });
    // One call at a time, 1 s each: 7 s; the maintenance takes no fake time.
    expect(r.finishedAt.getTime() - r.startedAt.getTime()).toBe(7000);
    expect(r.maintenance).toEqual({
      startedAt: new Date(T0 + 7000),
      durationMs: 0,
      dailyDays: 1,
      pruned: { facts: 0, posture: 0, runs: 0, versions: 0 },
      error: null,
    });
    // Scope by scope, inventory before fetch; the maintenance before the ledger row is closed.
    expect(w.hss.calls.map((c) => `${c.api} ${c.scope} ${c.subject}`)).toEqual([
      'ListRegistryImages p1/0/private_image 0',
      'ListImageRiskConfigs p1/0/private_image a1',
      'ListImageRiskConfigs p1/0/private_image a2',
      'ListImageRiskConfigs p1/0/private_image a3',
      'ListRegistryImages p1/1/private_image 0',
      'ListImageRiskConfigs p1/1/private_image b1',
      'ListImageRiskConfigs p1/1/private_image b2',
    ]);
    expect(w.store.log.filter((l) => !l.startsWith('writeImageResults'))).toEqual([
      'reapAbandonedRuns',
      'startRun',
      'startScopeRun p1/0/private_image',
      'upsertImageRefs p1/0/private_image',
      'recordScopeInventory p1/0/private_image',
      'loadContentStates p1/0/private_image',
      'retireContents p1/0/private_image',
      'finishScopeRun p1/0/private_image succeeded',
      'startScopeRun p1/1/private_image',
      'upsertImageRefs p1/1/private_image',
      'recordScopeInventory p1/1/private_image',
      'loadContentStates p1/1/private_image',
      'retireContents p1/1/private_image',
      'finishScopeRun p1/1/private_image succeeded',
      'maintain',
      'countCoverage p1/0/private_image,p1/1/private_image',
      'finishRun succeeded',
    ]);
    const coverage = {
      covered: 5,
      not_scanned: 0,
      scan_failed: 0,
      no_results: 0,
      inconsistent: 0,
      pending: 0,
    };
    expect(r.coverage).toEqual(coverage);
    expect(w.store.runs.get(r.runId)?.outcome).toMatchObject({
      status: 'succeeded',
      scopes: { total: 2, succeeded: 2, partial: 0, failed: 0 },
      maintenance: r.maintenance,
      coverage,
    });
    const phases = w.logs.filter((l) => String(l.msg).startsWith('maintenance')).map((l) => l.msg);
    expect(phases).toEqual(['maintenance started', 'maintenance finished']);
  });

  it('spends no result call and writes nothing on a re-sync with no upstream change', async () => {
    const w = world();
    await w.run();
    const before = w.hss.calls.length;
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(w.hss.calls.slice(before).map((c) => c.api)).toEqual(['ListRegistryImages', 'ListRegistryImages']);
    expect(r.counts).toMatchObject({ imagesDue: 0, imagesFetched: 0, versionsOpened: 0, versionsClosed: 0 });
  });

  it('isolates a failing scope: partial, the other scope stored; failed when every scope fails', async () => {
    const w = world();
    w.hss.fault = faultOn(
      (c) => c.scope === 'p1/1/private_image',
      () => apiError('ListRegistryImages', 503),
    );
    const r = await w.run();
    expect(r.status).toBe('partial');
    expect(r.scopes.map((s) => [s.label, s.status, s.counts.imagesFetched])).toEqual([
      ['p1/0/private_image', 'succeeded', 3],
      ['p1/1/private_image', 'failed', 0],
    ]);
    expect(r.scopes[1]?.error).toMatch(/^HSS_API_ERROR: ListRegistryImages HTTP 503/);
    expect(w.store.runs.get(r.runId)?.outcome?.scopes).toEqual({
      total: 2,
      succeeded: 1,
      partial: 0,
      failed: 1,
    });

    w.hss.fault = () => apiError('ListRegistryImages', 503);
    expect((await w.run()).status).toBe('failed');
  });

  it('quarantines a schema-invalid image: an item problem (partial, pending), not a failure', async () => {
    const w = world();
    w.hss.fault = faultOn(
      (c) => c.subject === 'a2',
      () => 'quarantine',
    );
    const r = await w.run();
    const s0 = r.scopes[0];
    expect([r.status, s0?.status]).toEqual(['partial', 'partial']);
    expect(s0?.counts).toMatchObject({
      imagesDue: 3,
      imagesFetched: 2,
      imagesPending: 1,
      itemsQuarantined: 1,
    });
    expect(s0?.error).toBe(
      '1 schema-invalid item(s) quarantined (first: ListImageRiskConfigs image a2 position 0: check_rule_num: Invalid input)',
    );
    // Over the limit, the scope stops and fails.
    const strict = world({ maxQuarantinedItems: 1 });
    strict.hss.fault = faultOn(
      (c) => c.api === 'ListImageRiskConfigs',
      () => 'quarantine',
    );
    const f = await strict.run();
    expect(f.scopes[0]?.status).toBe('failed');
    expect(f.scopes[0]?.error).toMatch(/; too many schema-invalid answers \(more than 1\): stopped$/);
    expect(
      strict.hss.callsOf('ListImageRiskConfigs').filter((c) => c.scope === 'p1/0/private_image'),
    ).toHaveLength(2);
  });

  it('tries an image that failed transiently once more after the others', async () => {
    const w = world();
    let failures = 0;
    w.hss.fault = faultOn(
      (c) => c.subject === 'a1' && failures++ === 0,
      () => apiError('ListImageRiskConfigs', 503),
    );
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(w.hss.callsOf('ListImageRiskConfigs').map((c) => c.subject)).toEqual([
      'a1',
      'a2',
      'a3',
      'a1',
      'b1',
      'b2',
    ]);
  });

  it('stops a scope after 5 consecutive failures, and at once on an authentication failure', async () => {
    const w = world();
    w.hss.put(S0, images('a', 8));
    w.hss.fault = faultOn(
      (c) => c.api === 'ListImageRiskConfigs' && c.scope === 'p1/0/private_image',
      () => apiError('ListImageRiskConfigs', 400),
    );
    const r = await w.run();
    expect(r.scopes[0]?.status).toBe('failed');
    expect(r.scopes[0]?.error).toMatch(
      /^5 image\(s\) failed to fetch: HSS_API_ERROR: .*; stopped after 5 consecutive failed fetches; last: HSS_API_ERROR/,
    );
    expect(
      w.hss.callsOf('ListImageRiskConfigs').filter((c) => c.scope === 'p1/0/private_image'),
    ).toHaveLength(5);
    expect(r.scopes[1]?.status).toBe('succeeded');

    const auth = world();
    auth.hss.fault = faultOn(
      (c) => c.api === 'ListImageRiskConfigs',
      () =>
        new HssAuthError({
          api: 'ListImageRiskConfigs',
          path: 'GET /x',
          status: 401,
          errorCode: 'APIGW.0301',
        }),
    );
    const a = await auth.run();
    expect(a.status).toBe('failed');
    expect(auth.hss.callsOf('ListImageRiskConfigs')).toHaveLength(2);
    expect(a.scopes[0]?.error).toBe('HSS_AUTH_FAILED: ListImageRiskConfigs HTTP 401 APIGW.0301');
  });

  it('stops starting calls at the deadline and keeps the answer of the call in flight', async () => {
    const w = world();
    w.hss.put(S0, images('a', 10));
    const r = await w.run({ deadlineMs: 4500, signal: new AbortController().signal });
    // List at 0 s, fetches at 1, 2, 3 and 4 s: the one sent at 4 s is answered at 5 s and written.
    expect(r.status).toBe('partial');
    expect(r.finishedAt.getTime() - r.startedAt.getTime()).toBe(5000);
    expect(r.scopes[0]?.counts).toMatchObject({ imagesDue: 10, imagesFetched: 4, imagesPending: 6 });
    expect(r.scopes[0]?.error).toBe('run deadline reached with 6 image(s) pending; they come first next run');
    // The scope after it starts no call either: it fails for want of its inventory.
    expect(r.scopes[1]?.status).toBe('failed');
    expect(w.hss.calls).toHaveLength(5);
    expect(r.maintenance?.error).toBeNull();
  });

  it('ends aborted on its signal mid-run, records it and skips the maintenance', async () => {
    const w = world();
    const stop = new AbortController();
    void w.clock.sleep(2500).then(() => stop.abort(new Error('SIGTERM')));
    const r = await w.run({ signal: stop.signal });
    expect(r.status).toBe('aborted');
    expect(r.error).toBe('aborted by signal');
    expect(r.maintenance).toBeUndefined();
    expect(w.store.log).not.toContain('maintain');
    expect(w.store.log.at(-1)).toBe('finishRun aborted');
    expect(r.scopes.map((s) => s.status)).toEqual(['aborted', 'aborted']);
    // The call in flight at 2.5 s was aborted: a1 (1 s) answered, a2 (2 s) not.
    expect(r.counts.imagesFetched).toBe(1);
  });

  it('records a failed maintenance without changing the run status', async () => {
    const w = world();
    w.store.fault = (op) => (op === 'maintain' ? new Error('facts table unavailable') : undefined);
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(r.maintenance?.error).toBe('Error: facts table unavailable');
    expect(w.store.log.slice(-3)).toEqual([
      'maintain',
      'countCoverage p1/0/private_image,p1/1/private_image',
      'finishRun succeeded',
    ]);
  });

  // Scope 0's drill-down yields its slot to scope 1's summaries and runs the rest afterwards. Rule
  // detail is asked per image (current values); each description is stored once, with the first.
  it('drills the rules beside the summaries, values per image, each description once, nothing on a re-sync', async () => {
    const w = world({ ruleDetail: 'failed' });
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(r.ruleCounts).toEqual({
      ruleImagesDue: 5,
      ruleImagesFetched: 5,
      ruleImagesPending: 0,
      ruleVersionsOpened: 10,
      ruleVersionsClosed: 0,
      ruleDescriptionsFetched: 6,
    });
    // An image's rules are asked for after its summaries, and before the scope's last summary.
    const order = w.hss.calls.map((c) => `${c.api}:${c.subject.split('/')[0]}`);
    expect(order.indexOf('ListImageRiskConfigRules:a1')).toBeGreaterThan(
      order.indexOf('ListImageRiskConfigs:a1'),
    );
    expect(order.indexOf('ListImageRiskConfigRules:a1')).toBeLessThan(
      order.indexOf('ListImageRiskConfigs:a3'),
    );
    expect(
      w.hss
        .callsOf('ShowImageCheckRuleDetail')
        .map((c) => c.subject)
        .sort(),
    ).toEqual([
      'a1-a@a1',
      'a2-a@a2',
      'a3-a@a3',
      'b1-a@b1',
      'b2-a@b2',
      'shared@a1',
      'shared@a2',
      'shared@a3',
      'shared@b1',
      'shared@b2',
    ]);
    expect(w.store.descriptions.size).toBe(6);
    expect(w.store.values.size).toBe(10);
    expect(
      w.store.values.get('p1/0/private_image|a2|["CentOS 7","os","hw_standard","shared"]')?.item,
    ).toEqual({
      scope: S0,
      imageId: 'a2',
      key: { checkName: 'CentOS 7', checkType: 'os', standard: 'hw_standard', checkRuleId: 'shared' },
      checkInfoList: [
        { checkDescription: 'check shared', currentValue: 'value on a2', suggestValue: 'good' },
      ],
    });
    // The rules record their API and the scan time of the listing their summaries answered to.
    expect(w.store.rules.get('p1/0/private_image|a1')).toMatchObject({
      source: 'ListImageRiskConfigRules',
      scannedAt: T0 - 86_400_000,
    });
    const line = w.logs.find((l) => l.msg === 'sync run finished');
    expect([line?.ruleValuesFetched, line?.ruleRowsSetAside]).toEqual([10, 0]);
    const before = w.hss.calls.length;
    const again = await w.run();
    expect(again.ruleCounts?.ruleImagesDue).toBe(0);
    expect(w.hss.calls.slice(before).map((c) => c.api)).toEqual(['ListRegistryImages', 'ListRegistryImages']);
  });

  it('leaves an image with schema-invalid rules due as an item problem, not a failed fetch', async () => {
    const w = world({ ruleDetail: 'failed' });
    w.hss.fault = faultOn(
      (c) => c.api === 'ListImageRiskConfigRules' && c.subject.startsWith('a2/'),
      () => 'quarantine',
    );
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(r.ruleCounts).toMatchObject({ ruleImagesDue: 5, ruleImagesFetched: 4, ruleImagesPending: 1 });
    const incomplete = w.logs.find(
      (l) => l.msg === 'rule drill-down incomplete; what is left stays due for the next run',
    );
    expect(incomplete?.problems).toEqual([
      'p1/0/private_image: 1 image(s) with schema-invalid rule answers (quarantined), left due',
    ]);
  });
});
