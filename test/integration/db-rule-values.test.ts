/**
 * Per-image rule current values (hss_internal.image_rule_values, hss.image_rule_values): which
 * failed rules are due, with the image's filters; the upsert replaces the values of each
 * (image, rule); a retired content's values leave the view; the public coverage and rule-value views are
 * readable by hss_reader and their tables are not.
 */
import { describe, expect, it } from 'vitest';
import { imageRefKey } from '../../src/db/ref-key.js';
import { loadRuleValuesDue, upsertRuleValues } from '../../src/db/rules/values.js';
import { writeImageRules } from '../../src/db/rules/write.js';
import { retireContents, upsertImageRefs, writeImageResults } from '../../src/db/writer/index.js';
import type { ImageListing, ImageRuleValues, RuleResult, Scope } from '../../src/domain.js';
import { createPgStore } from '../../src/sync/pg-store.js';
import { useTestDatabase } from '../helpers/db.js';
import { fetched, listing, RUN1, RUN2, RUN3, risk, scope, T0, T1, T2, T3 } from '../helpers/db-fixtures.js';

const t = useTestDatabase();
const S = scope({ projectId: 'rv' });

const A_OLD = listing({ imageId: 'img-a', imageVersion: 'old', latestScanTime: Date.UTC(2025, 0, 1) });
const A_NEW = listing({ imageId: 'img-a', imageVersion: 'new', instanceId: 'inst-1' });
const B = listing({ imageId: 'img-b', namespace: null, imageName: 'b', imageVersion: 'v1' });
const C = listing({ imageId: 'img-c', imageName: 'c' });

function rule(id: string, scanResult: string, overrides: Partial<RuleResult> = {}): RuleResult {
  return {
    checkName: 'CentOS 7',
    checkType: 'CentOS 7',
    standard: 'hw_standard',
    checkRuleId: id,
    checkRuleName: `rule ${id}`,
    severity: 'High',
    scanResult,
    ...overrides,
  };
}

async function writeRules(at: Date, runId: string, imageId: string, rules: RuleResult[]): Promise<void> {
  await writeImageRules(t.handle, runId, at, [
    {
      scope: S,
      imageId,
      signature: `sig-${imageId}-${at.toISOString()}`,
      mode: 'all',
      rules,
      source: 'ListImageRiskConfigRules',
      scannedAt: null,
    },
  ]);
}

const key = (id: string) => ({
  checkName: 'CentOS 7',
  checkType: 'CentOS 7',
  standard: 'hw_standard',
  checkRuleId: id,
});
const filters = (l: ImageListing) => ({
  imageId: l.imageId,
  namespace: l.namespace,
  imageName: l.imageName,
  imageVersion: l.imageVersion,
  instanceId: l.instanceId,
});
const values = (s: Scope, imageId: string, id: string, current: string): ImageRuleValues => ({
  scope: s,
  imageId,
  key: key(id),
  checkInfoList: [{ checkDescription: 'setting', currentValue: current, suggestValue: 'on' }],
});

async function stored() {
  const res = await t.pool.query(
    `SELECT v.image_id, v.check_rule_id, v.check_info_list, v.fetched_at, v.run_id,
            v.version_id = h.version_id AS answers_open_version
       FROM hss.image_rule_values v
       LEFT JOIN hss.image_rule_history h ON h.rule_result_key = v.rule_result_key AND h.valid_to IS NULL
      WHERE v.project_id = 'rv' ORDER BY v.image_id, v.check_rule_id`,
  );
  return res.rows;
}

describe('per-image rule values', () => {
  it('are due for the failed current rules of present images, with the filters of the latest-scanned tag', async () => {
    await upsertImageRefs(t.handle, S, [A_OLD, A_NEW, B, C], T0);
    await writeImageResults(t.handle, RUN1, T0, [
      fetched(S, 'img-a', [risk()]),
      fetched(S, 'img-b', [risk()]),
      fetched(S, 'img-c', [risk()]),
    ]);
    await writeRules(T0, RUN1, 'img-a', [rule('r3', 'failed'), rule('r1', 'failed'), rule('r2', 'pass')]);
    await writeRules(T0, RUN1, 'img-b', [rule('r1', 'failed'), rule('', 'failed')]);
    await writeRules(T0, RUN1, 'img-c', [rule('r1', 'failed')]);

    expect(await loadRuleValuesDue(t.handle, S)).toEqual([
      { scope: S, image: filters(A_NEW), key: key('r1') },
      { scope: S, image: filters(A_NEW), key: key('r3') },
      { scope: S, image: filters(B), key: key('r1') },
      { scope: S, image: filters(C), key: key('r1') },
    ]);
    expect(await loadRuleValuesDue(t.handle, scope({ projectId: 'rv-other' }))).toEqual([]);
  });

  it('the upsert stores the values with the open version; stored values are no longer due', async () => {
    const store = createPgStore(t.handle);
    await store.upsertRuleValues(RUN1, T1, [
      values(S, 'img-a', 'r1', 'off'),
      values(S, 'img-b', 'r1', 'first'),
      values(S, 'img-b', 'r1', 'last'),
      values(S, 'img-c', 'r1', 'c-off'),
    ]);
    const info = (current: string) => [
      { check_description: 'setting', current_value: current, suggest_value: 'on' },
    ];
    expect(await stored()).toEqual([
      {
        image_id: 'img-a',
        check_rule_id: 'r1',
        check_info_list: info('off'),
        fetched_at: T1,
        run_id: RUN1,
        answers_open_version: true,
      },
      {
        image_id: 'img-b',
        check_rule_id: 'r1',
        check_info_list: info('last'),
        fetched_at: T1,
        run_id: RUN1,
        answers_open_version: true,
      },
      {
        image_id: 'img-c',
        check_rule_id: 'r1',
        check_info_list: info('c-off'),
        fetched_at: T1,
        run_id: RUN1,
        answers_open_version: true,
      },
    ]);
    expect(await store.loadRuleValuesDue(S, null, 500)).toEqual([
      { scope: S, image: filters(A_NEW), key: key('r3') },
    ]);
  });

  it('a new version of a failed rule makes its values due again, and the upsert replaces them', async () => {
    await writeRules(T2, RUN2, 'img-a', [
      rule('r3', 'failed'),
      rule('r1', 'failed', { severity: 'Critical' }),
      rule('r2', 'pass'),
    ]);
    expect(await loadRuleValuesDue(t.handle, S)).toEqual([
      { scope: S, image: filters(A_NEW), key: key('r1') },
      { scope: S, image: filters(A_NEW), key: key('r3') },
    ]);
    await upsertRuleValues(t.handle, RUN3, T3, [
      values(S, 'img-a', 'r1', 'still off'),
      values(S, 'img-a', 'r3', 'x'),
    ]);
    const rows = await stored();
    expect(rows.filter((r) => r.image_id === 'img-a')).toEqual([
      {
        image_id: 'img-a',
        check_rule_id: 'r1',
        check_info_list: [{ check_description: 'setting', current_value: 'still off', suggest_value: 'on' }],
        fetched_at: T3,
        run_id: RUN3,
        answers_open_version: true,
      },
      {
        image_id: 'img-a',
        check_rule_id: 'r3',
        check_info_list: [{ check_description: 'setting', current_value: 'x', suggest_value: 'on' }],
        fetched_at: T3,
        run_id: RUN3,
        answers_open_version: true,
      },
    ]);
    const count = await t.pool.query(`SELECT count(*)::int AS n FROM hss_internal.image_rule_values`);
    expect(count.rows).toEqual([{ n: 4 }]);
    expect(await loadRuleValuesDue(t.handle, S)).toEqual([]);
  });

  it('the values of a retired content leave hss.image_rule_values and are not due', async () => {
    await retireContents(t.handle, S, RUN3, T3, {
      missingImageIds: ['img-c'],
      presentRefKeys: [A_OLD, A_NEW, B].map(imageRefKey),
    });
    expect((await stored()).map((r) => `${r.image_id}/${r.check_rule_id}`)).toEqual([
      'img-a/r1',
      'img-a/r3',
      'img-b/r1',
    ]);
    expect(await loadRuleValuesDue(t.handle, S)).toEqual([]);
  });

  it('hss_reader reads the coverage and rule-value views, not their tables', async () => {
    const client = await t.pool.connect();
    const attempt = async (sql: string) => {
      await client.query('SAVEPOINT a');
      try {
        await client.query(sql);
        return 'ok';
      } catch (err) {
        return (err as { code?: string }).code;
      } finally {
        await client.query('ROLLBACK TO SAVEPOINT a');
      }
    };
    try {
      await client.query('BEGIN; SET LOCAL ROLE hss_reader');
      const answers: (string | undefined)[] = [];
      for (const sql of [
        'SELECT count(*) FROM hss.image_rule_values',
        'SELECT count(*) FROM hss.image_coverage',
        'SELECT coverage FROM hss.sync_runs LIMIT 1',
        'SELECT raw, registry_kind FROM hss.images LIMIT 1',
        'SELECT count(*) FROM hss_internal.image_rule_values',
        'SELECT count(*) FROM hss_internal.content_listing',
      ]) {
        answers.push(await attempt(sql));
      }
      expect(answers).toEqual(['ok', 'ok', 'ok', 'ok', '42501', '42501']);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
