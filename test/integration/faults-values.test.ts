/**
 * Fault suite, hostile values (small faults stay small): one bad value is an item problem, never a
 * scope failure. Numbers no column or API definition admits, nesting that overflows a naive
 * serialiser, pages longer than asked for, total_num beyond the API's range, and NUL / ESC / BEL
 * in error bodies — each through the simulator over HTTP, into the real database.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FAULT_PROJECT,
  FAULT_SCOPE,
  type FaultHarness,
  faultHarness,
  quarantinedInLedger,
  runRow,
  scopeRows,
  stillRunning,
} from '../helpers/fault-harness.js';
import { storedRows, truthRows } from '../helpers/truth.js';

const LABEL = `${FAULT_PROJECT}/0/private_image`;
const LIST_PATH = `GET /v5/${FAULT_PROJECT}/image/registries/images`;
const QUARANTINED = 'schema-invalid item quarantined';

/** image_ids listed by exactly one reference (setting that row aside removes the image from the listing). */
function singleRefImages(x: FaultHarness): string[] {
  const counts = new Map<string, number>();
  for (const r of x.sim.world.images(FAULT_SCOPE)) counts.set(r.image_id, (counts.get(r.image_id) ?? 0) + 1);
  return [...counts].filter(([, n]) => n === 1).map(([id]) => id);
}

/** image_ids with at least one baseline result, in listing order. */
function imagesWithResults(x: FaultHarness): string[] {
  return [...x.sim.world.groundTruth(FAULT_SCOPE)].filter(([, rows]) => rows.length > 0).map(([id]) => id);
}

async function refs(x: FaultHarness): Promise<Map<string, { size: number | null; unsafe: number | null }>> {
  const r = await x.t.pool.query<{
    image_id: string;
    image_size: string | null;
    unsafe_setting_num: number | null;
  }>('select image_id, image_size, unsafe_setting_num from hss_internal.image_refs where removed_at is null');
  return new Map(
    r.rows.map((row) => [
      row.image_id,
      { size: row.image_size === null ? null : Number(row.image_size), unsafe: row.unsafe_setting_num },
    ]),
  );
}

function listCalls(x: FaultHarness): number {
  return x.sim.stats().callsByApi.ListRegistryImages ?? 0;
}

describe('hostile numbers in the image list: the item is set aside, the rest is written', () => {
  it('fractional / huge / 400-digit / 200,000-deep image_size, unsafe_setting_num 3e9 and -4, a 3,000-character image_id', async () => {
    const h = await faultHarness();
    const [fraction, unsafeHuge, digits, deep, negative, longId] = singleRefImages(h);
    if (!fraction || !unsafeHuge || !digits || !deep || !negative || !longId)
      throw new Error('world too small');
    const api = 'ListRegistryImages';
    h.sim.setFaults({
      hostileValues: [
        { api, at: 'item', imageId: fraction, set: { image_size: 123.5 } },
        { api, at: 'item', imageId: unsafeHuge, set: { unsafe_setting_num: 3_000_000_000 } },
        { api, at: 'item', imageId: digits, raw: { image_size: '9'.repeat(400) } },
        {
          api,
          at: 'item',
          imageId: deep,
          raw: { image_size: `${'['.repeat(200_000)}${']'.repeat(200_000)}` },
        },
        { api, at: 'item', imageId: negative, set: { unsafe_setting_num: -4 } },
        // Longer than the API defines: ListImageRiskConfigs would refuse it (HSS.0001) every run.
        { api, at: 'item', imageId: longId, set: { image_id: randomBytes(1_500).toString('hex') } },
      ],
    });
    const report = await h.sync();
    const setAside = [unsafeHuge, digits, deep, negative, longId];

    // Logged one by one with the request id and a bounded sample; counted in the ledger.
    const logged = h.logs.filter((l) => l.msg === QUARANTINED);
    const problems = new Map(
      logged.map((l) => [String(l.sample).match(/"image_id":"([^"]{1,128})"/)?.[1] ?? 'long', l.problem]),
    );
    expect(problems).toEqual(
      new Map([
        [unsafeHuge, 'unsafe_setting_num: expected an integer from 0 to 2147483647'],
        [digits, 'image_size: expected a number from 0 to 9007199254740991 bytes'],
        [deep, 'image_size: Invalid input'],
        [negative, 'unsafe_setting_num: expected an integer from 0 to 2147483647'],
        ['long', 'image_id: longer than 128 characters'],
      ]),
    );
    for (const l of logged) {
      expect(l).toMatchObject({ api });
      expect(l.requestId).toMatch(/^[0-9a-f]{32}$/);
      expect(String(l.sample).length).toBeLessThanOrEqual(200);
    }
    expect(report.counts.itemsQuarantined).toBe(5);
    expect(await quarantinedInLedger(h.t, report.runId)).toEqual({ run: 5, scopes: [5] });

    // Not a scope failure: the inventory is incomplete (nothing may be retired), every other
    // reference and every other image's results are written.
    expect(report.status).toBe('partial');
    const [scope] = await scopeRows(h.t, report.runId);
    expect(scope?.slice(0, 3)).toEqual(['private_image', 'partial', false]);
    expect(scope?.[3]).toMatch(
      new RegExp(
        `^inventory incomplete: 5 listed item\\(s\\) set aside \\(schema-invalid or without image_id\\): what they list is unknown; 5 schema-invalid item\\(s\\) quarantined \\(first: ${api} position \\d+ request_id=[0-9a-f]{32}: `,
      ),
    );
    // One pass: items set aside would be set aside again, so the list is not paged twice.
    expect(listCalls(h)).toBe(2);
    const stored = await refs(h);
    const listed = new Set(h.sim.world.images(FAULT_SCOPE).map((r) => r.image_id));
    expect(new Set(stored.keys())).toEqual(new Set([...listed].filter((id) => !setAside.includes(id))));
    // A fraction of a byte is rounded to the nearest byte.
    expect(stored.get(fraction)?.size).toBe(124);
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim).filter((r) => !setAside.includes(r.image_id)));

    // The next clean run lists and fetches them, and counts nothing quarantined.
    h.sim.setFaults({});
    const clean = await h.sync();
    expect(clean.status).toBe('succeeded');
    expect(await quarantinedInLedger(h.t, clean.runId)).toEqual({ run: 0, scopes: [0] });
    const real = new Map(h.sim.world.images(FAULT_SCOPE).map((r) => [r.image_id, r.image_size]));
    expect((await refs(h)).get(fraction)?.size).toBe(real.get(fraction));
    expect((await refs(h)).size).toBe(listed.size);
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
  });
});

describe('hostile numbers in results: the image is set aside, never the batch or the scope', () => {
  it('check_rule_num 3e9, negative counts, failed > check: the other images of the batch are written', async () => {
    const h = await faultHarness({
      sim: { imagesPerScope: 40 },
      // Many fetches in flight, so results arrive together and share write batches.
      env: { HSS_FETCH_CONCURRENCY: '16', HSS_PAGE_SIZE: '100' },
    });
    const [huge, negative, inverted] = imagesWithResults(h);
    if (!huge || !negative || !inverted) throw new Error('world too small');
    const api = 'ListImageRiskConfigs';
    h.sim.setFaults({
      hostileValues: [
        { api, at: 'item', imageId: huge, index: 0, set: { check_rule_num: 3e9 } },
        { api, at: 'item', imageId: negative, index: 0, set: { check_rule_num: -3, failed_rule_num: -9 } },
        { api, at: 'item', imageId: inverted, index: 0, set: { check_rule_num: 3, failed_rule_num: 9 } },
      ],
    });
    const report = await h.sync();
    const setAside = [huge, negative, inverted];
    const rule = 'expected an integer from 0 to 2097152';
    const logged = h.logs.filter((l) => l.msg === QUARANTINED);
    expect(new Map(logged.map((l) => [l.imageId, l.problem]))).toEqual(
      new Map([
        [huge, `check_rule_num: ${rule}`],
        [negative, `check_rule_num: ${rule}; failed_rule_num: ${rule}`],
        [inverted, 'failed_rule_num: greater than check_rule_num'],
      ]),
    );
    for (const l of logged) expect(l.requestId).toMatch(/^[0-9a-f]{32}$/);

    expect(report.status).toBe('partial');
    const due = report.counts.imagesDue;
    expect(due).toBeGreaterThan(20);
    expect(report.counts.imagesFetched).toBe(due - 3);
    expect(report.counts.imagesPending).toBe(3);
    expect(report.counts.itemsQuarantined).toBe(3);
    expect(await quarantinedInLedger(h.t, report.runId)).toEqual({ run: 3, scopes: [3] });
    const row = await h.t.pool.query<{ images_fetched: number; images_pending: number }>(
      'select images_fetched, images_pending from hss_internal.sync_scope_runs where run_id = $1',
      [report.runId],
    );
    expect(row.rows).toEqual([{ images_fetched: due - 3, images_pending: 3 }]);
    // Nothing of the three is stored (whole images only); everything else is exact.
    const truth = truthRows(h.sim);
    expect(await storedRows(h.t)).toEqual(truth.filter((r) => !setAside.includes(r.image_id)));
    const [scope] = await scopeRows(h.t, report.runId);
    expect(scope?.slice(0, 3)).toEqual(['private_image', 'partial', true]);
    expect(scope?.[3]).toContain(`3 schema-invalid item(s) quarantined (first: ${api} image `);

    h.sim.setFaults({});
    const clean = await h.sync();
    expect(clean.status).toBe('succeeded');
    expect(clean.counts.imagesFetched).toBe(3);
    expect(await quarantinedInLedger(h.t, clean.runId)).toEqual({ run: 0, scopes: [0] });
    expect(await storedRows(h.t)).toEqual(truth);
  });
});

describe('a value the database refuses anyway sets aside its image, not the write batch', () => {
  it('a check constraint refusing one image: the batch is written item by item, the others are stored', async () => {
    const h = await faultHarness({
      sim: { imagesPerScope: 40 },
      env: { HSS_FETCH_CONCURRENCY: '16', HSS_PAGE_SIZE: '100' },
    });
    // A constraint the edge checks know nothing of: the database is the only one to refuse.
    await h.t.pool.query(
      `alter table hss_internal.image_baseline_history add constraint test_no_poison check (check_type_desc is distinct from 'poison')`,
    );
    const [poisoned] = imagesWithResults(h);
    if (!poisoned) throw new Error('world too small');
    h.sim.setFaults({
      hostileValues: [
        {
          api: 'ListImageRiskConfigs',
          at: 'item',
          imageId: poisoned,
          index: 0,
          set: { check_type_desc: 'poison' },
        },
      ],
    });
    const report = await h.sync();
    expect(report.status).toBe('partial');
    const due = report.counts.imagesDue;
    expect(due).toBeGreaterThan(20);
    expect(report.counts.imagesFetched).toBe(due - 1);
    expect(report.counts.imagesPending).toBe(1);
    const refusedLog = h.logs.filter(
      (l) => l.msg === "the database refused an image's results; the image is left as it was and stays due",
    );
    expect(refusedLog.map((l) => l.imageId)).toEqual([poisoned]);
    const [scope] = await scopeRows(h.t, report.runId);
    expect(scope?.slice(0, 3)).toEqual(['private_image', 'partial', true]);
    expect(scope?.[3]).toMatch(
      new RegExp(
        `^1 image\\(s\\) refused by the database, left pending \\(first: image ${poisoned}: DB_ERROR: .*test_no_poison.*\\(SQLSTATE 23514\\)\\)$`,
      ),
    );
    const truth = truthRows(h.sim);
    expect(await storedRows(h.t)).toEqual(truth.filter((r) => r.image_id !== poisoned));

    h.sim.setFaults({});
    const clean = await h.sync();
    expect(clean.status).toBe('succeeded');
    expect(clean.counts.imagesFetched).toBe(1);
    expect(await storedRows(h.t)).toEqual(truth);
  });
});

describe('bad pages are bad answers: refused at once, not followed', () => {
  it('a list page with more rows than its limit: one call, the scope fails with the reason, nothing retired', async () => {
    const h = await faultHarness();
    expect((await h.sync()).status).toBe('succeeded');
    const before = await storedRows(h.t);
    const calls = listCalls(h);
    h.sim.setFaults({ longPages: 1 });
    const report = await h.sync();
    expect(listCalls(h) - calls).toBe(1);
    expect(report.status).toBe('failed');
    expect(report.counts.imagesRetired).toBe(0);
    const [scope] = await scopeRows(h.t, report.runId);
    expect(scope?.slice(0, 3)).toEqual(['private_image', 'failed', false]);
    expect(scope?.[3]).toMatch(
      new RegExp(
        `^HSS_BAD_RESPONSE: ListRegistryImages HTTP 200 request_id=[0-9a-f]{32}: ${LIST_PATH}: 11 rows in a page of at most 10 \\(limit\\); the answer is not a page of this request$`,
      ),
    );
    expect(await storedRows(h.t)).toEqual(before);
  });

  it('total_num 2,147,483,548 (beyond the API range): one call, the scope fails with the reason', async () => {
    const h = await faultHarness();
    h.sim.setFaults({
      hostileValues: [{ api: 'ListRegistryImages', at: 'page', set: { total_num: 2_147_483_548 } }],
    });
    const report = await h.sync();
    expect(listCalls(h)).toBe(1);
    expect(h.sim.stats().callsByApi.ListImageRiskConfigs ?? 0).toBe(0);
    expect(report.status).toBe('failed');
    const [scope] = await scopeRows(h.t, report.runId);
    expect(scope?.[3]).toMatch(
      new RegExp(
        `^HSS_BAD_RESPONSE: ListRegistryImages HTTP 200 request_id=[0-9a-f]{32}: ${LIST_PATH}: the answer does not match the ListRegistryImages schema: total_num: expected an integer from 0 to 2147483547$`,
      ),
    );
  });
});

describe('NUL, ESC and BEL in an error body', () => {
  it('the run and scope end with their real status and reason; ledger text stored without NUL', async () => {
    const h = await faultHarness();
    const requestId = 'req\u0000\u001b]0;pwned\u0007';
    h.sim.setFaults({
      errorReply: {
        api: 'ListRegistryImages',
        status: 400,
        body: {
          error_code: 'HSS.0001',
          error_msg: 'Invalid\u0000 parameter \u001b[2J',
          request_id: requestId,
        },
      },
    });
    const report = await h.sync();
    expect(report.status).toBe('failed');
    const reason =
      `HSS_API_ERROR: ListRegistryImages ${LIST_PATH} HTTP 400 HSS.0001 ` +
      `"Invalid\uFFFD parameter \\u001b[2J" request_id=req\uFFFD\u001b]0;pwned\u0007`;
    expect(await scopeRows(h.t, report.runId)).toEqual([['private_image', 'failed', false, reason]]);
    const run = await runRow(h.t, report.runId);
    expect([run.status, run.error]).toEqual(['failed', `${LABEL}: ${reason}`]);
    expect(report.error).toBe(`${LABEL}: ${reason}`);
    expect(await stillRunning(h.t)).toBe(0);
  });
});
