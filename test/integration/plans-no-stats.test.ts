/**
 * Linear without statistics (docs/architecture.md): on tables PostgreSQL has never analyzed (a first
 * sync, autovacuum off or behind), no statement of the inventory path (references, scope state,
 * stored contents, retirement) or of the results write path picks a plan that is quadratic in the
 * scope. The 100,000-reference proof is the opt-in scale test (scale-100k.test.ts) and the bench.
 */
import { describe, expect, it } from 'vitest';
import { imageRefKey } from '../../src/db/ref-key.js';
import { loadRuleValuesDue, upsertRuleValues } from '../../src/db/rules/values.js';
import { type ImageRulesItem, writeImageRules } from '../../src/db/rules/write.js';
import {
  loadContentStates,
  recordScopeInventory,
  retireContents,
  upsertImageRefs,
  writeImageResults,
} from '../../src/db/writer/index.js';
import type { ImageListing, RuleResult } from '../../src/domain.js';
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

/** The failed rules of an image's EulerOS baseline: `n` rules, the first `changed` with another severity. */
const rulesOf = (n: number, severity = 'High'): RuleResult[] =>
  Array.from({ length: n }, (_, i) => ({
    checkName: 'EulerOS',
    checkType: 'EulerOS',
    standard: 'cn_standard',
    checkRuleId: `1.${i}`,
    checkRuleName: `rule ${i}`,
    severity,
    scanResult: 'failed',
  }));
const RULES = 5;
const rulesItem = (imageId: string, rules: RuleResult[]): ImageRulesItem => ({
  scope: S,
  imageId,
  signature: `sig-${imageId}`,
  mode: 'failed',
  rules,
  source: 'ListImageRiskConfigRules',
  scannedAt: null,
});

const t = useTestDatabase({
  setup: async (t) => {
    // Never analyzed means never: the server's autovacuum (on in embedded PostgreSQL) could
    // analyze a table while the data below is written and change the plans under test.
    await t.pool.query(`DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
                 WHERE c.relnamespace = 'hss_internal'::regnamespace AND c.relkind IN ('r', 'p') LOOP
          EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = false)', r.rel);
        END LOOP;
      END $$`);
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
    // Their rules (5 failed each) in batches of 100, and the values of every other image.
    for (let i = 0; i < IMAGES; i += 100) {
      const ids = refs.slice(i, i + 100).map((r) => r.imageId);
      await writeImageRules(
        t.handle,
        RUN1,
        T1,
        ids.map((id) => rulesItem(id, rulesOf(RULES))),
      );
      const valued = ids.filter((_, j) => j % 2 === 0);
      await upsertRuleValues(
        t.handle,
        RUN1,
        T1,
        valued.flatMap((imageId) =>
          rulesOf(RULES).map((key) => ({ scope: S, imageId, key, checkInfoList: [] })),
        ),
      );
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
         AND relname IN ('image_refs', 'image_contents', 'image_baseline_history', 'image_rule_history',
           'image_rule_values')
       ORDER BY relname`,
    );
    expect(res.rows).toEqual([
      { relname: 'image_baseline_history', reltuples: -1 },
      { relname: 'image_contents', reltuples: -1 },
      { relname: 'image_refs', reltuples: -1 },
      { relname: 'image_rule_history', reltuples: -1 },
      { relname: 'image_rule_values', reltuples: -1 },
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

  it('the rule write of a batch loops over no table; each page of the values due reads from the cursor on, in index order', async () => {
    // Run 2's rule write: 100 present images, each with one rule changed and one gone.
    const write: RecordedStatement[] = [];
    const ids = refs
      .filter((_, i) => i % 100 !== 0)
      .slice(0, 100)
      .map((r) => r.imageId);
    const changed = ids.map((id) =>
      rulesItem(id, [...rulesOf(1, 'Critical'), ...rulesOf(RULES - 1).slice(1)]),
    );
    expect(await writeImageRules(recordingHandle(t.handle, write), RUN2, T2, changed)).toEqual({
      versionsOpened: 100,
      versionsClosed: 200,
    });
    // rule state, floors, close, open
    expect(write).toHaveLength(4);
    const found: Record<string, string[]> = {};
    for (const s of write) {
      const p = planProblems(await planOf(t.pool, s), 'batch');
      if (p.length > 0) found[statementName(s)] = p;
    }
    // The values due, page by page: the first, one from the middle, the last (short) one.
    const pages: RecordedStatement[] = [];
    const h = recordingHandle(t.handle, pages);
    const first = await loadRuleValuesDue(h, S, null, 500);
    expect(first).toHaveLength(500);
    const last = first.at(-1)!;
    const second = await loadRuleValuesDue(h, S, { imageId: last.image.imageId, key: last.key }, 500);
    expect(second).toHaveLength(500);
    expect(
      second[0]!.image.imageId > last.image.imageId || second[0]!.key.checkRuleId > last.key.checkRuleId,
    ).toBe(true);
    // Every other image has no values (about 1,000 images × 5 rules), and run 2's new versions
    // are due: the pages together are exactly what the whole-scope read of before returned.
    const all = [...first, ...second];
    let cursor = second.at(-1)!;
    for (;;) {
      const page = await loadRuleValuesDue(h, S, { imageId: cursor.image.imageId, key: cursor.key }, 500);
      all.push(...page);
      if (page.length < 500) break;
      cursor = page.at(-1)!;
    }
    const oracle = await t.pool.query<{ k: string }>(
      `SELECT concat_ws('|', h.image_id, h.check_rule_id, l.image_version) AS k
       FROM hss_internal.image_rule_history h
       JOIN hss_internal.image_contents c USING (project_id, enterprise_project_id, image_type, image_id)
       JOIN hss_internal.content_listing l USING (project_id, enterprise_project_id, image_type, image_id)
       LEFT JOIN hss_internal.image_rule_values v ON v.rule_result_key = h.rule_result_key
       WHERE h.project_id = $1 AND h.valid_to IS NULL AND h.scan_result = 'failed' AND c.removed_at IS NULL
         AND (v.rule_result_key IS NULL OR v.fetched_at < h.valid_from)
       ORDER BY h.image_id, h.check_rule_id`,
      [S.projectId],
    );
    expect(oracle.rows.length).toBeGreaterThan(4_900);
    expect(all.map((r) => [r.image.imageId, r.key.checkRuleId, r.image.imageVersion].join('|'))).toEqual(
      oracle.rows.map((r) => r.k),
    );
    for (const s of [pages[0]!, pages[1]!, pages.at(-1)!]) {
      const p = planProblems(await planOf(t.pool, s), 'page');
      if (p.length > 0) found[`values due page (${String(s.values[3]).slice(0, 14)}…)`] = p;
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
