/**
 * The SyncStore contract, written once: what every store answers for the same calls, exactly.
 * test/integration/store-contract.test.ts runs it against the PostgreSQL store and against the
 * in-memory store the engine's unit tests use, so the memory store cannot drift from the real one.
 * Each case gets a fresh store from the factory and works in a scope of its own.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { imageRefKey } from '../../src/db/ref-key.js';
import type { ImageListing, RuleResult } from '../../src/domain.js';
import { fetched, listing, risk, T1, T2, T3 } from './db-fixtures.js';
import {
  begin,
  type ContractStore,
  end,
  finishLeftovers,
  freshScope,
  NO_COVERAGE,
  outcome,
  rule,
  rulesItem,
  SCAN,
  scannedAt,
} from './store-contract-kit.js';

export { type ContractStore, freshScope };

/** Defines the contract's cases for the store `make` builds (a fresh one per case). */
export function syncStoreContract(name: string, make: () => Promise<ContractStore>): void {
  describe(`SyncStore contract: ${name}`, () => {
    afterEach(finishLeftovers);

    it('writeImageResults counts opened and closed versions key by key; an identical write counts none', async () => {
      const { store, scope: s } = await make();
      const run = await begin(store);
      const a = risk({ checkName: 'A' });
      const b = risk({ checkName: 'B', failedRuleNum: 0 });
      expect(await store.writeImageResults(run, T1, [fetched(s, 'img-1', [a, b])])).toEqual({
        versionsOpened: 2,
        versionsClosed: 0,
      });
      expect(await store.writeImageResults(run, T2, [fetched(s, 'img-1', [a, b])])).toEqual({
        versionsOpened: 0,
        versionsClosed: 0,
      });
      // One value changed (a new version replaces the open one), one key gone.
      expect(
        await store.writeImageResults(run, T3, [fetched(s, 'img-1', [{ ...a, failedRuleNum: 5 }])]),
      ).toEqual({ versionsOpened: 1, versionsClosed: 2 });
      await end(store, run, T3);
    });

    it('loadContentStates answers each content of the scope with its signal, time, outcome and removal', async () => {
      const { store, scope: s } = await make();
      const run = await begin(store);
      const other = freshScope();
      await store.writeImageResults(run, T1, [
        fetched(s, 'img-1', [risk()]),
        {
          ...fetched(s, 'img-2', []),
          outcome: 'not_scanned',
          signal: { latestScanTime: null, imageDigest: null, unsafeSettingNum: null, scanStatus: 'unscan' },
        },
        fetched(other, 'img-3', [risk()]),
      ]);
      const states = await store.loadContentStates(s);
      expect([...states.entries()].sort(([x], [y]) => (x < y ? -1 : 1))).toEqual([
        [
          'img-1',
          {
            fetchedSignal: fetched(s, 'img-1', []).signal,
            fetchedAt: T1,
            outcome: 'fetched',
            removedAt: null,
          },
        ],
        [
          'img-2',
          {
            fetchedSignal: {
              latestScanTime: null,
              imageDigest: null,
              unsafeSettingNum: null,
              scanStatus: 'unscan',
            },
            fetchedAt: T1,
            outcome: 'not_scanned',
            removedAt: null,
          },
        ],
      ]);
      expect((await store.loadContentStates(freshScope())).size).toBe(0);
      await end(store, run, T1);
    });

    it('retireContents marks missing contents removed and closes their open summaries, once', async () => {
      const { store, scope: s } = await make();
      const run = await begin(store);
      const one = listing({ imageId: 'img-1', latestScanTime: SCAN });
      const two = listing({ imageId: 'img-2', imageVersion: 'v2', latestScanTime: SCAN });
      await store.upsertImageRefs(s, [one, two], T1);
      await store.writeImageResults(run, T1, [
        scannedAt(fetched(s, 'img-1', [risk({ checkName: 'A' }), risk({ checkName: 'B' })]), SCAN),
        scannedAt(fetched(s, 'img-2', [risk()]), SCAN),
      ]);
      expect(await store.countCoverage([s])).toEqual({ ...NO_COVERAGE, covered: 2 });
      // The inventory lists img-2's reference only: img-1's reference and content go.
      const what = { missingImageIds: ['img-1', 'img-unknown'], presentRefKeys: [imageRefKey(two)] };
      expect(await store.retireContents(s, run, T2, what)).toEqual({ contentsRetired: 1, versionsClosed: 2 });
      expect(await store.retireContents(s, run, T3, what)).toEqual({ contentsRetired: 0, versionsClosed: 0 });
      const states = await store.loadContentStates(s);
      expect([states.get('img-1')?.removedAt, states.get('img-2')?.removedAt]).toEqual([T2, null]);
      expect(await store.countCoverage([s])).toEqual({ ...NO_COVERAGE, covered: 1 });
      await end(store, run, T3);
    });

    it('loadRulesDue lists fetched images with their failing baselines until their rules are written for that signature', async () => {
      const { store, scope: s } = await make();
      const run = await begin(store);
      await store.writeImageResults(run, T1, [
        fetched(s, 'img-b', [
          risk({ checkName: 'A', failedRuleNum: 2 }),
          risk({ checkName: 'B', failedRuleNum: 0 }),
        ]),
        fetched(s, 'img-a', [risk({ checkName: 'C', failedRuleNum: 0 })]),
        { ...fetched(s, 'img-c', []), outcome: 'not_scanned' },
      ]);
      const due = await store.loadRulesDue(s, 'failed');
      expect(due.map(({ signature, ...d }) => d)).toEqual([
        { imageId: 'img-a', failing: [], scannedAt: fetched(s, 'img-a', []).signal.latestScanTime },
        {
          imageId: 'img-b',
          failing: [{ checkName: 'A', standard: 'hw_standard' }],
          scannedAt: fetched(s, 'img-b', []).signal.latestScanTime,
        },
      ]);
      expect(due.every((d) => typeof d.signature === 'string' && d.signature !== '')).toBe(true);
      expect((await store.loadRulesDueFor(s, 'failed', ['img-b', 'img-c'])).map((d) => d.imageId)).toEqual([
        'img-b',
      ]);
      const b = due.find((d) => d.imageId === 'img-b')!;
      expect(
        await store.writeImageRules(run, T2, [
          rulesItem(s, 'img-b', b.signature, [rule(), rule({ checkRuleId: '1.2' })]),
        ]),
      ).toEqual({ versionsOpened: 2, versionsClosed: 0 });
      expect((await store.loadRulesDue(s, 'failed')).map((d) => d.imageId)).toEqual(['img-a']);
      // Another mode wants the rules again.
      expect((await store.loadRulesDue(s, 'all')).map((d) => d.imageId)).toEqual(['img-a', 'img-b']);
      // A changed summary makes the image due again, under another signature.
      await store.writeImageResults(run, T3, [
        fetched(s, 'img-b', [risk({ checkName: 'A', failedRuleNum: 1 })]),
      ]);
      const again = (await store.loadRulesDue(s, 'failed')).find((d) => d.imageId === 'img-b');
      expect(again?.signature).not.toBe(b.signature);
      await end(store, run, T3);
    });

    it('writeImageRules replaces an image’s rules key by key; an incomplete answer opens what came and closes nothing', async () => {
      const { store, scope: s } = await make();
      const run = await begin(store);
      await store.writeImageResults(run, T1, [fetched(s, 'img-1', [risk()])]);
      const [due] = await store.loadRulesDue(s, 'failed');
      const sig = due!.signature;
      const r1 = rule();
      const r2 = rule({ checkRuleId: '1.2' });
      expect(await store.writeImageRules(run, T1, [rulesItem(s, 'img-1', sig, [r1, r2])])).toEqual({
        versionsOpened: 2,
        versionsClosed: 0,
      });
      expect(await store.writeImageRules(run, T2, [rulesItem(s, 'img-1', sig, [r1, r2])])).toEqual({
        versionsOpened: 0,
        versionsClosed: 0,
      });
      expect(
        await store.writeImageRules(run, T2, [rulesItem(s, 'img-1', sig, [{ ...r1, scanResult: 'pass' }])]),
      ).toEqual({ versionsOpened: 1, versionsClosed: 2 });
      const r3 = rule({ checkRuleId: '1.3' });
      expect(
        await store.writeImageRules(run, T3, [{ ...rulesItem(s, 'img-1', sig, [r3]), complete: false }]),
      ).toEqual({ versionsOpened: 1, versionsClosed: 0 });
      // Incomplete: the rule state is left as it was (here: current for this signature).
      expect(await store.loadRulesDue(s, 'failed')).toEqual([]);
      // An image whose rules were never recorded stays due after an incomplete answer.
      await store.writeImageResults(run, T3, [fetched(s, 'img-2', [risk()])]);
      const [due2] = await store.loadRulesDue(s, 'failed');
      expect(
        await store.writeImageRules(run, T3, [
          { ...rulesItem(s, 'img-2', due2!.signature, [r1]), complete: false },
        ]),
      ).toEqual({ versionsOpened: 1, versionsClosed: 0 });
      expect((await store.loadRulesDue(s, 'failed')).map((d) => d.imageId)).toEqual(['img-2']);
      await end(store, run, T3);
    });

    it('a retired content’s rules are forgotten: when it comes back, its rules are due again', async () => {
      const { store, scope: s } = await make();
      const run = await begin(store);
      await store.writeImageResults(run, T1, [fetched(s, 'img-1', [risk()])]);
      const [due] = await store.loadRulesDue(s, 'failed');
      await store.writeImageRules(run, T1, [rulesItem(s, 'img-1', due!.signature, [rule()])]);
      expect(await store.loadRulesDue(s, 'failed')).toEqual([]);
      await store.retireContents(s, run, T2, { missingImageIds: ['img-1'], presentRefKeys: [] });
      expect(await store.loadRulesDue(s, 'failed')).toEqual([]);
      expect(await store.loadRuleValuesDue(s, null, 1000)).toEqual([]);
      await store.writeImageResults(run, T3, [fetched(s, 'img-1', [risk()])]);
      expect((await store.loadRulesDue(s, 'failed')).map((d) => [d.imageId, d.signature])).toEqual([
        ['img-1', due!.signature],
      ]);
      await end(store, run, T3);
    });

    it('rule descriptions are due until written, and again once older than staleBefore', async () => {
      const { store, scope: s } = await make();
      const run = await begin(store);
      await store.writeImageResults(run, T1, [fetched(s, 'img-1', [risk()])]);
      const [due] = await store.loadRulesDue(s, 'failed');
      const r1 = rule();
      const r2 = rule({ checkRuleId: '1.2', scanResult: 'pass' });
      await store.writeImageRules(run, T1, [rulesItem(s, 'img-1', due!.signature, [r1, r2])]);
      const key = (r: RuleResult) => ({
        checkName: r.checkName,
        checkType: r.checkType,
        standard: r.standard,
        checkRuleId: r.checkRuleId,
      });
      const sortKeys = (ks: { checkRuleId: string }[]) => ks.map((k) => k.checkRuleId).sort();
      expect(sortKeys(await store.loadDescriptionsDue(s, T1))).toEqual(['1.1', '1.2']);
      const detail = { description: 'd', reference: null, audit: null, remediation: 'r', checkInfoList: [] };
      await store.upsertRuleDescription(key(r1), detail, T2);
      expect(sortKeys(await store.loadDescriptionsDue(s, T2))).toEqual(['1.2']);
      expect(sortKeys(await store.loadDescriptionsDue(s, T3))).toEqual(['1.1', '1.2']);
      const other = { ...key(r1), checkRuleId: '9.9' };
      expect(sortKeys(await store.filterDescriptionsDue([key(r1), key(r2), other], T2))).toEqual([
        '1.2',
        '9.9',
      ]);
      await end(store, run, T3);
    });

    it('rule values are due per failed current rule, with the image’s filters, until written', async () => {
      const { store, scope: s } = await make();
      const run = await begin(store);
      const ref = listing({ imageId: 'img-1', namespace: 'ns', imageName: 'app', imageVersion: 'v7' });
      await store.upsertImageRefs(s, [ref], T1);
      await store.writeImageResults(run, T1, [fetched(s, 'img-1', [risk()])]);
      const [due] = await store.loadRulesDue(s, 'failed');
      const r1 = rule();
      await store.writeImageRules(run, T1, [
        rulesItem(s, 'img-1', due!.signature, [r1, rule({ checkRuleId: '1.2', scanResult: 'pass' })]),
      ]);
      const key = {
        checkName: r1.checkName,
        checkType: r1.checkType,
        standard: r1.standard,
        checkRuleId: '1.1',
      };
      expect(await store.loadRuleValuesDue(s, null, 1000)).toEqual([
        {
          scope: s,
          image: {
            imageId: 'img-1',
            namespace: 'ns',
            imageName: 'app',
            imageVersion: 'v7',
            instanceId: null,
          },
          key,
        },
      ]);
      const info = [{ checkDescription: 'len', currentValue: '6', suggestValue: '12' }];
      await store.upsertRuleValues(run, T2, [{ scope: s, imageId: 'img-1', key, checkInfoList: info }]);
      expect(await store.loadRuleValuesDue(s, null, 1000)).toEqual([]);
      await end(store, run, T2);
    });

    it('countCoverage counts each listed current image once in its state', async () => {
      const { store, scope: s } = await make();
      const run = await begin(store);
      const ref = (imageId: string, o: Partial<ImageListing> = {}) =>
        listing({ imageId, imageVersion: imageId, latestScanTime: SCAN, unsafeSettingNum: 2, ...o });
      // Two references of one content: counted once, by the one with the latest scan.
      await store.upsertImageRefs(
        s,
        [ref('covered'), ref('covered', { imageVersion: 'old', latestScanTime: SCAN - 1 })],
        T1,
      );
      // A second upsert adds to the first.
      await store.upsertImageRefs(
        s,
        [
          ref('none', { unsafeSettingNum: 0 }),
          ref('unscanned', { scanStatus: 'unscan', latestScanTime: null, unsafeSettingNum: null }),
          ref('failed', { scanStatus: 'failed' }),
          ref('never-fetched'),
          ref('stale'),
          ref('odd', { unsafeSettingNum: 0 }),
        ],
        T1,
      );
      await store.recordScopeInventory(s, run, T1, { complete: true, imageCount: 8 });
      await store.writeImageResults(run, T1, [
        scannedAt(fetched(s, 'covered', [risk({ failedRuleNum: 2 })]), SCAN),
        scannedAt(fetched(s, 'none', []), SCAN),
        scannedAt({ ...fetched(s, 'unscanned', []), outcome: 'not_scanned' }, null),
        scannedAt(fetched(s, 'failed', [risk()]), SCAN),
        scannedAt(fetched(s, 'stale', [risk()]), SCAN - 1),
        scannedAt(fetched(s, 'odd', [risk({ failedRuleNum: 3 })]), SCAN),
      ]);
      expect(await store.countCoverage([s])).toEqual({
        covered: 1,
        not_scanned: 1,
        scan_failed: 1,
        no_results: 1,
        inconsistent: 1,
        pending: 2,
      });
      expect(await store.countCoverage([freshScope()])).toEqual(NO_COVERAGE);
      await end(store, run, T1);
    });

    it('a run: started, reaped only when abandoned, finished once; an unknown run cannot be finished', async () => {
      const { store } = await make();
      const run = await begin(store);
      expect(await store.reapAbandonedRuns(T1)).not.toContain(run);
      await end(store, run, T1);
      expect(await store.reapAbandonedRuns(T2)).not.toContain(run);
      await expect(store.finishRun(randomUUID(), outcome('failed', T2))).rejects.toThrow();
    });
  });
}
