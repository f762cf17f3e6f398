/**
 * A stable instant (docs/audit.md, "A stable instant"): versions carry the worker's clock at
 * fetch time and commit a little later, so the record of an instant T is complete only once every
 * run that started at or before T has ended. A digest or report of T is refused while such a run
 * is open. A run is open while its status is `running` and its run lock is held (the session
 * advisory lock every run holds from start to finish, src/db/lock.ts runLockName); a `running`
 * run whose lock is free has lost its worker (the rule the reaper applies): its connection is
 * gone, so nothing more of it can commit, and it no longer holds T back.
 */
import type pg from 'pg';
import { runLockName } from '../db/lock.js';

type Client = Pick<pg.ClientBase, 'query'>;

/** An open run holds T back: try again when it has ended. */
export class UnstableInstantError extends Error {
  readonly runId: string;
  constructor(asOf: string, run: { runId: string; startedAt: string }) {
    super(
      `the record of ${asOf} is not complete yet: sync run ${run.runId}, started ${run.startedAt}, is still writing; try again when it has ended (\`hss-baseline-sync status\`)`,
    );
    this.name = 'UnstableInstantError';
    this.runId = run.runId;
  }
}

const RUN_LOCK_PREFIX = runLockName('');

/** Runs `running` that started at or before T, and whether each holds its run lock now. */
export async function runsAtOrBefore(
  client: Client,
  asOf: string,
): Promise<{ runId: string; startedAt: string; alive: boolean }[]> {
  // A database not migrated yet (or a login that may not see hss) has no run: the command's own
  // check then says what is wrong.
  const ledger = await client.query<{ t: string | null }>(`SELECT to_regclass('hss.sync_runs')::text AS t`);
  if (!ledger.rows[0]?.t) return [];
  // An advisory lock on a 64-bit key shows in pg_locks as classid (high 32 bits) and objid (low).
  const r = await client.query<{ run_id: string; started_at: string; alive: boolean }>(
    `SELECT r.run_id::text AS run_id,
            to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started_at,
            EXISTS (
              SELECT 1 FROM pg_catalog.pg_locks l
               WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                 AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
                 AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($2 || r.run_id::text, 0)
            ) AS alive
       FROM hss.sync_runs r
      WHERE r.status = 'running' AND r.started_at <= $1::timestamptz
      ORDER BY r.started_at, r.run_id`,
    [asOf, RUN_LOCK_PREFIX],
  );
  return r.rows.map((x) => ({ runId: x.run_id, startedAt: x.started_at, alive: x.alive }));
}

/**
 * Before the snapshot is taken (on any connection): throws UnstableInstantError when a run that
 * started at or before T is open now. Returns the runs found dead, for assertStableIn.
 */
export async function assertStableBefore(client: Client, asOf: string): Promise<Set<string>> {
  const runs = await runsAtOrBefore(client, asOf);
  const open = runs.find((r) => r.alive);
  if (open) throw new UnstableInstantError(asOf, open);
  return new Set(runs.map((r) => r.runId));
}

/**
 * In the snapshot, after assertStableBefore: a run `running` in the snapshot that was not found
 * dead before it started (or was) after that check; its writes may be missing from the snapshot.
 */
export async function assertStableIn(client: Client, asOf: string, dead: ReadonlySet<string>): Promise<void> {
  const runs = await runsAtOrBefore(client, asOf);
  const open = runs.find((r) => !dead.has(r.runId));
  if (open) throw new UnstableInstantError(asOf, open);
}
