/**
 * A stable instant (docs/audit.md): a version carries the worker's clock when its write began and
 * commits later, so while a sync that started by T is open, the record of T may still grow. Here
 * a sync is held mid-write (the test holds a SHARE lock on the baseline history, so the worker's
 * INSERT waits after it took its time): `report` and `verify --as-of` of an instant T taken then
 * are refused with exit 75; once the sync ended, versions that began before T have appeared, and
 * two reports of T are byte-identical. A `running` run whose run lock is free (its worker died)
 * does not hold T back; one whose lock is held does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { runLockName } from '../../src/db/lock.js';
import { captureIo } from '../helpers/capture-io.js';
import { newOutDir, readDir, runReport } from '../helpers/report-world.js';
import { type SyncWorld, startSyncWorld } from '../helpers/sync-world.js';

async function runVerify(url: string, args: string[]) {
  const cap = captureIo({ DATABASE_URL: url });
  const code = await main(['verify', ...args], cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

/** Waits (bounded) until `probe` holds, polling the database. */
async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting until ${what}`);
}

const UNSTABLE = (t: string, command: string, tail: string) =>
  new RegExp(
    `^hss-baseline-sync ${command}: the record of ${t.replace(/\./g, '\\.')} is not complete yet: sync run [0-9a-f-]{36}, started \\S+Z, is still writing; try again when it has ended \\(\`hss-baseline-sync status\`\\)${tail}\\n$`,
  );

describe('a report or digest of an instant a sync is still writing', () => {
  let w: SyncWorld;

  beforeAll(async () => {
    w = await startSyncWorld({ imagesPerScope: 8, seed: 12 });
    await w.sync();
  });

  afterAll(async () => {
    await w?.close();
  });

  it('is refused with 75 while the sync is held; after it, two reports of T are byte-identical', async () => {
    const scope = { projectId: w.project, enterpriseProjectId: '0', imageType: 'private_image' as const };
    // The worker's clock is the database's here (no shift): the run starts before T.
    w.sim.world.rescan(scope, [...w.sim.world.groundTruth(scope).keys()].slice(0, 3));
    const hold = await w.t.pool.connect();
    let asOf = '';
    let syncing: Promise<unknown> | null = null;
    try {
      await hold.query('BEGIN');
      await hold.query('LOCK TABLE hss_internal.image_baseline_history IN SHARE MODE');
      syncing = w.sync();
      await until(async () => {
        const r = await w.t.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks
            WHERE relation = 'hss_internal.image_baseline_history'::regclass AND NOT granted`,
        );
        return r.rows[0]!.n > 0;
      }, 'the worker waits on its history write');
      asOf = (
        await w.t.pool.query<{ t: string }>(
          `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`,
        )
      ).rows[0]!.t;
      const dir = newOutDir();
      const r = await runReport(w.t.url, ['--as-of', asOf, '--out', dir]);
      expect(r.code).toBe(75);
      expect(r.err).toMatch(UNSTABLE(asOf, 'report', ': nothing was written'));
      expect(existsSync(dir)).toBe(false);
      const v = await runVerify(w.t.url, ['--as-of', asOf]);
      expect([v.code, v.out]).toEqual([75, '']);
      expect(v.err).toMatch(UNSTABLE(asOf, 'verify', ''));
    } finally {
      await hold.query('ROLLBACK');
      hold.release();
      await syncing;
    }
    // The held write committed after T, with versions that began before it: a report taken
    // during the hold would have missed them.
    const grew = await w.t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM hss_internal.image_baseline_history
        WHERE valid_from <= $1::timestamptz AND opened_run_id =
          (SELECT run_id FROM hss_internal.sync_runs ORDER BY started_at DESC LIMIT 1)`,
      [asOf],
    );
    expect(grew.rows[0]!.n).toBeGreaterThan(0);
    const [a, b] = [newOutDir(), newOutDir()];
    expect((await runReport(w.t.url, ['--as-of', asOf, '--out', a])).code).toBe(0);
    expect((await runReport(w.t.url, ['--as-of', asOf, '--out', b])).code).toBe(0);
    expect(readDir(b)).toEqual(readDir(a));
    const digest = JSON.parse(readFileSync(join(a, 'manifest.json'), 'utf8')).as_of_digest.sha256;
    const v = await runVerify(w.t.url, ['--as-of', asOf, '--expect', digest]);
    expect([v.code, v.err]).toEqual([0, '']);
  });

  it('a running run whose lock is free (its worker died) does not hold T back; one whose lock is held does', async () => {
    const runId = '00000000-0000-4000-8000-00000000dead';
    const before = (
      await w.t.pool.query<{ t: string }>(
        `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`,
      )
    ).rows[0]!.t;
    await w.t.pool.query(
      `INSERT INTO hss_internal.sync_runs (run_id, started_at, status, trigger) VALUES ($1, $2::timestamptz - interval '1 minute', 'running', 'cli')`,
      [runId, before],
    );
    const lock = await w.t.pool.connect();
    try {
      const dead = await runVerify(w.t.url, ['--as-of', before]);
      expect([dead.code, dead.err]).toEqual([0, '']);
      await lock.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [runLockName(runId)]);
      const alive = await runVerify(w.t.url, ['--as-of', before]);
      expect(alive.code).toBe(75);
      expect(alive.err).toContain(`sync run ${runId}, started `);
      // An instant before the run started is not held back by it.
      const earlier = new Date(Date.parse(before) - 120_000).toISOString();
      expect((await runVerify(w.t.url, ['--as-of', earlier])).code).toBe(0);
    } finally {
      await lock.query('SELECT pg_advisory_unlock_all()');
      lock.release();
      await w.t.pool.query('DELETE FROM hss_internal.sync_runs WHERE run_id = $1', [runId]);
    }
  });
});
