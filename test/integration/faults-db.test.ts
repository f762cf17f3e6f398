/**
 * Fault suite, PostgreSQL: every connection of the database killed mid-run (pg_terminate_backend),
 * and only the scope-lock connections killed. Real time (small simulator latency spreads the run
 * out); the process must neither hang nor crash, the run must be recorded, and the next sync must
 * be exact.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { scopeLockName } from '../../src/db/lock.js';
import { inTransaction, withConnectionRetry } from '../../src/db/tx.js';
import type { RunReport } from '../../src/sync/engine.js';
import {
  FAULT_SCOPE,
  type FaultHarness,
  faultHarness,
  runRow,
  scopeRows,
  stillRunning,
} from '../helpers/fault-harness.js';
import { storedRows, truthRows } from '../helpers/truth.js';
import { when } from '../helpers/wait.js';

const TYPES = ['private_image', 'shared_image', 'cicd'] as const;

async function harness(): Promise<FaultHarness> {
  return faultHarness({
    fakeTime: false,
    // cicd summaries through ListImageRiskConfigs, as the seed's example shows (the simulator's
    // default answers image_type=cicd empty, as the official definition says).
    sim: { imagesPerScope: 16, imageTypes: [...TYPES], cicdRiskConfigs: 'seed', faults: { latencyMs: 15 } },
    env: { HSS_IMAGE_TYPES: TYPES.join(','), HSS_FETCH_CONCURRENCY: '2', HSS_SCOPE_CONCURRENCY: '2' },
  });
}

/** Resolves once the simulator has answered `n` result calls (on its counters' events). */
function afterRiskCalls(x: FaultHarness, n: number): Promise<void> {
  const sim = x.sim;
  return when(
    `${n} result calls`,
    sim.onStats,
    () => (sim.stats().callsByApi.ListImageRiskConfigs ?? 0) >= n,
  );
}

/** Terminates the backends of the test database (all but this one) matching `filter`. */
async function killBackends(x: FaultHarness, filter = 'true', values: unknown[] = []): Promise<number> {
  const r = await x.t.pool.query<{ n: number }>(
    `select count(*)::int as n from (
       select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and (${filter})) k`,
    values,
  );
  return r.rows[0]?.n ?? 0;
}

/** SQL filter: backends holding the advisory lock of one of the scopes in $1 (lock names). */
const HOLDS_SCOPE_LOCK = `pid in (
  select l.pid from pg_locks l
   where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
     and ((l.classid::bigint << 32) | l.objid::bigint) = any(
       select hashtextextended(n, 0) from unnest($1::text[]) n))`;

/** The sync must end on its own; a hang fails the test after `ms`. */
async function withinMs(work: Promise<RunReport>, ms: number): Promise<RunReport> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the sync did not end within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe('PostgreSQL faults', () => {
  it('all database connections killed mid-run: no hang, no crash, the run recorded, the next sync exact', async () => {
    const h = await harness();
    const running = h.app.sync({ trigger: 'test', deadlineMs: null });
    await afterRiskCalls(h, 6);
    const killed = await killBackends(h);
    // The app's pool, its lock connections and the run lock were all connected.
    expect(killed).toBeGreaterThanOrEqual(3);
    const report = await withinMs(running, 30_000);
    // The scopes whose locks died stopped and said why; the run itself was written on new connections.
    const lost = report.scopes.filter((s) => s.error?.startsWith('the scope lock was lost'));
    expect(lost.length).toBeGreaterThan(0);
    for (const s of lost) expect(s.status).toBe('failed');
    const row = await runRow(h.t, report.runId);
    expect(row.status).toBe(report.status);
    expect(row.status).not.toBe('succeeded');
    expect(await stillRunning(h.t)).toBe(0);
    expect((await scopeRows(h.t, report.runId)).map((s) => s[1]).sort()).toEqual(
      report.scopes.map((s) => s.status).sort(),
    );

    const next = await withinMs(h.app.sync({ trigger: 'test', deadlineMs: null }), 30_000);
    expect(next.error).toBeNull();
    expect(next.status).toBe('succeeded');
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
    expect(await stillRunning(h.t)).toBe(0);
  });

  it('only the scope-lock connections killed: those scopes stop (one writer per scope), the rest finish', async () => {
    const h = await harness();
    const running = h.app.sync({ trigger: 'test', deadlineMs: null });
    await afterRiskCalls(h, 4);
    const names = TYPES.map((imageType) => scopeLockName({ ...FAULT_SCOPE, target: 'x', imageType }));
    const killed = await killBackends(h, HOLDS_SCOPE_LOCK, [names]);
    const report = await withinMs(running, 30_000);
    const lost = report.scopes.filter((s) => s.error?.startsWith('the scope lock was lost'));
    expect(lost.length).toBe(killed);
    expect(lost.length).toBeGreaterThan(0);
    expect(report.scopes.filter((s) => s.status === 'succeeded').length).toBe(TYPES.length - lost.length);
    expect((await runRow(h.t, report.runId)).status).toBe('partial');
    expect(await stillRunning(h.t)).toBe(0);
    const next = await withinMs(h.app.sync({ trigger: 'test', deadlineMs: null }), 30_000);
    expect(next.status).toBe('succeeded');
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
  });
});

describe('work on a lost connection', () => {
  it('a result write whose connection dies is retried on a new connection: the run succeeds, exact', async () => {
    const h = await harness();
    // The first statement that writes image_contents (a result write, inside its transaction)
    // ends its own connection, as a failover or a killed backend would: a statement trigger that
    // fires once, counted by a sequence (sequences ignore rollback, so the count survives the kill).
    await h.t.pool.query(`
      CREATE SEQUENCE public.content_writes;
      CREATE FUNCTION public.kill_first_content_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('public.content_writes') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER kill_first_content_write BEFORE INSERT OR UPDATE ON hss_internal.image_contents
        FOR EACH STATEMENT EXECUTE FUNCTION public.kill_first_content_write();`);
    const report = await withinMs(h.app.sync({ trigger: 'test', deadlineMs: null }), 30_000);
    expect(report.error).toBeNull();
    expect(report.status).toBe('succeeded');
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
    // The killed write and at least its retry went through the trigger.
    const writes = await h.t.pool.query<{ n: string }>(
      'SELECT last_value::text AS n FROM public.content_writes',
    );
    expect(Number(writes.rows[0]!.n)).toBeGreaterThanOrEqual(2);
  });

  it('inTransaction runs a transaction again when its connection dies before COMMIT; nothing is doubled', async () => {
    const h = await harness();
    const t = h.t;
    let attempts = 0;
    const runId = '00000000-0000-4000-8000-000000000001';
    const clock = new FakeClock(0, { instant: true });
    await inTransaction(t.handle, { op: 'probe', clock, random: () => 0.5 }, async (client) => {
      attempts++;
      await client.query(
        `insert into hss_internal.sync_runs (run_id, started_at, status, trigger) values ($1, now(), 'running', 'cli')`,
        [runId],
      );
      if (attempts === 1) await client.query('select pg_terminate_backend(pg_backend_pid())');
    });
    expect(attempts).toBe(2);
    // One pause on the given clock: 50 + 0.5 * 50 ms (connectionRetryDelayMs of attempt 0).
    expect(clock.sleeps).toEqual([75]);
    const rows = await t.pool.query('select run_id from hss_internal.sync_runs');
    expect(rows.rows).toEqual([{ run_id: runId }]);
  });

  it('withConnectionRetry repeats idempotent work after a lost connection, never other failures', async () => {
    const h = await harness();
    const t = h.t;
    let calls = 0;
    const clock = new FakeClock(0, { instant: true });
    const timing = { clock, random: () => 0 };
    const value = await withConnectionRetry(async () => {
      calls++;
      if (calls === 1) await t.pool.query('select pg_terminate_backend(pg_backend_pid())');
      return (await t.pool.query<{ n: number }>('select 41 + 1 as n')).rows[0]?.n;
    }, timing);
    expect([value, calls, clock.sleeps]).toEqual([42, 2, [50]]);
    let failing = 0;
    await expect(
      withConnectionRetry(async () => {
        failing++;
        await t.pool.query('select * from no_such_table');
      }, timing),
    ).rejects.toThrow('relation "no_such_table" does not exist');
    expect([failing, clock.sleeps]).toEqual([1, [50]]);
  });
});
