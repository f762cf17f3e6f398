/**
 * Fault suite, paging and bad items: total_num moving, rows repeated or skipped across pages,
 * short pages, schema-invalid items. The inventory is paged once more when it reads
 * inconsistent; nothing is retired on an incomplete inventory; no row is stored twice; an item
 * that does not match the schema is quarantined, never half-written.
 */
import { describe, expect, it } from 'vitest';
import {
  FAULT_PROJECT,
  FAULT_SCOPE,
  type FaultHarness,
  faultHarness,
  quarantinedInLedger,
  runRow,
  scopeRows,
} from '../helpers/fault-harness.js';
import { storedRows, truthRows } from '../helpers/truth.js';

function listCalls(x: FaultHarness): number {
  return x.sim.stats().callsByApi.ListRegistryImages ?? 0;
}

/** References (tags) stored for the scope, and how many distinct keys they have. */
async function storedRefs(x: FaultHarness): Promise<{ rows: number; keys: number; present: number }> {
  const r = await x.t.pool.query<{ rows: number; keys: number; present: number }>(
    `select count(*)::int as rows, count(distinct ref_key)::int as keys,
            count(*) filter (where removed_at is null)::int as present
       from hss_internal.image_refs where project_id = $1`,
    [FAULT_PROJECT],
  );
  return r.rows[0] as { rows: number; keys: number; present: number };
}

describe('paging faults', () => {
  it('total_num moving between pages: paged once more, complete, succeeded, exact', async () => {
    // 14 references, one page of 20. Pass 1: the first answer says total_num 15, so a second call
    // (at offset 14) is needed, which says 14: moved. Pass 2 reads 14 in one call.
    const h = await faultHarness({
      sim: { faults: { totalNumDrift: true, totalNumDriftTimes: 1 } },
      env: { HSS_PAGE_SIZE: '20' },
    });
    const report = await h.sync();
    expect(report.status).toBe('succeeded');
    expect(listCalls(h)).toBe(3);
    expect(await scopeRows(h.t, report.runId)).toEqual([['private_image', 'succeeded', true, null]]);
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
    expect(h.logs.map((l) => l.msg)).toContain(
      'image list inconsistent while paging; paging the scope once more',
    );
  });

  it('total_num moving on every pass: incomplete, nothing retired, partial; the next clean run retires', async () => {
    const h = await faultHarness();
    expect((await h.sync()).status).toBe('succeeded');
    const gone = [...h.sim.world.groundTruth(FAULT_SCOPE).keys()][0] as string;
    h.sim.world.removeImage(FAULT_SCOPE, gone);
    // Two pages per pass: each pass sees total_num + 1 on its first page and the truth on its last.
    h.sim.setFaults({ totalNumDrift: true });
    const report = await h.sync();
    expect(report.status).toBe('partial');
    expect(listCalls(h)).toBe(2 + 4);
    const total = h.sim.world.images(FAULT_SCOPE).length;
    const reason = `inventory incomplete: total_num moved from ${total + 1} to ${total} while paging`;
    expect(await scopeRows(h.t, report.runId)).toEqual([['private_image', 'partial', false, reason]]);
    expect((await runRow(h.t, report.runId)).status).toBe('partial');
    expect(report.counts.imagesRetired).toBe(0);
    // The vanished image keeps its results: no retirement on an incomplete inventory.
    const stored = await storedRows(h.t);
    expect(stored.some((r) => r.image_id === gone)).toBe(true);
    expect(stored.filter((r) => r.image_id !== gone)).toEqual(truthRows(h.sim));
    h.sim.setFaults({});
    const clean = await h.sync();
    expect(clean.status).toBe('succeeded');
    expect(clean.counts.imagesRetired).toBe(1);
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
  });

  it('rows skipped by a shifting listing on the first pass: paged again, complete, exact', async () => {
    const h = await faultHarness({ sim: { faults: { pageShift: { rows: 1, times: 1 } } } });
    const report = await h.sync();
    expect(report.status).toBe('succeeded');
    // Pass 1 lost a row to the shift (and needed a third call to see the end), pass 2 was clean.
    expect(h.sim.stats().faultsInjected.pageShift).toBe(1);
    expect(listCalls(h)).toBe(3 + 2);
    expect(await scopeRows(h.t, report.runId)).toEqual([['private_image', 'succeeded', true, null]]);
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
  });

  it('rows skipped on every pass: incomplete, nothing retired, the references seen are kept once', async () => {
    const h = await faultHarness();
    expect((await h.sync()).status).toBe('succeeded');
    const before = await storedRefs(h);
    h.sim.setFaults({ pageShift: { rows: 1 } });
    const report = await h.sync();
    expect(report.status).toBe('partial');
    expect(report.counts.imagesRetired).toBe(0);
    const [scope] = await scopeRows(h.t, report.runId);
    expect(scope?.slice(0, 3)).toEqual(['private_image', 'partial', false]);
    expect(scope?.[3]).toBe(
      `inventory incomplete: not every page of the image list was fetched (paging ended after ${before.rows - 1} of ${before.rows} rows)`,
    );
    expect(await storedRefs(h)).toEqual(before);
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
  });

  it('rows repeated across pages: deduplicated, complete, succeeded, no reference stored twice', async () => {
    const h = await faultHarness({ sim: { faults: { pageShift: { rows: -1 } } } });
    const report = await h.sync();
    expect(report.status).toBe('succeeded');
    expect(h.sim.stats().faultsInjected.pageShift).toBeGreaterThan(0);
    const total = h.sim.world.images(FAULT_SCOPE).length;
    expect(report.counts.imagesListed).toBe(total);
    expect(await storedRefs(h)).toEqual({ rows: total, keys: total, present: total });
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
  });

  it('short pages (the server caps the page size): complete, succeeded, exact', async () => {
    const h = await faultHarness({ sim: { faults: { shortPages: true } } });
    const report = await h.sync();
    expect(report.status).toBe('succeeded');
    const total = h.sim.world.images(FAULT_SCOPE).length;
    // Five rows per call instead of ten.
    expect(listCalls(h)).toBe(Math.ceil(total / 5));
    expect(await scopeRows(h.t, report.runId)).toEqual([['private_image', 'succeeded', true, null]]);
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
  });
});

describe('schema-invalid items', () => {
  it('in results: the image is quarantined (logged with request id and sample), never half-written', async () => {
    const h = await faultHarness({
      sim: { faults: { seed: 3, onlyApis: ['ListImageRiskConfigs'], invalidItemRate: 0.1 } },
      env: { HSS_MAX_QUARANTINED_ITEMS: '100' },
    });
    const report = await h.sync();
    const invalid = h.sim.stats().faultsInjected.invalidItem ?? 0;
    expect(invalid).toBeGreaterThan(0);
    const logged = h.logs.filter((l) => l.msg === 'schema-invalid item quarantined');
    expect(logged.length).toBeGreaterThan(0);
    for (const l of logged) {
      expect(l).toMatchObject({ api: 'ListImageRiskConfigs', problem: 'check_rule_num: Invalid input' });
      expect(l.requestId).toMatch(/^[0-9a-f]{32}$/);
      expect(String(l.sample)).toContain('"check_rule_num":"many"');
      expect(String(l.sample).length).toBeLessThanOrEqual(200);
    }
    const images = new Set(logged.map((l) => l.imageId));
    expect(report.status).toBe('partial');
    expect(report.scopes[0]?.counts.itemsQuarantined).toBe(logged.length);
    expect(report.counts.itemsQuarantined).toBe(logged.length);
    expect(await quarantinedInLedger(h.t, report.runId)).toEqual({
      run: logged.length,
      scopes: [logged.length],
    });
    expect(report.counts.imagesPending).toBe(images.size);
    expect(report.error).toContain(
      `${logged.length} schema-invalid item(s) quarantined (first: ListImageRiskConfigs image `,
    );
    expect((await runRow(h.t, report.runId)).status).toBe('partial');
    // Quarantined images have nothing stored; every other image is exact.
    const truth = truthRows(h.sim);
    expect(await storedRows(h.t)).toEqual(truth.filter((r) => !images.has(r.image_id)));
    h.sim.setFaults({});
    const next = await h.sync();
    expect(next.status).toBe('succeeded');
    expect(next.counts.imagesFetched).toBe(images.size);
    expect(await quarantinedInLedger(h.t, next.runId)).toEqual({ run: 0, scopes: [0] });
    expect(await storedRows(h.t)).toEqual(truth);
  });

  it('in the image list: the row is skipped and counted, the inventory incomplete, nothing retired', async () => {
    const h = await faultHarness();
    expect((await h.sync()).status).toBe('succeeded');
    h.sim.setFaults({ seed: 1, onlyApis: ['ListRegistryImages'], invalidItemRate: 0.1 });
    const report = await h.sync();
    const invalid = h.sim.stats().faultsInjected.invalidItem ?? 0;
    expect(invalid).toBeGreaterThan(0);
    expect(report.status).toBe('partial');
    expect(report.counts.imagesRetired).toBe(0);
    expect(report.scopes[0]?.counts.itemsQuarantined).toBe(invalid);
    expect(await quarantinedInLedger(h.t, report.runId)).toEqual({ run: invalid, scopes: [invalid] });
    const [scope] = await scopeRows(h.t, report.runId);
    expect(scope?.[2]).toBe(false);
    expect(scope?.[3]).toContain('inventory incomplete: ');
    expect(scope?.[3]).toContain(
      `${invalid} schema-invalid item(s) quarantined (first: ListRegistryImages position `,
    );
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
  });

  it('above the threshold the scope fails with the reason; the process goes on', async () => {
    const h = await faultHarness({
      sim: { faults: { onlyApis: ['ListImageRiskConfigs'], invalidItemRate: 1 } },
      env: { HSS_MAX_QUARANTINED_ITEMS: '3', HSS_FETCH_CONCURRENCY: '1' },
    });
    const report = await h.sync();
    expect(report.status).toBe('failed');
    const [scope] = await scopeRows(h.t, report.runId);
    expect(scope?.[1]).toBe('failed');
    const logged = h.logs.filter((l) => l.msg === 'schema-invalid item quarantined');
    expect(logged.length).toBeGreaterThan(3);
    expect(await quarantinedInLedger(h.t, report.runId)).toEqual({
      run: logged.length,
      scopes: [logged.length],
    });
    expect(scope?.[3]).toMatch(
      new RegExp(
        `^${logged.length} schema-invalid item\\(s\\) quarantined \\(first: ListImageRiskConfigs image \\S+ position 0 request_id=[0-9a-f]{32}: check_rule_num: Invalid input\\); too many schema-invalid answers \\(more than 3\\): stopped$`,
      ),
    );
    // It stopped as soon as the limit was passed (one call per image tried); nothing stored. An
    // image the world answers empty (coverage no_results) has no item to be invalid: it
    // is called but logs nothing, so the calls are the images logged plus exactly those.
    const tried = new Set(logged.map((l) => String(l.imageId)));
    const [world] = h.sim.world.scopes();
    const noResults = new Set(h.sim.world.coverageCases(world!).noResults);
    const called = h.sim.stats().riskConfigCallsByImageId;
    const calledEmpty = Object.keys(called).filter((id) => !tried.has(id));
    // This world's one no_results image comes before the limit is passed.
    expect(calledEmpty).toEqual([...noResults]);
    expect(calledEmpty).toHaveLength(1);
    expect(called).toEqual(Object.fromEntries([...tried, ...calledEmpty].map((id) => [id, 1])));
    expect(h.sim.stats().callsByApi.ListImageRiskConfigs).toBe(tried.size + calledEmpty.length);
    expect(tried.size + calledEmpty.length).toBeLessThan(report.counts.imagesDue);
    expect(await storedRows(h.t)).toEqual([]);
  });
});
