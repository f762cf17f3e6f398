/**
 * The time-to-truth model (bench/ttt-model.ts) against the real sync engine: the same estate (the
 * simulator's world generator, one private_image scope), the daemon's cadence (a run every 30 min,
 * no call started after 27), every API paced at 5 calls/min by the worker's own pacer, all on the
 * fake clock. The engine runs in memory (MemoryStore, FakeHss). The model must agree on the calls
 * each API makes (within 1% on one scope, 2% on seven) and on the run in which each kind's first
 * backfill ends (the same run on one scope, within one run on seven).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type EstateScope, makeEstate } from '../../bench/ttt-estate.js';
import { runModel } from '../../bench/ttt-model.js';
import { FakeClock } from '../../src/clock.js';
import type { ApiName, ImageType, RuleResult, Scope } from '../../src/domain.js';
import { listApiFor } from '../../src/domain.js';
import { Pacer } from '../../src/hss/pacer.js';
import type { HssClient } from '../../src/hss/types.js';
import { rowToTruth } from '../../src/simulator/baseline.js';
import { rulesOfRow } from '../../src/simulator/rule-gen.js';
import type { SimContent } from '../../src/simulator/world-gen.js';
import { type EngineDeps, runSync } from '../../src/sync/engine.js';
import { drive, target } from '../../src/sync/engine-world.test-helper.js';
import { FakeHss, type FakeImage } from '../../src/sync/fake-hss.test-helper.js';
import { MemoryStore } from '../../src/sync/memory-store.test-helper.js';
import type { RuleValuesMode } from '../../src/sync/plan.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const INTERVAL = 30 * 60_000;
const DEADLINE = 27 * 60_000;
const SCOPE: Scope = { target: 't1', projectId: 'p1', enterpriseProjectId: '0', imageType: 'private_image' };

/**
 * The estate's scopes of `types`: images with results, one standard per baseline (FakeHss keys
 * rules by check_name), one reference each (FakeHss lists one row per image).
 */
function estate(images: number, types: readonly ImageType[]): EstateScope[] {
  const out: EstateScope[] = [];
  const trimmed = new Set<SimContent>();
  for (const scope of makeEstate(images)) {
    if (!types.includes(scope.imageType)) continue;
    const contents = scope.contents.filter((c) => c.rows.length > 0);
    for (const c of contents) {
      if (trimmed.has(c)) continue;
      trimmed.add(c);
      c.rows = c.rows.filter((r, i) => c.rows.findIndex((x) => x.checkName === r.checkName) === i);
    }
    out.push({ ...scope, contents, references: contents.length });
  }
  return out;
}

function fakeImage(c: SimContent): FakeImage {
  const rules: Record<string, RuleResult[]> = {};
  for (const row of c.rows) rules[row.checkName] = rulesOfRow(c.imageId, row);
  return {
    imageId: c.imageId,
    scanTime: c.latestScanTime ?? 1,
    results: c.rows.map((r) => ({ ...rowToTruth(r), checkTypeDesc: null })),
    rules,
    listing: { unsafeSettingNum: c.rows.reduce((n, r) => n + r.failedRuleNum, 0) },
  };
}

/** A client that waits for the worker's pacer (5/min per API) before each FakeHss call. */
function paced(hss: FakeHss, pacer: Pacer): HssClient {
  const gate =
    <A extends unknown[], R>(api: (a: A) => ApiName, fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const slot = await pacer.acquire('cred', api(a));
      try {
        return await fn(...a);
      } finally {
        slot.done();
      }
    };
  return {
    ...hss,
    listImagesPage: gate((a) => listApiFor((a[0] as Scope).imageType), hss.listImagesPage.bind(hss)),
    listRiskConfigs: gate(() => 'ListImageRiskConfigs', hss.listRiskConfigs.bind(hss)),
    listRiskConfigRules: gate(() => 'ListImageRiskConfigRules', hss.listRiskConfigRules.bind(hss)),
    listCheckRules: gate(() => 'ListCheckRulesInfo', hss.listCheckRules.bind(hss)),
    showCheckRuleDetail: gate(() => 'ShowImageCheckRuleDetail', hss.showCheckRuleDetail.bind(hss)),
  } as HssClient;
}

/** The engine over `runs` runs: calls per API, and the run after which each kind was backfilled. */
async function engine(scopes: EstateScope[], runs: number, ruleValues: RuleValuesMode) {
  const clock = new FakeClock(T0);
  const hss = new FakeHss(clock, 1000, 200);
  for (const s of scopes) hss.put({ ...SCOPE, imageType: s.imageType }, s.contents.map(fakeImage));
  const store = new MemoryStore();
  const pacer = new Pacer({ clock, ratePerMinute: 5 });
  const client = paced(hss, pacer);
  let ids = 0;
  const deps: EngineDeps = {
    targets: [{ ...target, enterpriseProjectIds: ['0'], imageTypes: scopes.map((s) => s.imageType) }],
    clientFor: () => client,
    store,
    clock,
    newId: () => `run-${++ids}`,
    logger: pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() })),
    rateFor: () => 5,
    settings: {
      pageSize: 200,
      fetchConcurrency: 4,
      scopeConcurrency: 4,
      maxResultAgeMs: 7 * 86_400_000,
      maxRetireFraction: 0.5,
      allowMassRetire: false,
      maxQuarantinedItems: 10,
      retryBudget: { ratio: 0.5 },
      ruleDetail: 'failed',
      ruleValues,
      cicdSummaries: 'derived',
    },
    worker: 'test:1',
  };
  const images = scopes.reduce((n, s) => n + s.contents.length, 0);
  const withRules = scopes.filter((s) => s.rules !== null).reduce((n, s) => n + s.contents.length, 0);
  const backfilled: Record<string, number> = {};
  const described: number[] = [];
  for (let r = 0; r < runs; r++) {
    await drive(clock, runSync(deps, { trigger: 'schedule', deadlineMs: DEADLINE }));
    const summaries = [...store.contents.values()].filter((c) => c.fetchedAt !== null).length;
    if (summaries === images) backfilled.summaries ??= r;
    if (store.rules.size === withRules) backfilled.rules ??= r;
    described.push(store.descriptions.size);
    await clock.advance(T0 + (r + 1) * INTERVAL - clock.now());
  }
  // Descriptions: the run after which the count reached its final value.
  backfilled.descriptions = described.indexOf(described[described.length - 1] as number);
  const calls: Record<string, number> = {};
  for (const c of hss.calls) calls[c.api] = (calls[c.api] ?? 0) + 1;
  return { calls, backfilled };
}

const ALL: readonly ImageType[] = [
  'private_image',
  'shared_image',
  'local_image',
  'instance_image',
  'registry',
  'cicd',
  'local',
];

/** The model over the same scopes and runs. */
function model(scopes: EstateScope[], runs: number, values: RuleValuesMode) {
  return runModel(scopes, {
    intervalMs: INTERVAL,
    deadlineMs: DEADLINE,
    ratePerMinute: 5,
    pageSize: 200,
    maxResultAgeMs: 7 * 86_400_000,
    values,
    rescanPerDay: 0,
    days: (runs * INTERVAL) / 86_400_000,
    steadyFromDays: 1,
    seed: 1,
  });
}

const runOf = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / INTERVAL));

describe('the time-to-truth model against the real engine (fake clock, 5 calls/min per API)', () => {
  it('one scope: the same calls per API and the same run ending each first backfill', async () => {
    const runs = 16;
    const scopes = estate(2000, ['private_image']);
    const real = await engine(scopes, runs, 'off');
    const m = model(scopes, runs, 'off');
    expect({
      summaries: runOf(m.tracker.backfilledAt.get('summaries')),
      rules: runOf(m.tracker.backfilledAt.get('rules')),
      descriptions: runOf(m.tracker.backfilledAt.get('descriptions')),
    }).toEqual(real.backfilled);
    // Not trivially met: several runs each, descriptions last.
    expect(real.backfilled.summaries).toBeGreaterThanOrEqual(3);
    expect(real.backfilled.descriptions).toBeGreaterThan(real.backfilled.rules as number);
    expect(real.backfilled.descriptions).toBeLessThan(runs - 1);
    // A call or two apart: an image whose rule calls the deadline cut is asked again next run.
    for (const api of ['ListImageRiskConfigs', 'ListImageRiskConfigRules', 'ShowImageCheckRuleDetail']) {
      const e = real.calls[api] ?? 0;
      expect(Math.abs((m.callsByApi[api] ?? 0) - e), api).toBeLessThanOrEqual(Math.ceil(0.01 * e));
    }
  }, 120_000);

  it('seven scopes: each first backfill ends in the same run, give or take one', async () => {
    const runs = 16;
    const scopes = estate(1500, ALL);
    const real = await engine(scopes, runs, 'off');
    const m = model(scopes, runs, 'off');
    for (const kind of ['summaries', 'rules', 'descriptions']) {
      const e = real.backfilled[kind];
      expect(e, kind).toBeGreaterThanOrEqual(3);
      expect(
        Math.abs((runOf(m.tracker.backfilledAt.get(kind as 'rules')) ?? 99) - (e as number)),
        kind,
      ).toBeLessThanOrEqual(1);
    }
    // List calls differ by a page a run (not a bottleneck: 3-7 pages a run at 5/min).
    for (const api of [
      'ListImageRiskConfigs',
      'ListCheckRulesInfo',
      'ListImageRiskConfigRules',
      'ShowImageCheckRuleDetail',
    ]) {
      const e = real.calls[api] ?? 0;
      expect(e, api).toBeGreaterThan(250);
      expect(Math.abs((m.callsByApi[api] ?? 0) - e), api).toBeLessThanOrEqual(Math.ceil(0.02 * e));
    }
  }, 120_000);
});
