import { describe, expect, it } from 'vitest';
import { images, S0, S1, world } from './engine-world.test-helper.js';
import { sharedEtaSeconds } from './shared-eta.js';
import { formatRunSummary } from './summary.js';

const R = 'ListImageRiskConfigs' as const;

describe('sharedEtaSeconds', () => {
  it('adds the pending calls of every scope on one (credential, API) budget', () => {
    // Twelve scopes of one credential, 25 pending each, at 5/min: 300 calls = 3,600 s, not 300 s.
    const items = Array.from({ length: 12 }, () => ({ credential: 'a', api: R, pending: 25, perMinute: 5 }));
    expect(sharedEtaSeconds(items)).toEqual(Array(12).fill(3600));
  });

  it('keeps credentials and APIs apart, and a scope with nothing pending waits for nothing', () => {
    const got = sharedEtaSeconds([
      { credential: 'a', api: R, pending: 10, perMinute: 5 },
      { credential: 'a', api: R, pending: 7, perMinute: 5 },
      { credential: 'a', api: R, pending: 0, perMinute: 5 },
      { credential: 'b', api: R, pending: 10, perMinute: 5 },
      { credential: 'a', api: 'ListCheckRulesInfo', pending: 3, perMinute: 5 },
    ]);
    // a/R: 17 calls at 5/min = 204 s; b/R: 10 calls = 120 s; a/ListCheckRulesInfo: 3 calls = 36 s.
    expect(got).toEqual([204, 204, 0, 120, 36]);
  });

  it('uses the slowest rate given for a budget and rounds up to whole seconds', () => {
    expect(
      sharedEtaSeconds([
        { credential: 'a', api: R, pending: 1, perMinute: 7 },
        { credential: 'a', api: R, pending: 1, perMinute: 6 },
      ]),
    ).toEqual([20, 20]);
    expect(sharedEtaSeconds([{ credential: 'a', api: R, pending: 1, perMinute: 7 }])).toEqual([9]);
    expect(sharedEtaSeconds([])).toEqual([]);
  });
});

describe('a run that ends with images pending in several scopes of one credential', () => {
  it('gives every scope, the summary line and the ledger the shared budget’s ETA', async () => {
    const w = world({ scopeConcurrency: 2, fetchConcurrency: 2 });
    w.hss.put(S0, images('a', 10));
    w.hss.put(S1, images('b', 10));
    const r = await w.run({ deadlineMs: 4500, signal: new AbortController().signal });
    const pending = r.scopes.map((s) => s.counts.imagesPending);
    // Both scopes were cut by the deadline with images left.
    expect(pending.every((n) => n > 0)).toBe(true);
    // One credential (t1), one API (ListImageRiskConfigs) at 60 calls/min: one second per call.
    const shared = pending[0]! + pending[1]!;
    expect(r.scopes.map((s) => s.etaSeconds)).toEqual([shared, shared]);
    expect(formatRunSummary(r)).toContain(` eta=${shared}s `);
    expect(w.store.scopeRuns.map((row) => row.outcome?.etaSeconds)).toEqual([shared, shared]);
  });
});
