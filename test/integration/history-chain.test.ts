/**
 * The tamper-evident history (docs/sql.md, "Tamper evidence"): a history built through the
 * simulator over HTTP verifies; an UPDATE, a DELETE of a middle version and an inserted version,
 * each made as the owner, are named by key and version; verify works as a login in hss_reader;
 * history retention leaves a chain that still verifies.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli.js';
import { applyRetention, retentionCutoffs } from '../../src/db/retention.js';
import { RESULT_KEY_COLUMNS, RULE_RESULT_KEY_COLUMNS } from '../../src/db/schema/index.js';
import { verifyChain } from '../../src/verify/chain.js';
import { captureIo } from '../helpers/capture-io.js';
import { DAY_MS, type SyncWorld, startSyncWorld } from '../helpers/sync-world.js';

type History = 'baseline' | 'rule';
const TABLE: Record<History, string> = {
  baseline: 'hss_internal.image_baseline_history',
  rule: 'hss_internal.image_rule_history',
};
const KEY: Record<History, string> = { baseline: 'result_key', rule: 'rule_result_key' };
const KEY_COLUMNS: Record<History, readonly string[]> = {
  baseline: RESULT_KEY_COLUMNS,
  rule: RULE_RESULT_KEY_COLUMNS,
};
// The open hash of a version as the migration's SQL functions compute it (apart from verify's code).
const OPEN_HASH: Record<History, string> = {
  baseline: `hss_internal.baseline_version_hash(prev_hash, project_id, enterprise_project_id, image_type, image_id,
    check_name, check_type, standard, severity, check_rule_num, failed_rule_num, check_type_desc, valid_from, opened_run_id,
    scanned_at, source_api)`,
  rule: `hss_internal.rule_version_hash(prev_hash, project_id, enterprise_project_id, image_type, image_id,
    check_name, check_type, standard, check_rule_id, check_rule_name, severity, scan_result, valid_from, opened_run_id,
    scanned_at, source_api)`,
};

interface Version {
  version_id: string;
  key: string;
  valid_from: string;
  prev: string | null;
  chain: string | null;
  /** The chain hash the SQL functions give the version as it is stored now. */
  recomputed: string | null;
  [column: string]: unknown;
}

/** Every version of `history` in key and valid_from order (as the owner). */
async function versions(w: SyncWorld, history: History): Promise<Version[]> {
  const r = await w.t.pool.query<Version>(
    `select version_id::text, ${KEY[history]}::text as key, ${KEY_COLUMNS[history].join(', ')},
            to_char(valid_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as valid_from,
            encode(prev_hash, 'hex') as prev, encode(chain_hash, 'hex') as chain,
            encode(case when valid_to is null then ${OPEN_HASH[history]}
                        else hss_internal.chain_close(${OPEN_HASH[history]}, valid_to, closed_run_id) end, 'hex') as recomputed
       from ${TABLE[history]} order by ${KEY[history]}, valid_from`,
  );
  return r.rows;
}

/** The versions grouped by key, keys with at least `n` versions. */
function chainsOf(vs: Version[], n: number): Version[][] {
  const by = new Map<string, Version[]>();
  for (const v of vs) by.set(v.key, [...(by.get(v.key) ?? []), v]);
  return [...by.values()].filter((c) => c.length >= n);
}

/** How verify names a version. */
function named(history: History, v: Version): string {
  const key = KEY_COLUMNS[history].map((c) => `${c}=${JSON.stringify(v[c])}`).join(' ');
  return `${history} ${key} valid_from=${v.valid_from} (version_id ${v.version_id})`;
}

async function verifyCli(url: string, args: string[] = []) {
  const c = captureIo({ DATABASE_URL: url });
  const code = await main(['verify', ...args], c.io);
  return { code, lines: c.out().split('\n').filter(Boolean), err: c.err() };
}

/** Counts of both histories (as the owner), optionally only versions open or closed since `since`. */
async function counts(w: SyncWorld, since?: Date) {
  const out: Record<string, { versions: number; keys: number }> = {};
  for (const h of ['baseline', 'rule'] as const) {
    const r = await w.t.pool.query<{ versions: number; keys: number }>(
      `select count(*)::int as versions, count(distinct ${KEY[h]})::int as keys from ${TABLE[h]}
        where $1::timestamptz is null or valid_to is null or valid_to >= $1`,
      [since ?? null],
    );
    out[h] = r.rows[0]!;
  }
  return out as Record<History, { versions: number; keys: number }>;
}

const summaryOf = (c: Record<History, { versions: number; keys: number }>, broken: number) =>
  new RegExp(
    `^verify ${broken === 0 ? 'intact' : 'BROKEN'} versions=${c.baseline.versions + c.rule.versions} keys=${c.baseline.keys + c.rule.keys} broken=${broken} baseline=${c.baseline.versions}/${c.baseline.keys} rule=${c.rule.versions}/${c.rule.keys} digest=[0-9a-f]{64}$`,
  );

/** Deletes version `id` of `history`; returns a function that puts it back as it was. */
async function deleteVersion(w: SyncWorld, history: History, id: string): Promise<() => Promise<void>> {
  const gone = await w.t.pool.query(`delete from ${TABLE[history]} where version_id = $1 returning *`, [id]);
  const row = gone.rows[0] as Record<string, unknown>;
  const cols = Object.keys(row).filter((c) => !['result_key', 'rule_result_key', 'rule_key'].includes(c));
  return async () => {
    await w.t.pool.query(
      `insert into ${TABLE[history]} (${cols.join(', ')}) overriding system value
       select ${cols.join(', ')} from json_populate_record(null::${TABLE[history]}, $1)`,
      [
        JSON.stringify(
          Object.fromEntries(
            cols.map((c) => [
              c,
              row[c] instanceof Buffer ? `\\x${(row[c] as Buffer).toString('hex')}` : row[c],
            ]),
          ),
        ),
      ],
    );
  };
}

describe('the tamper-evident history and verify', () => {
  let w: SyncWorld;
  let url: string;

  beforeAll(async () => {
    w = await startSyncWorld({ imagesPerScope: 12, seed: 5, offsetMs: -10 * DAY_MS });
    url = w.t.url;
    const scope = w.sim.world.scopes()[0]!;
    await w.sync();
    const often = [...w.sim.world.groundTruth(scope).keys()].slice(0, 2);
    for (let d = 0; d < 6; d++) {
      w.clock.advance(DAY_MS);
      // Two images rescanned every day (keys with many versions, rules that come and go), a few
      // more at random, and on the fourth day one image gone (its versions closed by retirement).
      w.sim.world.rescan(scope, often);
      w.sim.world.rescan(scope, 3);
      if (d === 3) w.sim.world.removeImage(scope, [...w.sim.world.groundTruth(scope).keys()].at(-1)!);
      await w.sync();
    }
  }, 180_000);

  afterAll(async () => {
    await w?.close();
  });

  it('a history with several versions per key verifies: exit 0 and exact counts', async () => {
    expect(chainsOf(await versions(w, 'baseline'), 4).length).toBeGreaterThan(0);
    expect(chainsOf(await versions(w, 'rule'), 3).length).toBeGreaterThan(0);
    // Every version carries the hash the SQL functions give it, and links to the one before.
    for (const h of ['baseline', 'rule'] as const) {
      const vs = await versions(w, h);
      expect(vs.filter((v) => v.chain === null || v.chain !== v.recomputed)).toEqual([]);
      for (const chain of chainsOf(vs, 1))
        expect(chain.map((v) => v.prev)).toEqual([null, ...chain.slice(0, -1).map((v) => v.chain)]);
    }
    const c = await counts(w);
    const run = await verifyCli(url);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatch(summaryOf(c, 0));
    // Pages of 7 rows give the same answer as one page.
    const paged = await verifyChain(w.t.pool, { pageSize: 7 });
    const whole = await verifyChain(w.t.pool);
    expect(paged).toEqual(whole);
    expect(whole).toMatchObject({
      intact: true,
      versions: c.baseline.versions + c.rule.versions,
      brokenCount: 0,
      broken: [],
      histories: { baseline: { ...c.baseline, broken: 0 }, rule: { ...c.rule, broken: 0 } },
    });
  });

  it('a re-sync with nothing changed leaves the chain as it was', async () => {
    const before = await verifyChain(w.t.pool);
    await w.sync();
    expect(await verifyChain(w.t.pool)).toEqual(before);
  });

  for (const history of ['baseline', 'rule'] as const) {
    const valueColumn =
      history === 'baseline' ? 'failed_rule_num = failed_rule_num + 1' : `scan_result = 'passed'`;
    const undo = history === 'baseline' ? 'failed_rule_num = failed_rule_num - 1' : `scan_result = 'failed'`;

    it(`${history}: an UPDATE of a value made as the owner is named by key and version`, async () => {
      const chain = chainsOf(await versions(w, history), 3)[0]!;
      const target = chain[1]!;
      expect(target[history === 'rule' ? 'check_rule_id' : 'image_id']).toBeTruthy();
      if (history === 'rule') {
        const sr = await w.t.pool.query(`select scan_result from ${TABLE.rule} where version_id = $1`, [
          target.version_id,
        ]);
        expect(sr.rows).toEqual([{ scan_result: 'failed' }]);
      }
      await w.t.pool.query(`update ${TABLE[history]} set ${valueColumn} where version_id = $1`, [
        target.version_id,
      ]);
      const tampered = (await versions(w, history)).find((v) => v.version_id === target.version_id)!;
      expect(tampered.recomputed).not.toBe(target.chain);
      const run = await verifyCli(url);
      expect(run.code).toBe(2);
      expect(run.lines).toEqual([
        `${named(history, target)}: chain_hash does not match the version (expected ${tampered.recomputed}, found ${target.chain}): it was changed after it was written`,
        expect.stringMatching(summaryOf(await counts(w), 1)),
      ]);
      await w.t.pool.query(`update ${TABLE[history]} set ${undo} where version_id = $1`, [target.version_id]);
      expect((await verifyCli(url)).code).toBe(0);
    });

    it(`${history}: a DELETE of a middle version made as the owner is named at the version after it`, async () => {
      const chain = chainsOf(await versions(w, history), 3)[0]!;
      const [before, middle, after] = chain as [Version, Version, Version];
      const restore = await deleteVersion(w, history, middle.version_id);
      const run = await verifyCli(url);
      expect(run.code).toBe(2);
      expect(run.lines).toEqual([
        `${named(history, after)}: prev_hash does not link to the version of ${before.valid_from} (expected ${before.chain}, found ${middle.chain}): a version between them was deleted or inserted`,
        expect.stringMatching(summaryOf(await counts(w), 1)),
      ]);
      await restore();
      expect((await verifyCli(url)).code).toBe(0);
    });

    it(`${history}: an inserted version made as the owner is named, and so is the version after it`, async () => {
      const first = chainsOf(await versions(w, history), 2)[0]![0]!;
      // A forged version before the key's first, carrying the first one's hashes.
      const forged = await w.t.pool.query<{ version_id: string }>(
        `insert into ${TABLE[history]} (${KEY_COLUMNS[history].join(', ')}, ${history === 'baseline' ? 'severity, check_rule_num, failed_rule_num' : 'check_rule_name, severity, scan_result'},
           valid_from, valid_to, opened_run_id, closed_run_id, prev_hash, chain_hash)
         select ${KEY_COLUMNS[history].join(', ')}, ${history === 'baseline' ? 'severity, check_rule_num, 0' : `check_rule_name, severity, 'passed'`},
           valid_from - interval '1 day', valid_from, opened_run_id, opened_run_id, prev_hash, chain_hash
           from ${TABLE[history]} where version_id = $1
         returning version_id::text`,
        [first.version_id],
      );
      const f = (await versions(w, history)).find((v) => v.version_id === forged.rows[0]!.version_id)!;
      const run = await verifyCli(url);
      expect(run.code).toBe(2);
      expect(run.lines).toEqual([
        `${named(history, f)}: chain_hash does not match the version (expected ${f.recomputed}, found ${first.chain}): it was changed after it was written`,
        `${named(history, first)}: prev_hash does not link to the version of ${f.valid_from} (expected ${first.chain}, found none): a version between them was deleted or inserted`,
        expect.stringMatching(summaryOf(await counts(w), 2)),
      ]);
      await w.t.pool.query(`delete from ${TABLE[history]} where version_id = $1`, [f.version_id]);
      expect((await verifyCli(url)).code).toBe(0);
    });
  }

  it('verify works as a login granted only hss_reader, and --json says the same', async () => {
    const login = `hss_test_verify_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(9).toString('hex');
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    try {
      await admin.query(`create role ${login} login password '${password}' in role hss_reader`);
      const reader = new URL(url);
      reader.username = login;
      reader.password = password;
      const run = await verifyCli(reader.toString(), ['--json']);
      expect(run).toMatchObject({ code: 0, err: '' });
      const report = JSON.parse(run.lines.join('\n'));
      const c = await counts(w);
      expect(report).toEqual({ ...(await verifyChain(w.t.pool)), since: null });
      expect(report).toMatchObject({ intact: true, histories: { baseline: c.baseline, rule: c.rule } });
    } finally {
      await admin.query(`drop role if exists ${login}`);
      await admin.end();
    }
  });

  it('--since checks only the versions still open or closed since the instant', async () => {
    const since = new Date(w.clock.now() - 2.5 * DAY_MS);
    const c = await counts(w, since);
    expect(c.baseline.versions).toBeLessThan((await counts(w)).baseline.versions);
    const run = await verifyCli(url, ['--since', since.toISOString()]);
    expect(run.code).toBe(0);
    expect(run.lines[0]).toMatch(
      new RegExp(
        summaryOf(c, 0).source.replace(
          ' digest=',
          ` since=${since.toISOString().replace(/\./g, '\\.')} digest=`,
        ),
      ),
    );
    const bad = await verifyCli(url, ['--since', '2026-03-01T00:00:00']);
    expect(bad.code).toBe(64);
    expect(bad.err).toContain('--since "2026-03-01T00:00:00" is not an ISO 8601 instant');
  });

  it('history retention leaves a chain that verifies, starting at the anchors it records', async () => {
    const at = new Date(w.clock.now());
    const policy = { days: null, historyDays: 3 };
    const cutoff = retentionCutoffs(at, policy).historyBefore!;
    const doomed = await w.t.pool.query<{ n: number; keys: number }>(
      `select count(*)::int as n, count(distinct result_key)::int as keys from ${TABLE.baseline} where valid_to < $1`,
      [cutoff],
    );
    expect(doomed.rows[0]!.n).toBeGreaterThan(0);
    const lastPruned = await w.t.pool.query<{ key: string; chain: string }>(
      `select distinct on (result_key) result_key::text as key, encode(chain_hash, 'hex') as chain
         from ${TABLE.baseline} where valid_to < $1 order by result_key, valid_from desc`,
      [cutoff],
    );
    expect((await applyRetention(w.app.db, at, policy)).versions).toBe(doomed.rows[0]!.n);
    const anchors = await w.t.pool.query<{ key: string; chain: string }>(
      `select key::text, encode(chain_hash, 'hex') as chain from hss_internal.history_chain_anchors
        where history = 'baseline' order by key`,
    );
    expect(anchors.rows).toEqual(lastPruned.rows);
    expect(anchors.rows).toHaveLength(doomed.rows[0]!.keys);
    const run = await verifyCli(url);
    expect(run.code).toBe(0);
    expect(run.lines[0]).toMatch(summaryOf(await counts(w), 0));

    // Deleting the first version left of an anchored key is still seen at the version after it.
    const anchored = new Map(anchors.rows.map((a) => [a.key, a.chain]));
    const chain = chainsOf(await versions(w, 'baseline'), 2).find((c) => anchored.has(c[0]!.key))!;
    const [firstLeft, next] = chain as [Version, Version];
    expect(firstLeft.prev).toBe(anchored.get(firstLeft.key));
    const restore = await deleteVersion(w, 'baseline', firstLeft.version_id);
    const broken = await verifyCli(url);
    expect(broken.code).toBe(2);
    expect(broken.lines[0]).toBe(
      `${named('baseline', next)}: prev_hash does not start the key's chain (expected ${firstLeft.prev}, found ${firstLeft.chain}): a version before it was deleted`,
    );
    await restore();
    expect((await verifyCli(url)).code).toBe(0);
  });
});
