/**
 * The as-of digest through the real CLI (docs/audit.md): a report's manifest carries the digest
 * of the histories at its instant T, `verify --as-of T` recomputes the same one, further syncs
 * after T leave it unchanged, and every owner-level rewrite of what began by T that the chain
 * alone cannot see (tail truncation, a forged key, a forward rewrite, a whole key deleted) makes
 * `verify --as-of T --expect <digest>` exit 2. A rewrite of a version that began after T is not
 * seen: the digest's documented limit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { captureIo } from '../helpers/capture-io.js';
import { newOutDir, runReport } from '../helpers/report-world.js';
import { type SyncWorld, startSyncWorld } from '../helpers/sync-world.js';

const HOUR = 3_600_000;
const H = 'hss_internal.image_baseline_history';
const SCOPE = { enterpriseProjectId: '0', imageType: 'private_image' as const };

async function runVerify(url: string, args: string[]) {
  const cap = captureIo({ DATABASE_URL: url });
  const code = await main(['verify', ...args], cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

// Recomputes a key's chain forward from its first version, as an owner who rewrote one would.
const RECHAIN = `
DO $$
DECLARE v record; prev bytea := NULL; open bytea; sealed bytea;
BEGIN
  FOR v IN SELECT * FROM ${H} WHERE result_key = '%KEY%'::uuid ORDER BY valid_from LOOP
    open := hss_internal.baseline_version_hash(prev, v.project_id, v.enterprise_project_id, v.image_type,
      v.image_id, v.check_name, v.check_type, v.standard, v.severity, v.check_rule_num, v.failed_rule_num,
      v.check_type_desc, v.valid_from, v.opened_run_id, v.scanned_at, v.source_api);
    sealed := CASE WHEN v.valid_to IS NULL THEN open ELSE hss_internal.chain_close(open, v.valid_to, v.closed_run_id) END;
    UPDATE ${H} SET prev_hash = prev, chain_hash = sealed WHERE version_id = v.version_id;
    prev := sealed;
  END LOOP;
END $$`;

describe('the as-of digest of a report and of verify', () => {
  let w: SyncWorld;
  let asOf: string;
  let digest: string;
  let plainDigest: string;

  /** Runs `tamper` as the owner, then restores the histories as they were. */
  async function tampered(tamper: string[], check: () => Promise<void>): Promise<void> {
    const client = await w.t.pool.connect();
    try {
      await client.query('CREATE TABLE public.bk AS SELECT * FROM hss_internal.image_baseline_history');
      for (const sql of tamper) await client.query(sql);
      await check();
    } finally {
      const cols = await client.query<{ c: string }>(
        `SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) AS c FROM information_schema.columns
          WHERE table_schema = 'hss_internal' AND table_name = 'image_baseline_history' AND is_generated = 'NEVER'`,
      );
      const c = cols.rows[0]!.c;
      await client.query(`DELETE FROM ${H}`);
      await client.query(`INSERT INTO ${H} (${c}) OVERRIDING SYSTEM VALUE SELECT ${c} FROM public.bk`);
      await client.query('DROP TABLE public.bk');
      client.release();
    }
    const again = await runVerify(w.t.url, ['--as-of', asOf, '--expect', digest]);
    expect([again.code, again.err]).toEqual([0, '']);
  }

  /** A key with at least two versions, all begun by T: its newest and the one before. */
  async function keyWithHistory(): Promise<{ key: string; newest: string; before: string }> {
    const r = await w.t.pool.query<{ key: string; ids: string[] }>(
      `SELECT result_key::text AS key, array_agg(version_id::text ORDER BY valid_from DESC) AS ids FROM ${H}
        GROUP BY result_key HAVING count(*) >= 2 AND max(valid_from) <= $1::timestamptz ORDER BY 1 LIMIT 1`,
      [asOf],
    );
    expect(r.rows).toHaveLength(1);
    return { key: r.rows[0]!.key, newest: r.rows[0]!.ids[0]!, before: r.rows[0]!.ids[1]! };
  }

  async function expectDiffers(): Promise<void> {
    const plain = await runVerify(w.t.url, []);
    // The chain alone holds: each rewrite here recomputed the hashes it touched.
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/^verify intact /);
    const r = await runVerify(w.t.url, ['--as-of', asOf, '--expect', digest]);
    expect(r.code).toBe(2);
    const found = /as_of_digest=([0-9a-f]{64})/.exec(r.out)?.[1];
    expect(found).toBeDefined();
    expect(found).not.toBe(digest);
    expect(r.err).toBe(
      `hss-baseline-sync verify: the history as of ${asOf} differs from the digest expected (expected ${digest}, found ${found}): a version that began at or before it was changed, deleted or inserted since that digest was taken\n`,
    );
  }

  beforeAll(async () => {
    w = await startSyncWorld({ imagesPerScope: 8, seed: 21, offsetMs: -2 * 24 * HOUR });
    const scope = { projectId: w.project, ...SCOPE };
    await w.sync();
    for (let i = 0; i < 2; i++) {
      w.clock.advance(HOUR);
      w.sim.world.rescan(scope, [...w.sim.world.groundTruth(scope).keys()].slice(0, 3));
      await w.sync();
    }
    w.clock.advance(HOUR);
    asOf = new Date(w.clock.now()).toISOString().replace('Z', '123Z');
    const dir = newOutDir();
    const r = await runReport(w.t.url, ['--as-of', asOf, '--out', dir]);
    expect([r.code, r.err]).toEqual([0, '']);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.as_of).toBe(asOf);
    expect(manifest.as_of_digest.form).toBe('hss-asof-v1');
    digest = manifest.as_of_digest.sha256;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const keys = await w.t.pool.query<{ b: number; r: number }>(
      `SELECT (SELECT count(DISTINCT result_key) FROM ${H})::int AS b,
              (SELECT count(DISTINCT rule_result_key) FROM hss_internal.image_rule_history)::int AS r`,
    );
    expect(manifest.as_of_digest.keys).toEqual({ baseline: keys.rows[0]!.b, rule: keys.rows[0]!.r });
    expect(keys.rows[0]!.r).toBeGreaterThan(0);
    plainDigest = /digest=([0-9a-f]{64})/.exec((await runVerify(w.t.url, [])).out)![1]!;
  });

  afterAll(async () => {
    await w?.close();
  });

  it("verify --as-of T prints the report manifest's digest of T and exits 0 with --expect", async () => {
    const r = await runVerify(w.t.url, ['--as-of', asOf, '--expect', digest]);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(new RegExp(` as_of=${asOf.replace(/\./g, '\\.')} as_of_digest=${digest}\\n$`));
    const json = await runVerify(w.t.url, ['--as-of', asOf, '--json']);
    expect(JSON.parse(json.out).asOf).toMatchObject({ form: 'hss-asof-v1', digest });
  });

  it('an owner-level tail truncation (newest version deleted, the one before reopened) exits 2', async () => {
    const k = await keyWithHistory();
    await tampered(
      [
        `DELETE FROM ${H} WHERE version_id = ${k.newest}`,
        `UPDATE ${H} SET valid_to = NULL, closed_run_id = NULL WHERE version_id = ${k.before}`,
        RECHAIN.replace('%KEY%', k.key),
      ],
      expectDiffers,
    );
  });

  it('an owner-level forged key with a correct hash, begun before T, exits 2', async () => {
    await tampered(
      [
        `INSERT INTO ${H} (project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard,
           severity, check_rule_num, failed_rule_num, check_type_desc, valid_from, opened_run_id, prev_hash, chain_hash)
         SELECT project_id, enterprise_project_id, image_type, 'sha256:forged', check_name, check_type, standard,
           severity, 9, 0, check_type_desc, valid_from, opened_run_id, NULL,
           hss_internal.baseline_version_hash(NULL, project_id, enterprise_project_id, image_type, 'sha256:forged',
             check_name, check_type, standard, severity, 9, 0, check_type_desc, valid_from, opened_run_id, NULL, NULL)
         FROM ${H} ORDER BY version_id LIMIT 1`,
      ],
      expectDiffers,
    );
  });

  it('an owner-level forward rewrite (an old version changed, the chain recomputed forward) exits 2', async () => {
    const k = await keyWithHistory();
    await tampered(
      [
        `UPDATE ${H} SET failed_rule_num = coalesce(failed_rule_num, 0) + 1 WHERE version_id = ${k.before}`,
        RECHAIN.replace('%KEY%', k.key),
      ],
      expectDiffers,
    );
  });

  it('an owner-level delete of a whole key exits 2', async () => {
    const k = await keyWithHistory();
    await tampered([`DELETE FROM ${H} WHERE result_key = '${k.key}'`], expectDiffers);
  });

  it('an owner-level cut of every key after an instant before T (the chains recomputed) exits 2', async () => {
    const cut = `(SELECT max(valid_from) - interval '1 millisecond' FROM ${H})`;
    await tampered(
      [
        `CREATE TABLE public.cut AS SELECT ${cut} AS at`,
        `DELETE FROM ${H} WHERE valid_from > (SELECT at FROM public.cut)`,
        `UPDATE ${H} SET valid_to = NULL, closed_run_id = NULL WHERE valid_to > (SELECT at FROM public.cut)`,
        `DROP TABLE public.cut`,
        RECHAIN.replace("result_key = '%KEY%'::uuid", 'result_key = k')
          .replace(
            'BEGIN\n  FOR v',
            `BEGIN FOR k IN SELECT DISTINCT result_key FROM ${H} LOOP prev := NULL;\n  FOR v`,
          )
          .replace('END LOOP;\nEND $$', () => 'END LOOP; END LOOP;\nEND $$')
          .replace('DECLARE v record;', 'DECLARE k uuid; v record;'),
      ],
      expectDiffers,
    );
  });

  it('syncs after T change the plain digest but not the digest of T; a rewrite after T is not seen', async () => {
    const scope = { projectId: w.project, ...SCOPE };
    w.clock.advance(HOUR);
    w.sim.world.rescan(scope, [...w.sim.world.groundTruth(scope).keys()].slice(0, 3));
    await w.sync();
    const r = await runVerify(w.t.url, ['--as-of', asOf, '--expect', digest]);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(/ digest=([0-9a-f]{64})/.exec(r.out)![1]).not.toBe(plainDigest);
    // What it cannot prove: a version that began after T, rewritten with its chain recomputed.
    const after = await w.t.pool.query<{ key: string; id: string }>(
      `SELECT result_key::text AS key, version_id::text AS id FROM ${H} WHERE valid_from > $1::timestamptz
        ORDER BY version_id LIMIT 1`,
      [asOf],
    );
    expect(after.rows).toHaveLength(1);
    const { key, id } = after.rows[0]!;
    await tampered(
      [
        `UPDATE ${H} SET failed_rule_num = coalesce(failed_rule_num, 0) + 7 WHERE version_id = ${id}`,
        RECHAIN.replace('%KEY%', key),
      ],
      async () => {
        const v = await runVerify(w.t.url, ['--as-of', asOf, '--expect', digest]);
        expect([v.code, v.err]).toEqual([0, '']);
      },
    );
  });

  it('once retention deleted the versions in force at T, verify --as-of T and report exit 66, never "equal"', async () => {
    // The last sync closed, after T, versions that were in force at T; a cutoff after every
    // instant deletes them (their successors began after T).
    await w.t.pool.query(`SELECT hss_internal.prune_history(now() + interval '10 days', now())`);
    const r = await runVerify(w.t.url, ['--as-of', asOf, '--expect', digest]);
    expect(r.code).toBe(66);
    expect(r.err).toMatch(
      new RegExp(
        `^hss-baseline-sync verify: the history as of ${asOf.replace(/\./g, '\\.')} is no longer whole: retention \\(HSS_HISTORY_RETENTION_DAYS\\) deleted the version in force then of \\d+ keys?, so its digest cannot be recomputed\\n$`,
      ),
    );
    const dir = newOutDir();
    const rep = await runReport(w.t.url, ['--as-of', asOf, '--out', dir]);
    expect(rep.code).toBe(66);
    expect(rep.err).toContain(': nothing was written');
  });

  it.each([
    [['--expect', 'a'.repeat(64)], '--expect needs --as-of: the instant the digest was taken at'],
    [
      ['--as-of', '2026-03-01T00:00:00Z', '--expect', 'abc'],
      '--expect "abc" is not a SHA-256 in hex (64 characters 0-9, a-f)',
    ],
    [['--as-of', '2026-03-01T00:00:00.0000001Z'], 'is finer than a microsecond'],
    [['--as-of', '2999-01-01T00:00:00Z'], "--as-of 2999-01-01T00:00:00Z is later than the database's clock"],
  ])('verify %j: exit 64, one line', async (args, message) => {
    const r = await runVerify(w.t.url, args);
    expect([r.code, r.out]).toEqual([64, '']);
    expect(r.err).toContain(message);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });
});
