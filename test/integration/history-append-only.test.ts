/**
 * The histories are append-only for the worker's login (docs/audit.md): as a login granted only
 * hss_writer, syncs write and close versions and retention prunes, but every statement that would
 * change, delete or forge history is refused by the database, each with its exact error.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/pool.js';
import { pruneHistory } from '../../src/db/retention.js';
import { withAdmin } from '../helpers/db.js';
import { type SyncWorld, startSyncWorld } from '../helpers/sync-world.js';

const HOUR = 3_600_000;
const suffix = randomBytes(4).toString('hex');
const WRITER = `hss_test_append_w_${suffix}`;
const READER = `hss_test_append_r_${suffix}`;
const PASSWORD = randomBytes(9).toString('hex');
const BASELINE = 'hss_internal.image_baseline_history';
const RULE = 'hss_internal.image_rule_history';

/** Runs `sql` as `url` in a transaction, rolled back: 'ok', or the SQLSTATE and the message. */
async function attempt(url: string, sql: string, values: unknown[] = []): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('begin');
    await c.query(sql, values);
    return 'ok';
  } catch (err) {
    const e = err as { code?: string; message: string };
    return `${e.code} ${e.message}`;
  } finally {
    await c.query('rollback').catch(() => {});
    await c.end();
  }
}

const denied = (table: string) => `42501 permission denied for table ${table.replace(/^.*\./, '')}`;

describe('the history is append-only for the worker login', () => {
  let w: SyncWorld;
  let writerUrl: string;
  let readerUrl: string;
  /** A closed and an open baseline version of one key, and an open rule version. */
  let closed: string;
  let open: string;
  let openRule: string;

  beforeAll(async () => {
    const now = Date.now();
    const tenToday = Math.floor(now / 86_400_000) * 86_400_000 + 10 * HOUR;
    w = await startSyncWorld({ imagesPerScope: 8, offsetMs: tenToday - now });
    await withAdmin(async (c) => {
      await c.query(`CREATE ROLE ${WRITER} LOGIN PASSWORD '${PASSWORD}' IN ROLE hss_writer`);
      await c.query(`CREATE ROLE ${READER} LOGIN PASSWORD '${PASSWORD}' IN ROLE hss_reader`);
    });
    const as = (login: string) => {
      const u = new URL(w.t.url);
      u.username = login;
      u.password = PASSWORD;
      return u.toString();
    };
    writerUrl = as(WRITER);
    readerUrl = as(READER);
    // Every sync below runs as the worker's login: it opens versions, then closes some.
    await w.reconfigure({ DATABASE_URL: writerUrl });
    await w.sync();
    const scope = { projectId: w.project, enterpriseProjectId: '0', imageType: 'private_image' as const };
    w.clock.advance(HOUR);
    w.sim.world.rescan(scope, [...w.sim.world.groundTruth(scope).keys()].slice(0, 3));
    await w.sync();
    const r = await w.t.pool.query<{ closed: string; open: string }>(
      `SELECT c.version_id::text AS closed, o.version_id::text AS open
         FROM ${BASELINE} c JOIN ${BASELINE} o ON o.result_key = c.result_key AND o.prev_hash = c.chain_hash
        WHERE c.valid_to IS NOT NULL AND o.valid_to IS NULL ORDER BY c.version_id LIMIT 1`,
    );
    expect(r.rows).toHaveLength(1);
    closed = r.rows[0]!.closed;
    open = r.rows[0]!.open;
    const rule = await w.t.pool.query<{ v: string }>(
      `SELECT version_id::text AS v FROM ${RULE} WHERE valid_to IS NULL ORDER BY version_id LIMIT 1`,
    );
    expect(rule.rows).toHaveLength(1);
    openRule = rule.rows[0]!.v;
  });

  afterAll(async () => {
    await w?.close();
    await withAdmin(async (c) => {
      await c.query(`DROP ROLE IF EXISTS ${WRITER}`);
      await c.query(`DROP ROLE IF EXISTS ${READER}`);
    });
  });

  it('the worker login closed versions through its syncs (the close path works)', async () => {
    const n = await w.t.pool.query<{ closed: number }>(
      `SELECT count(*)::int AS closed FROM ${BASELINE} WHERE valid_to IS NOT NULL`,
    );
    expect(n.rows[0]!.closed).toBeGreaterThan(0);
  });

  it('closing an open version the way the worker does is accepted (then rolled back)', async () => {
    const sql = `UPDATE ${BASELINE} SET valid_to = valid_from + interval '1 s', closed_run_id = gen_random_uuid(),
      chain_hash = hss_internal.chain_close(chain_hash, valid_from + interval '1 s', closed_run_id) WHERE version_id = $1`;
    // The seal must carry the new closed_run_id: the worker passes the same value twice.
    expect(
      await attempt(
        writerUrl,
        `UPDATE ${BASELINE} SET valid_to = valid_from + interval '1 s', closed_run_id = $2::uuid,
           chain_hash = hss_internal.chain_close(chain_hash, valid_from + interval '1 s', $2::uuid) WHERE version_id = $1`,
        [open, '00000000-0000-4000-8000-000000000001'],
      ),
    ).toBe('ok');
    expect(
      await attempt(
        writerUrl,
        `UPDATE ${RULE} SET valid_to = valid_from + interval '1 s', closed_run_id = $2::uuid,
           chain_hash = hss_internal.chain_close(chain_hash, valid_from + interval '1 s', $2::uuid) WHERE version_id = $1`,
        [openRule, '00000000-0000-4000-8000-000000000001'],
      ),
    ).toBe('ok');
    // A closed_run_id the seal does not carry is refused.
    expect(await attempt(writerUrl, sql, [open])).toBe(
      `P0001 history is append-only: closing version ${open} of ${BASELINE} must seal its chain_hash with valid_to and closed_run_id (hss_internal.chain_close)`,
    );
  });

  it.each([
    [
      'a value of an open version',
      `UPDATE ${BASELINE} SET failed_rule_num = failed_rule_num + 1 WHERE version_id = $1`,
      'open',
      denied(BASELINE),
    ],
    [
      'the chain columns of an open version',
      `UPDATE ${BASELINE} SET prev_hash = NULL WHERE version_id = $1`,
      'open',
      denied(BASELINE),
    ],
    ['a rule value', `UPDATE ${RULE} SET scan_result = 'passed' WHERE version_id = $1`, 'rule', denied(RULE)],
    ['DELETE of a version', `DELETE FROM ${BASELINE} WHERE version_id = $1`, 'closed', denied(BASELINE)],
    ['DELETE of a rule version', `DELETE FROM ${RULE} WHERE version_id = $1`, 'rule', denied(RULE)],
    [
      "tail truncation (a key's newest version)",
      `DELETE FROM ${BASELINE} WHERE version_id = $1 AND valid_to IS NULL`,
      'open',
      denied(BASELINE),
    ],
    ['TRUNCATE', `TRUNCATE ${BASELINE}`, null, denied(BASELINE)],
    [
      'a forged anchor',
      `INSERT INTO hss_internal.history_chain_anchors (history, key, chain_hash, valid_from, valid_to, pruned_at)
      SELECT 'baseline', result_key, chain_hash, valid_from, valid_to, now() FROM ${BASELINE} WHERE version_id = $1`,
      'closed',
      denied('history_chain_anchors'),
    ],
    [
      'an anchor changed',
      `UPDATE hss_internal.history_chain_anchors SET chain_hash = NULL WHERE key IS NOT NULL AND $1::text IS NOT NULL`,
      'closed',
      denied('history_chain_anchors'),
    ],
    [
      'an anchor deleted',
      `DELETE FROM hss_internal.history_chain_anchors WHERE $1::text IS NOT NULL`,
      'closed',
      denied('history_chain_anchors'),
    ],
  ])('refuses %s: %s', async (_what, sql, which, error) => {
    const id = which === 'open' ? open : which === 'closed' ? closed : which === 'rule' ? openRule : null;
    expect(await attempt(writerUrl, sql, id === null ? [] : [id])).toBe(error);
  });

  it('refuses any change of a closed version, even of the columns a close may set', async () => {
    const msg = `P0001 history is append-only: version ${closed} of ${BASELINE} is closed and never changes`;
    expect(
      await attempt(
        writerUrl,
        `UPDATE ${BASELINE} SET valid_to = valid_to + interval '1 day' WHERE version_id = $1`,
        [closed],
      ),
    ).toBe(msg);
    expect(
      await attempt(
        writerUrl,
        `UPDATE ${BASELINE} SET valid_to = NULL, closed_run_id = NULL WHERE version_id = $1`,
        [closed],
      ),
    ).toBe(msg);
    expect(
      await attempt(writerUrl, `UPDATE ${BASELINE} SET chain_hash = chain_hash WHERE version_id = $1`, [
        closed,
      ]),
    ).toBe(msg);
  });

  it('refuses an update of an open version that does not close it', async () => {
    expect(
      await attempt(
        writerUrl,
        `UPDATE ${BASELINE} SET closed_run_id = gen_random_uuid() WHERE version_id = $1`,
        [open],
      ),
    ).toBe(
      `P0001 history is append-only: an update of version ${open} of ${BASELINE} may only close it (set valid_to)`,
    );
    expect(
      await attempt(writerUrl, `UPDATE ${RULE} SET chain_hash = NULL WHERE version_id = $1`, [openRule]),
    ).toBe(
      `P0001 history is append-only: an update of version ${openRule} of ${RULE} may only close it (set valid_to)`,
    );
  });

  it('holds no INSERT, UPDATE or DELETE on anything in schema hss, and may write the histories only as granted', async () => {
    const r = await w.t.pool.query<{ rel: string; priv: string }>(
      `SELECT c.oid::regclass::text AS rel, p.priv FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p(priv)
        WHERE n.nspname = 'hss' AND has_table_privilege($1, c.oid, p.priv)`,
      [WRITER],
    );
    expect(r.rows).toEqual([]);
    const t = await w.t.pool.query<{ rel: string; ins: boolean; upd: boolean; del: boolean }>(
      `SELECT rel, has_table_privilege($1, rel, 'INSERT') AS ins, has_any_column_privilege($1, rel, 'UPDATE') AS upd,
              has_table_privilege($1, rel, 'DELETE') AS del
         FROM unnest(ARRAY['${BASELINE}', '${RULE}', 'hss_internal.history_chain_anchors']) rel ORDER BY rel`,
      [WRITER],
    );
    expect(t.rows).toEqual([
      { rel: 'hss_internal.history_chain_anchors', ins: false, upd: false, del: false },
      { rel: BASELINE, ins: true, upd: true, del: false },
      { rel: RULE, ins: true, upd: true, del: false },
    ]);
  });

  it('retention prunes as the worker login through the owner function, anchors included; a reader may not call it', async () => {
    expect(await attempt(readerUrl, `SELECT hss_internal.prune_history(now(), now())`)).toBe(
      '42501 permission denied for schema hss_internal',
    );
    const h = createDb(writerUrl, { maxConnections: 1 });
    try {
      const before = await w.t.pool.query<{ key: string; hash: Buffer }>(
        `SELECT result_key::text AS key, chain_hash AS hash FROM ${BASELINE} WHERE version_id = $1`,
        [closed],
      );
      const at = new Date(w.clock.now());
      const n = await pruneHistory(h, at, at);
      const closedCount = await w.t.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${BASELINE} WHERE valid_to IS NOT NULL`,
      );
      expect([n, closedCount.rows[0]!.n]).toEqual([n, 0]);
      expect(n).toBeGreaterThan(0);
      const anchor = await w.t.pool.query<{ hash: Buffer }>(
        `SELECT chain_hash AS hash FROM hss_internal.history_chain_anchors WHERE history = 'baseline' AND key = $1`,
        [before.rows[0]!.key],
      );
      expect(anchor.rows[0]!.hash.equals(before.rows[0]!.hash)).toBe(true);
    } finally {
      await h.close();
    }
  });
});
