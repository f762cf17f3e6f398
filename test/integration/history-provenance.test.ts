/**
 * The provenance of history versions: scanned_at (the HSS scan time that produced a
 * version) and source_api, set when a version opens, never opening one by themselves, and part of
 * the hash chain (form hss-chain-v2, docs/sql.md "Tamper evidence"): versions written through the
 * simulator carry and verify them; an UPDATE of only one of them, made as the owner, is named by
 * verify; versions of the v1 form (written before) still verify and link to v2 versions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createDb, type DbHandle } from '../../src/db/pool.js';
import { writeImageRules } from '../../src/db/rules/write.js';
import { writeImageResults } from '../../src/db/writer/index.js';
import type { RuleResult } from '../../src/domain.js';
import { captureIo } from '../helpers/capture-io.js';
import { fetched, RUN1, RUN2, RUN3, risk, scope, T0, T1, T2, T3 } from '../helpers/db-fixtures.js';
import { DAY_MS, type SyncWorld, startSyncWorld } from '../helpers/sync-world.js';

type History = 'baseline' | 'rule';
const TABLE: Record<History, string> = {
  baseline: 'hss_internal.image_baseline_history',
  rule: 'hss_internal.image_rule_history',
};
const SCAN_A = Date.UTC(2025, 11, 30, 12, 0, 0, 250);
const SCAN_B = Date.UTC(2025, 11, 31, 12, 0, 0, 0);

async function verifyCli(url: string) {
  const c = captureIo({ DATABASE_URL: url });
  const code = await main(['verify'], c.io);
  return { code, lines: c.out().split('\n').filter(Boolean), err: c.err() };
}

const rule = (o: Partial<RuleResult> = {}): RuleResult =>
  ({
    checkName: 'CentOS 7',
    checkType: 'CentOS 7',
    standard: 'hw_standard',
    checkRuleId: 'R1',
    checkRuleName: 'Password policy',
    severity: 'High',
    scanResult: 'failed',
    ...o,
  }) as RuleResult;

describe('history provenance: scanned_at and source_api', () => {
  let w: SyncWorld;
  let h: DbHandle;

  beforeAll(async () => {
    w = await startSyncWorld({ imagesPerScope: 6, seed: 7, offsetMs: -3 * DAY_MS });
    h = createDb(w.t.url);
    await w.sync();
    w.clock.advance(DAY_MS);
    w.sim.world.rescan(w.sim.world.scopes()[0]!, 2);
    await w.sync();
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await w?.close();
  });

  it('versions written through the simulator carry the scan time and the API, and verify', async () => {
    // The versions opened by each image's latest fetch carry that fetch's scan time.
    const b = await w.t.pool.query(
      `select count(*)::int as versions,
              count(*) filter (where source_api = 'ListImageRiskConfigs')::int as sourced,
              count(*) filter (where h.scanned_at = c.fetched_scan_time)::int as scan_of_fetch
         from hss_internal.image_baseline_history h
         join hss_internal.image_contents c using (project_id, enterprise_project_id, image_type, image_id)
        where h.valid_from = c.fetched_at`,
    );
    const n = b.rows[0].versions as number;
    expect(n).toBeGreaterThan(0);
    expect(b.rows[0]).toEqual({ versions: n, sourced: n, scan_of_fetch: n });
    const nulls = await w.t.pool.query(
      `select count(*)::int as n from hss_internal.image_baseline_history where scanned_at is null`,
    );
    expect(nulls.rows).toEqual([{ n: 0 }]);
    const r = await w.t.pool.query(
      `select source_api, count(*)::int as n from hss_internal.image_rule_history group by 1`,
    );
    expect(r.rows).toEqual([{ source_api: 'ListImageRiskConfigRules', n: expect.any(Number) }]);
    expect(await verifyCli(w.t.url)).toMatchObject({ code: 0, err: '' });
  });

  it('a new scan time or API alone opens no version; a value change opens one with its provenance', async () => {
    const s = scope({ projectId: 'prov' });
    const item = (
      scanMs: number | null,
      failed: number,
      source: 'ListImageRiskConfigs' | 'ListCheckRulesInfo',
    ) => {
      const it = fetched(s, 'prov:a', [risk({ failedRuleNum: failed })]);
      return { ...it, signal: { ...it.signal, latestScanTime: scanMs }, source };
    };
    expect(await writeImageResults(h, RUN1, T0, [item(SCAN_A, 2, 'ListImageRiskConfigs')])).toEqual({
      versionsOpened: 1,
      versionsClosed: 0,
    });
    expect(await writeImageResults(h, RUN2, T1, [item(SCAN_B, 2, 'ListCheckRulesInfo')])).toEqual({
      versionsOpened: 0,
      versionsClosed: 0,
    });
    expect(await writeImageResults(h, RUN2, T2, [item(SCAN_B, 3, 'ListCheckRulesInfo')])).toEqual({
      versionsOpened: 1,
      versionsClosed: 1,
    });
    // latest_scan_time 0 (waiting_for_scan) is "never": NULL, not 1970.
    await writeImageResults(h, RUN3, T3, [item(0, 4, 'ListImageRiskConfigs')]);
    const rows = await w.t.pool.query(
      `select failed_rule_num, scanned_at, source_api from ${TABLE.baseline}
        where project_id = 'prov' order by valid_from`,
    );
    expect(rows.rows).toEqual([
      { failed_rule_num: 2, scanned_at: new Date(SCAN_A), source_api: 'ListImageRiskConfigs' },
      { failed_rule_num: 3, scanned_at: new Date(SCAN_B), source_api: 'ListCheckRulesInfo' },
      { failed_rule_num: 4, scanned_at: null, source_api: 'ListImageRiskConfigs' },
    ]);

    const rules = (
      scannedAt: number | null,
      scanResult: string,
      source: 'ListImageRiskConfigRules' | 'ListCheckRulesInfo',
    ) => ({
      scope: s,
      imageId: 'prov:a',
      signature: 'sig',
      mode: 'all' as const,
      rules: [rule({ scanResult })],
      source,
      scannedAt,
    });
    expect(await writeImageRules(h, RUN1, T0, [rules(SCAN_A, 'failed', 'ListImageRiskConfigRules')])).toEqual(
      {
        versionsOpened: 1,
        versionsClosed: 0,
      },
    );
    expect(await writeImageRules(h, RUN2, T1, [rules(SCAN_B, 'failed', 'ListCheckRulesInfo')])).toEqual({
      versionsOpened: 0,
      versionsClosed: 0,
    });
    expect(await writeImageRules(h, RUN2, T2, [rules(null, 'passed', 'ListCheckRulesInfo')])).toEqual({
      versionsOpened: 1,
      versionsClosed: 1,
    });
    const ruleRows = await w.t.pool.query(
      `select scan_result, scanned_at, source_api from ${TABLE.rule} where project_id = 'prov' order by valid_from`,
    );
    expect(ruleRows.rows).toEqual([
      { scan_result: 'failed', scanned_at: new Date(SCAN_A), source_api: 'ListImageRiskConfigRules' },
      { scan_result: 'passed', scanned_at: null, source_api: 'ListCheckRulesInfo' },
    ]);
    expect(await verifyCli(w.t.url)).toMatchObject({ code: 0, err: '' });
  });

  for (const history of ['baseline', 'rule'] as const) {
    for (const [column, tamper] of [
      ['scanned_at', `coalesce(scanned_at, '2026-01-01T00:00:00Z') + interval '1 second'`],
      ['source_api', `'ListCheckRulesInfo-x'`],
    ] as const) {
      it(`${history}: an UPDATE of only ${column} made as the owner is named by key and version`, async () => {
        const target = await w.t.pool.query<{ version_id: string; image_id: string; old: unknown }>(
          `select version_id::text, image_id, ${column} as old from ${TABLE[history]}
            where project_id = $1 order by version_id limit 1`,
          [w.project],
        );
        const v = target.rows[0]!;
        await w.t.pool.query(`update ${TABLE[history]} set ${column} = ${tamper} where version_id = $1`, [
          v.version_id,
        ]);
        const run = await verifyCli(w.t.url);
        expect(run.code).toBe(2);
        expect(run.lines).toHaveLength(2);
        expect(run.lines[0]).toContain(`${history} project_id="${w.project}"`);
        expect(run.lines[0]).toContain(`image_id=${JSON.stringify(v.image_id)}`);
        expect(run.lines[0]).toMatch(
          new RegExp(
            `\\(version_id ${v.version_id}\\): chain_hash does not match the version \\(expected [0-9a-f]{64}, found [0-9a-f]{64}\\): it was changed after it was written$`,
          ),
        );
        expect(run.lines[1]).toMatch(/^verify BROKEN .* broken=1 /);
        await w.t.pool.query(`update ${TABLE[history]} set ${column} = $2 where version_id = $1`, [
          v.version_id,
          v.old,
        ]);
        expect((await verifyCli(w.t.url)).code).toBe(0);
      });
    }
  }

  it('versions of the v1 form (no provenance, written before) verify and link to v2 versions', async () => {
    const key = `'old', '0', 'private_image', 'old:a', 'CentOS 7', 'CentOS 7', 'hw_standard'`;
    const cols = `project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard,
      severity, check_rule_num, failed_rule_num, check_type_desc`;
    // A version written before provenance existed (no scanned_at, no source_api: form v1), closed after.
    const first = await w.t.pool.query<{ chain_hash: Buffer; version_id: string }>(
      `insert into ${TABLE.baseline} (${cols}, valid_from, valid_to, opened_run_id, closed_run_id, prev_hash, chain_hash)
       select ${key}, 'High', 20, 2, 'd', $1::timestamptz, $2::timestamptz, $3::uuid, $4::uuid, null,
         hss_internal.chain_close(hss_internal.baseline_version_hash(null, ${key}, 'High', 20, 2, 'd',
           $1::timestamptz, $3::uuid, null, null), $2::timestamptz, $4::uuid)
       returning chain_hash, version_id::text`,
      [T0, T1, RUN1, RUN2],
    );
    const old = first.rows[0]!;
    await w.t.pool.query(
      `insert into ${TABLE.baseline} (${cols}, valid_from, opened_run_id, scanned_at, source_api, prev_hash, chain_hash)
       select ${key}, 'High', 20, 3, 'd', $1::timestamptz, $2::uuid, $3::timestamptz, 'ListImageRiskConfigs', $4::bytea,
         hss_internal.baseline_version_hash($4::bytea, ${key}, 'High', 20, 3, 'd', $1::timestamptz, $2::uuid,
           $3::timestamptz, 'ListImageRiskConfigs')`,
      [T1, RUN2, new Date(SCAN_A), old.chain_hash],
    );
    expect(await verifyCli(w.t.url)).toMatchObject({ code: 0, err: '' });
    // Provenance added to an old version afterwards is a change like any other.
    await w.t.pool.query(
      `update ${TABLE.baseline} set source_api = 'ListImageRiskConfigs' where version_id = $1`,
      [old.version_id],
    );
    const run = await verifyCli(w.t.url);
    expect(run.code).toBe(2);
    expect(run.lines[0]).toContain(`(version_id ${old.version_id}): chain_hash does not match the version`);
    await w.t.pool.query(`update ${TABLE.baseline} set source_api = null where version_id = $1`, [
      old.version_id,
    ]);
    expect((await verifyCli(w.t.url)).code).toBe(0);
  });
});
