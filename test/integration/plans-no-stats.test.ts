/**
 * Linear without statistics (docs/architecture.md): on tables PostgreSQL has never analyzed (a first
 * sync, autovacuum off or behind), no statement of the inventory path (references, scope state,
 * stored contents, retirement) or of the results write path picks a plan that is quadratic in the
 * scope. The 100,000-reference proof is the opt-in scale test (scale-100k.test.ts) and the bench.
 */
import { describe, expect, it } from 'vitest';
import { imageRefKey } from '../../src/db/ref-key.js';
import {
  loadContentStates,
  recordScopeInventory,
  retireContents,
  upsertImageRefs,
  writeImageResults,
} from '../../src/db/writer/index.js';
import type { ImageListing } from '../../src/domain.js';
import { useTestDatabase } from '../helpers/db.js';
import { fetched, listing, RUN1, RUN2, risk, scope, T1, T2 } from '../helpers/db-fixtures.js';
import {
  planOf,
  planProblems,
  type RecordedStatement,
  recordingHandle,
  statementName,
} from '../helpers/plan-shape.js';

const IMAGES = 2_000;
const S = scope({ projectId: 'plans' });

const refs: ImageListing[] = Array.from({ length: IMAGES }, (_, i) =>
  listing({ imageId: `sha256:${String(i).padStart(6, '0')}`, imageVersion: `v${i}` }),
);
const resultsOf = (failed: number) => [
  risk({ checkName: 'CentOS 7', failedRuleNum: failed }),
  risk({ checkName: 'EulerOS', checkType: 'EulerOS', failedRuleNum: 3 }),
];

const t = useTestDatabase({
  setup: async (t) => {
    // Run 1: a first sync of the scope, results in batches of 100 images as the group commit writes.
    await upsertImageRefs(t.handle, S, refs, T1);
    await recordScopeInventory(t.handle, S, S.target, RUN1, T1, { complete: true, imageCount: IMAGES });
    await retireContents(t.handle, S, RUN1, T1, {
      missingImageIds: [],
      presentRefKeys: refs.map(imageRefKey),
    });
    for (let i = 0; i < IMAGES; i += 100) {
      const batch = refs.slice(i, i + 100).map((r) => fetched(S, r.imageId, resultsOf(1)));
      await writeImageResults(t.handle, RUN1, T1, batch);
    }
  },
});

/** Every statement of run 2 (1% of the images gone, 100 images with a changed result). */
async function recordRun2(): Promise<{ inventory: RecordedStatement[]; results: RecordedStatement[] }> {
  const inventory: RecordedStatement[] = [];
  const results: RecordedStatement[] = [];
  const h = recordingHandle(t.handle, inventory);
  const present = refs.filter((_, i) => i % 100 !== 0);
  await upsertImageRefs(h, S, present, T2);
  await recordScopeInventory(h, S, S.target, RUN2, T2, { complete: true, imageCount: present.length });
  await loadContentStates(h, S);
  const out = await retireContents(h, S, RUN2, T2, {
    missingImageIds: refs.filter((_, i) => i % 100 === 0).map((r) => r.imageId),
    presentRefKeys: present.map(imageRefKey),
  });
  expect(out).toEqual({ refsRetired: 20, contentsRetired: 20, versionsClosed: 40 });
  const changed = present.slice(0, 100).map((r) => fetched(S, r.imageId, resultsOf(2)));
  expect(await writeImageResults(recordingHandle(t.handle, results), RUN2, T2, changed)).toEqual({
    versionsOpened: 100,
    versionsClosed: 100,
  });
  return { inventory, results };
}

describe('plans on tables never analyzed', () => {
  it('the tables of the test have no statistics', async () => {
    const res = await t.pool.query(
      `SELECT relname, reltuples FROM pg_class
       WHERE relnamespace = 'hss_internal'::regnamespace
         AND relname IN ('image_refs', 'image_contents', 'image_baseline_history')
       ORDER BY relname`,
    );
    expect(res.rows).toEqual([
      { relname: 'image_baseline_history', reltuples: -1 },
      { relname: 'image_contents', reltuples: -1 },
      { relname: 'image_refs', reltuples: -1 },
    ]);
  });

  it('no inventory statement joins, no results statement loops over or scans a table', async () => {
    const { inventory, results } = await recordRun2();
    // upsert (2 chunks of 1,000), scope state, contents, then retire: present count, references,
    // retire references, contents, summary versions, rule versions, rule state.
    expect(inventory.map(statementName)).toHaveLength(11);
    // contents, open versions, close (one instant), open
    expect(results).toHaveLength(4);
    const found: Record<string, string[]> = {};
    for (const s of inventory) {
      const p = planProblems(await planOf(t.pool, s), 'scope');
      if (p.length > 0) found[statementName(s)] = p;
    }
    for (const s of results) {
      const p = planProblems(await planOf(t.pool, s), 'batch');
      if (p.length > 0) found[statementName(s)] = p;
    }
    expect(found).toEqual({});
  });

  it('the check finds the anti-join that timed out on a 40,000-reference scope', async () => {
    // The retire statement before it was made linear, verbatim: an anti-join against the listed keys.
    const old = `
UPDATE hss_internal.image_refs r SET removed_at = $4
WHERE r.project_id = $1 AND r.enterprise_project_id = $2 AND r.image_type = $3
  AND r.removed_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM unnest($5::text[]) AS k(ref_key) WHERE k.ref_key = r.ref_key)`;
    const plan = await planOf(t.pool, {
      text: old,
      values: [S.projectId, S.enterpriseProjectId, S.imageType, T2, refs.map(imageRefKey)],
    });
    // PostgreSQL 15 loops over the listed keys for every stored reference; 16 and later can hash
    // the side it believes small (Right Anti Join), still a join a per-scope statement must not be.
    const version = Number((await t.pool.query('SHOW server_version_num')).rows[0].server_version_num);
    expect(planProblems(plan, 'scope')).toEqual(
      version < 160000
        ? ['Nested Loop driven by Index Scan on image_refs', 'Nested Loop (Anti) in a per-scope statement']
        : ['Hash Join (Right Anti) in a per-scope statement'],
    );
  });
});
