import { describe, expect, it } from 'vitest';
import type { ImageListing } from '../domain.js';
import { listing as ref } from './fake-hss.test-helper.js';
import {
  type DrillWork,
  decideRetirement,
  drillWorkOrder,
  emptyObservation,
  etaSeconds,
  groupContents,
  judgeInventory,
  planFetches,
  refreshAgeMs,
  type StoredContent,
  severityRank,
  shouldRepage,
} from './plan.js';

function stored(r: ImageListing, fetchedAt: number, over: Partial<StoredContent> = {}): StoredContent {
  return {
    fetchedSignal: {
      latestScanTime: r.latestScanTime,
      imageDigest: r.imageDigest,
      unsafeSettingNum: r.unsafeSettingNum,
      scanStatus: r.scanStatus,
    },
    fetchedAt: new Date(fetchedAt),
    outcome: 'fetched',
    removedAt: null,
    ...over,
  };
}

const DAY = 86_400_000;
const NOW = 100 * DAY;

describe('groupContents', () => {
  it('merges tags of one image_id and lets the latest scan speak for it', () => {
    const contents = groupContents([
      ref('a', { imageVersion: 'v1', latestScanTime: 5 }),
      ref('b'),
      ref('a', { imageVersion: 'v2', latestScanTime: 9, unsafeSettingNum: 7 }),
      ref('a', { imageVersion: 'v3', latestScanTime: 9, unsafeSettingNum: 8 }),
    ]);
    expect(
      contents.map((c) => [c.imageId, c.references, c.signal.latestScanTime, c.signal.unsafeSettingNum]),
    ).toEqual([
      ['a', 3, 9, 7],
      ['b', 1, 1000, 3],
    ]);
  });
});

describe('planFetches', () => {
  it('fetches new, then changed, then stale (oldest first), one call per content', () => {
    const same = ref('same');
    const changed = ref('chg', { latestScanTime: 2000 });
    const stale1 = ref('st1');
    const stale2 = ref('st2');
    const plan = planFetches({
      inventory: [stale1, same, ref('new1'), changed, ref('new1', { imageVersion: 'v2' }), stale2],
      stored: new Map([
        ['same', stored(same, NOW - DAY)],
        ['chg', stored(ref('chg'), NOW - DAY)],
        ['st1', stored(stale1, NOW - 8 * DAY)],
        ['st2', stored(stale2, NOW - 9 * DAY)],
      ]),
      nowMs: NOW,
      maxResultAgeMs: 7 * DAY,
    });
    expect(plan.tasks.map((t) => [t.imageId, t.reason])).toEqual([
      ['new1', 'new'],
      ['chg', 'changed'],
      ['st2', 'stale'],
      ['st1', 'stale'],
    ]);
    expect(plan.upToDate).toBe(1);
    expect(plan.contents).toHaveLength(5);
  });

  it('detects a change in each signal field', () => {
    const base = ref('x');
    for (const over of [
      { latestScanTime: 1 },
      { imageDigest: 'sha256:other' },
      { unsafeSettingNum: 0 },
      { scanStatus: null },
    ]) {
      const plan = planFetches({
        inventory: [ref('x', over)],
        stored: new Map([['x', stored(base, NOW)]]),
        nowMs: NOW,
        maxResultAgeMs: 7 * DAY,
      });
      expect(plan.tasks.map((t) => t.reason)).toEqual(['changed']);
    }
  });

  it('spends no call on unscanned images and records them once', () => {
    const uns = ref('u', { scanStatus: 'unscan', latestScanTime: null, unsafeSettingNum: null });
    const first = planFetches({ inventory: [uns], stored: new Map(), nowMs: NOW, maxResultAgeMs: DAY });
    expect(first.tasks).toEqual([]);
    expect(first.notScanned.map((n) => n.imageId)).toEqual(['u']);
    const again = planFetches({
      inventory: [uns],
      stored: new Map([['u', stored(uns, NOW, { outcome: 'not_scanned' })]]),
      nowMs: NOW + 30 * DAY,
      maxResultAgeMs: DAY,
    });
    expect(again.tasks).toEqual([]);
    expect(again.notScanned).toEqual([]);
    expect(again.upToDate).toBe(1);
  });

  it('fetches images that keep the results of an earlier scan while rescanning or after a failed rescan', () => {
    const plan = planFetches({
      inventory: [
        ref('scanning', { scanStatus: 'scanning', latestScanTime: 500 }),
        ref('failed-kept', { scanStatus: 'failed', latestScanTime: 400 }),
        ref('failed-none', { scanStatus: 'failed', latestScanTime: null }),
        ref('waiting', { scanStatus: 'waiting_for_scan', latestScanTime: 0 }),
      ],
      stored: new Map(),
      nowMs: NOW,
      maxResultAgeMs: DAY,
    });
    expect(plan.tasks.map((t) => t.imageId)).toEqual(['scanning', 'failed-kept']);
    expect(plan.notScanned.map((n) => n.imageId)).toEqual(['failed-none', 'waiting']);
  });

  it('refetches a content that was retired and came back, and one recorded unscanned that is now scanned', () => {
    const r = ref('back');
    const u = ref('later');
    const plan = planFetches({
      inventory: [r, u],
      stored: new Map([
        ['back', stored(r, NOW, { removedAt: new Date(NOW) })],
        ['later', stored(ref('later', { scanStatus: 'unscan' }), NOW, { outcome: 'not_scanned' })],
      ]),
      nowMs: NOW,
      maxResultAgeMs: DAY,
    });
    expect(plan.tasks.map((t) => [t.imageId, t.reason])).toEqual([
      ['back', 'new'],
      ['later', 'changed'],
    ]);
  });

  it('spreads age-based refreshes between 75% and 100% of the maximum age', () => {
    const ages = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => refreshAgeMs(id, 1000));
    for (const a of ages) {
      expect(a).toBeGreaterThanOrEqual(750);
      expect(a).toBeLessThan(1000);
    }
    expect(new Set(ages).size).toBeGreaterThan(4);
    expect(refreshAgeMs('a', 1000)).toBe(refreshAgeMs('a', 1000));
  });
});

describe('judgeInventory', () => {
  const ok = {
    ...emptyObservation(),
    firstTotal: 3,
    lastTotal: 3,
    allPagesFetched: true,
    rowsReceived: 3,
    distinctReferences: 3,
  };
  it('is complete only with all pages, a stable total and matching distinct count', () => {
    expect(judgeInventory(ok)).toEqual({ complete: true, reason: null });
    expect(judgeInventory({ ...ok, allPagesFetched: false })).toEqual({
      complete: false,
      reason: 'not every page of the image list was fetched',
    });
    expect(judgeInventory({ ...ok, allPagesFetched: false, rowsReceived: 2 })).toEqual({
      complete: false,
      reason: 'not every page of the image list was fetched (paging ended after 2 of 3 rows)',
    });
    expect(judgeInventory({ ...ok, allPagesFetched: false, hitOffsetCap: true })).toEqual({
      complete: false,
      reason: 'not every page of the image list was fetched (stopped at the largest offset the API accepts)',
    });
    expect(judgeInventory({ ...ok, lastTotal: 4 })).toEqual({
      complete: false,
      reason: 'total_num moved from 3 to 4 while paging',
    });
    expect(judgeInventory({ ...ok, distinctReferences: 2, rowsReceived: 2 })).toEqual({
      complete: false,
      reason: '2 distinct images listed but total_num is 3',
    });
    expect(judgeInventory({ ...ok, distinctReferences: 2 })).toEqual({
      complete: false,
      reason: '2 distinct images listed but total_num is 3 (1 duplicate row(s) across pages)',
    });
    expect(judgeInventory({ ...ok, rowsReceived: 2, distinctReferences: 2, itemsSetAside: 1 })).toEqual({
      complete: false,
      reason: '1 listed item(s) set aside (schema-invalid or without image_id): what they list is unknown',
    });
    expect(judgeInventory(emptyObservation())).toEqual({
      complete: false,
      reason: 'not every page of the image list was fetched',
    });
  });

  it('asks for one more pass when paging was inconsistent, not at the offset cap or without pages', () => {
    const moved = { ...ok, lastTotal: 4 };
    expect(shouldRepage(ok, judgeInventory(ok))).toBe(false);
    expect(shouldRepage(moved, judgeInventory(moved))).toBe(true);
    const dup = { ...ok, distinctReferences: 2 };
    expect(shouldRepage(dup, judgeInventory(dup))).toBe(true);
    const early = { ...ok, allPagesFetched: false, rowsReceived: 2, shortPages: 1 };
    expect(shouldRepage(early, judgeInventory(early))).toBe(true);
    const capped = { ...ok, allPagesFetched: false, hitOffsetCap: true };
    expect(shouldRepage(capped, judgeInventory(capped))).toBe(false);
    // Items set aside would be set aside again: no second pass for them.
    const setAside = { ...ok, rowsReceived: 2, distinctReferences: 2, itemsSetAside: 1 };
    expect(shouldRepage(setAside, judgeInventory(setAside))).toBe(false);
    const setAsideAndDup = { ...ok, rowsReceived: 2, distinctReferences: 1, itemsSetAside: 1 };
    expect(shouldRepage(setAsideAndDup, judgeInventory(setAsideAndDup))).toBe(true);
    expect(shouldRepage(emptyObservation(), judgeInventory(emptyObservation()))).toBe(false);
  });
});

describe('decideRetirement', () => {
  const complete = { complete: true, reason: null };
  const present = Array.from({ length: 20 }, (_, i) => `i${i}`);
  /** 20 stored images of which the first `gone` are not listed; at most 20% may retire at once. */
  const decide = (gone: number, o: { complete?: boolean; allowMassRetire?: boolean } = {}) =>
    decideRetirement({
      verdict: o.complete === false ? { complete: false, reason: 'x' } : complete,
      storedPresent: present,
      listed: new Set(present.slice(gone)),
      maxFraction: 0.2,
      allowMassRetire: o.allowMassRetire ?? false,
    });
  it('retires what vanished from a complete inventory', () => {
    expect(decide(2)).toEqual({ retire: ['i0', 'i1'], missing: ['i0', 'i1'], blockedReason: null });
  });
  it('retires nothing from an incomplete inventory', () => {
    const d = decide(1, { complete: false });
    expect(d.retire).toEqual([]);
    expect(d.blockedReason).toBe('inventory incomplete (x); nothing retired');
  });
  it('holds back a mass disappearance unless allowed', () => {
    const d = decide(5);
    expect(d.retire).toEqual([]);
    expect(d.blockedReason).toBe(
      '5 of 20 images vanished at once (more than HSS_MAX_RETIRE_FRACTION=0.2); nothing retired; set HSS_ALLOW_MASS_RETIRE=true to retire them',
    );
    expect(decide(5, { allowMassRetire: true }).retire).toHaveLength(5);
    expect(decide(4).retire).toHaveLength(4);
  });
});

describe('etaSeconds', () => {
  it('is the time the rate needs for the pending images', () => {
    expect(etaSeconds(0, 5)).toBe(0);
    expect(etaSeconds(10, 5)).toBe(120);
    expect(etaSeconds(1, 600)).toBe(1);
  });
});

describe('drillWorkOrder', () => {
  const w = (
    id: string,
    neverFetched: boolean,
    severity: string | null,
    fetchedAt: number | null,
  ): DrillWork => ({
    id,
    neverFetched,
    severity,
    fetchedAt,
  });

  it('puts never-fetched work first, then the worst severity, then the stalest, then by id', () => {
    const work = [
      w('old-low', false, 'Low', 100),
      w('new-low', true, 'Low', null),
      w('fresh-critical', false, 'Critical', 900),
      w('stale-critical', false, 'Critical', 200),
      w('new-high', true, 'High', null),
      w('unknown', false, null, 50),
      w('b-medium', false, 'Medium', 300),
      w('a-medium', false, 'Medium', 300),
      w('security', false, 'Security', 10),
      w('never-fetched-medium', false, 'Medium', null),
    ];
    expect(work.sort(drillWorkOrder).map((x) => x.id)).toEqual([
      'new-high',
      'new-low',
      'stale-critical',
      'fresh-critical',
      'never-fetched-medium',
      'a-medium',
      'b-medium',
      'old-low',
      'security',
      'unknown',
    ]);
  });

  it('ranks severities worst first, an unknown one last', () => {
    expect(['Security', 'bogus', 'High', null, 'Critical', 'Low', 'Medium'].map(severityRank)).toEqual([
      4, 5, 1, 5, 0, 3, 2,
    ]);
  });
});
