import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { tryLockScope } from '../../src/db/lock.js';
import { createDb } from '../../src/db/pool.js';
import {
  emptyRunCounts,
  finishRun,
  finishScopeRun,
  listRunningRuns,
  markAbandonedRuns,
  recordRunProgress,
  recordScopeEtas,
  startRun,
  startScopeRun,
} from '../../src/db/runs.js';
import { inTransaction } from '../../src/db/tx.js';
import { DbError } from '../../src/errors.js';
import { useTestDatabase } from '../helpers/db.js';
import { RUN1, RUN2, RUN3, scope, T0, T1, T2 } from '../helpers/db-fixtures.js';

const t = useTestDatabase();

describe('run ledger', () => {
  it('records a run and its scopes from start to finish', async () => {
    const s = scope();
    await startRun(t.handle, { runId: RUN1, startedAt: T0, trigger: 'cli', worker: 'host-a:123' });
    await startScopeRun(t.handle, RUN1, s, s.target, T0);

    await finishScopeRun(t.handle, RUN1, s, {
      status: 'succeeded',
      finishedAt: T1,
      inventoryComplete: true,
      counts: {
        imagesListed: 12,
        imagesDistinct: 10,
        imagesFetched: 3,
        apiCalls: 4,
        throttled: 1,
        retries: 1,
        itemsQuarantined: 2,
      },
      callsByApi: { ListRegistryImages: 1, ListImageRiskConfigs: 3 },
      etaSeconds: 0,
      error: null,
    });
    await finishRun(t.handle, RUN1, {
      status: 'succeeded',
      finishedAt: T2,
      counts: {
        ...emptyRunCounts(),
        scopesTotal: 1,
        scopesSucceeded: 1,
        imagesListed: 12,
        versionsOpened: 9,
        itemsQuarantined: 5,
        ruleImagesDue: 4,
        ruleImagesFetched: 3,
        ruleImagesPending: 1,
        ruleVersionsOpened: 20,
        ruleDescriptionsFetched: 11,
      },
      callsByApi: { ListRegistryImages: 1, ListImageRiskConfigs: 3 },
      coverage: { pending: 2, covered: 7, not_scanned: 1, scan_failed: 0, no_results: 1, inconsistent: 1 },
      error: null,
    });

    const run = await t.pool.query('SELECT * FROM hss_internal.sync_runs WHERE run_id = $1', [RUN1]);
    expect(run.rows).toEqual([
      {
        run_id: RUN1,
        started_at: T0,
        finished_at: T2,
        status: 'succeeded',
        trigger: 'cli',
        worker: 'host-a:123',
        scopes_total: 1,
        scopes_succeeded: 1,
        scopes_partial: 0,
        scopes_failed: 0,
        images_listed: 12,
        images_distinct: 0,
        images_due: 0,
        images_fetched: 0,
        images_not_scanned: 0,
        images_pending: 0,
        images_retired: 0,
        versions_opened: 9,
        versions_closed: 0,
        api_calls: 0,
        throttled: 0,
        retries: 0,
        calls_by_api: { ListRegistryImages: 1, ListImageRiskConfigs: 3 },
        error: null,
        rule_images_due: 4,
        rule_images_fetched: 3,
        rule_images_pending: 1,
        rule_versions_opened: 20,
        rule_versions_closed: 0,
        rule_descriptions_fetched: 11,
        items_quarantined: 5,
        // Not given to finishRun: not recorded.
        api_backlog: null,
        maintenance: null,
        coverage: { covered: 7, not_scanned: 1, scan_failed: 0, no_results: 1, inconsistent: 1, pending: 2 },
        // A one-off run (no daemon schedule given to startRun).
        schedule: null,
      },
    ]);
    const scopeRun = await t.pool.query('SELECT * FROM hss_internal.sync_scope_runs WHERE run_id = $1', [
      RUN1,
    ]);
    expect(scopeRun.rows).toEqual([
      {
        run_id: RUN1,
        target: 'cn-north-4/p1',
        project_id: 'p1',
        enterprise_project_id: '0',
        image_type: 'private_image',
        status: 'succeeded',
        started_at: T0,
        finished_at: T1,
        inventory_complete: true,
        images_listed: 12,
        images_distinct: 10,
        images_due: 0,
        images_fetched: 3,
        images_not_scanned: 0,
        images_pending: 0,
        images_retired: 0,
        versions_opened: 0,
        versions_closed: 0,
        api_calls: 4,
        throttled: 1,
        retries: 1,
        calls_by_api: { ListRegistryImages: 1, ListImageRiskConfigs: 3 },
        eta_seconds: 0,
        error: null,
        items_quarantined: 2,
      },
    ]);
    const state = await t.pool.query('SELECT target, last_success_at FROM hss_internal.scope_state');
    expect(state.rows).toEqual([{ target: 'cn-north-4/p1', last_success_at: T1 }]);
  });

  it('does not stamp last_success_at for a partial scope', async () => {
    const s = scope({ projectId: 'partial' });
    await startRun(t.handle, {
      runId: RUN2,
      startedAt: T0,
      trigger: 'schedule',
      worker: null,
      schedule: { expression: '*/20 * * * * *', timezone: 'Asia/Shanghai' },
    });
    // The daemon's schedule is recorded with its run, for `status` (through the public view).
    const recorded = await t.pool.query(`SELECT schedule FROM hss.sync_runs WHERE run_id = $1`, [RUN2]);
    expect(recorded.rows).toEqual([
      { schedule: { expression: '*/20 * * * * *', timezone: 'Asia/Shanghai' } },
    ]);
    await startScopeRun(t.handle, RUN2, s, s.target, T0);
    await finishScopeRun(t.handle, RUN2, s, {
      status: 'partial',
      finishedAt: T1,
      inventoryComplete: false,
      counts: { imagesPending: 40 },
      callsByApi: {},
      etaSeconds: 480,
      error: 'budget exhausted',
    });
    const state = await t.pool.query(
      `SELECT count(*)::int AS n FROM hss_internal.scope_state WHERE project_id = 'partial'`,
    );
    expect(state.rows[0].n).toBe(0);
    const row = await t.pool.query(
      `SELECT status, images_pending, eta_seconds, error FROM hss_internal.sync_scope_runs WHERE run_id = $1`,
      [RUN2],
    );
    expect(row.rows).toEqual([
      { status: 'partial', images_pending: 40, eta_seconds: 480, error: 'budget exhausted' },
    ]);
    // The run's end corrects the ETA to the shared budget's; a scope still running keeps none.
    const running = scope({ projectId: 'partial', enterpriseProjectId: 'ep-running' });
    await startScopeRun(t.handle, RUN2, running, running.target, T0);
    await recordScopeEtas(t.handle, RUN2, [
      { scope: s, etaSeconds: 960 },
      { scope: running, etaSeconds: 960 },
    ]);
    const etas = await t.pool.query(
      `SELECT enterprise_project_id, eta_seconds FROM hss_internal.sync_scope_runs WHERE run_id = $1 ORDER BY 1`,
      [RUN2],
    );
    expect(etas.rows).toEqual([
      { enterprise_project_id: '0', eta_seconds: 960 },
      { enterprise_project_id: 'ep-running', eta_seconds: null },
    ]);
    // The tests below count RUN2's scope runs: this one was only for the check above.
    await t.pool.query(
      `DELETE FROM hss_internal.sync_scope_runs WHERE run_id = $1 AND enterprise_project_id = 'ep-running'`,
      [RUN2],
    );
  });

  it('rejects an unknown status and an unknown run', async () => {
    await expect(
      startRun(t.handle, { runId: RUN3, startedAt: T0, trigger: 'cli', worker: null }).then(() =>
        finishRun(t.handle, RUN3, {
          status: 'done' as 'succeeded',
          finishedAt: T1,
          counts: {},
          callsByApi: {},
          error: null,
        }),
      ),
    ).rejects.toThrow(
      /^finishRun failed: new row for relation "sync_runs" violates check constraint "sync_runs_status_check" \(SQLSTATE 23514\)$/,
    );
    await expect(
      finishRun(t.handle, '00000000-0000-4000-8000-0000000000ff', {
        status: 'failed',
        finishedAt: T1,
        counts: {},
        callsByApi: {},
        error: 'x',
      }),
    ).rejects.toThrow(new DbError('finishRun failed: no run 00000000-0000-4000-8000-0000000000ff'));
    await expect(
      finishScopeRun(t.handle, RUN3, scope({ projectId: 'nope' }), {
        status: 'failed',
        finishedAt: T1,
        inventoryComplete: null,
        counts: {},
        callsByApi: {},
        etaSeconds: null,
        error: null,
      }),
    ).rejects.toThrow(new DbError(`finishScopeRun failed: no scope run ${RUN3} nope/0/private_image`));
  });

  it('lists running runs and marks abandoned ones aborted with their running scopes', async () => {
    // RUN2 and RUN3 are still running from the tests above.
    expect((await listRunningRuns(t.handle)).map((r) => r.runId)).toEqual([RUN2, RUN3]);
    const s = scope({ projectId: 'abandoned' });
    await startScopeRun(t.handle, RUN3, s, s.target, T0);

    expect(await markAbandonedRuns(t.handle, { at: T2, runIds: [RUN3] })).toEqual([RUN3]);
    const rows = await t.pool.query(
      `SELECT r.status, r.finished_at, r.error, sr.status AS scope_status, sr.error AS scope_error
       FROM hss_internal.sync_runs r JOIN hss_internal.sync_scope_runs sr USING (run_id) WHERE run_id = $1`,
      [RUN3],
    );
    expect(rows.rows).toEqual([
      {
        status: 'aborted',
        finished_at: T2,
        error: 'abandoned: worker stopped before the run ended',
        scope_status: 'aborted',
        scope_error: 'abandoned: worker stopped before the run ended',
      },
    ]);

    // By age: RUN2 started at T0; a finished run (RUN1) is never touched.
    expect(await markAbandonedRuns(t.handle, { at: T2, startedBefore: T0, reason: 'r' })).toEqual([]);
    expect(await markAbandonedRuns(t.handle, { at: T2, startedBefore: T1, reason: 'stale' })).toEqual([RUN2]);
    const statuses = await t.pool.query(
      'SELECT run_id, status, error FROM hss_internal.sync_runs ORDER BY run_id',
    );
    expect(statuses.rows).toEqual([
      { run_id: RUN1, status: 'succeeded', error: null },
      { run_id: RUN2, status: 'aborted', error: 'stale' },
      { run_id: RUN3, status: 'aborted', error: 'abandoned: worker stopped before the run ended' },
    ]);
    // The partial scope of RUN2 had already ended: it keeps its status.
    const scopeRow = await t.pool.query('SELECT status FROM hss_internal.sync_scope_runs WHERE run_id = $1', [
      RUN2,
    ]);
    expect(scopeRow.rows).toEqual([{ status: 'partial' }]);
    expect(await listRunningRuns(t.handle)).toEqual([]);
  });
});

describe('run ledger: the per-API budget', () => {
  it('records it while the run runs, then the final figures; progress never overwrites a finished run', async () => {
    const RUN = '00000000-0000-4000-8000-000000000009';
    await startRun(t.handle, { runId: RUN, startedAt: T0, trigger: 'cli', worker: null });
    const line = (api: 'ListImageRiskConfigs' | 'ListImageRiskConfigRules', made: number, due: number) => ({
      api,
      callsMade: made,
      callsDue: due,
      ratePerMinute: 5,
      catchUpSeconds: Math.ceil((due * 60) / 5),
    });
    const stored = async () =>
      (await t.pool.query('SELECT api_backlog FROM hss_internal.sync_runs WHERE run_id = $1', [RUN])).rows[0]
        .api_backlog;
    await recordRunProgress(t.handle, RUN, [line('ListImageRiskConfigs', 5, 20)]);
    expect(await stored()).toEqual({
      ListImageRiskConfigs: { calls_made: 5, calls_due: 20, rate_per_minute: 5, catch_up_seconds: 240 },
    });
    await finishRun(t.handle, RUN, {
      status: 'partial',
      finishedAt: T1,
      counts: {},
      callsByApi: {},
      apiBacklog: [line('ListImageRiskConfigRules', 9, 3), line('ListImageRiskConfigs', 10, 15)],
      error: 'run deadline reached',
    });
    const final = {
      ListImageRiskConfigRules: { calls_made: 9, calls_due: 3, rate_per_minute: 5, catch_up_seconds: 36 },
      ListImageRiskConfigs: { calls_made: 10, calls_due: 15, rate_per_minute: 5, catch_up_seconds: 180 },
    };
    expect(await stored()).toEqual(final);
    // A progress write that arrives after the end changes nothing.
    await recordRunProgress(t.handle, RUN, [line('ListImageRiskConfigs', 6, 19)]);
    expect(await stored()).toEqual(final);
  });
});

describe('tryLockScope', () => {
  it('gives a scope to one session at a time, across pools', async () => {
    const other = createDb(t.url);
    try {
      const s = scope();
      const first = await tryLockScope(t.handle, s);
      expect(first).not.toBeNull();
      expect(await tryLockScope(other, s)).toBeNull();
      const different = await tryLockScope(other, scope({ imageType: 'shared_image' }));
      expect(different).not.toBeNull();
      await first?.release();
      await first?.release();
      const second = await tryLockScope(other, s);
      expect(second).not.toBeNull();
      await second?.release();
      await different?.release();
    } finally {
      await other.close();
    }
  });
});

describe('tryLockScope, connection lost', () => {
  it('signals the loss instead of crashing, and the scope is free again', async () => {
    const other = createDb(t.url);
    try {
      const s = scope({ projectId: 'lost' });
      const lock = await tryLockScope(t.handle, s);
      expect(lock?.lost.aborted).toBe(false);
      const lost = new Promise<unknown>((resolve) =>
        lock?.lost.addEventListener('abort', () => resolve(lock.lost.reason), { once: true }),
      );
      await t.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() AND database = (
           SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      const reason = await lost;
      expect(reason).toBeInstanceOf(DbError);
      expect((reason as DbError).message).toMatch(
        /^advisory lock failed: terminating connection due to administrator command/,
      );
      const again = await tryLockScope(other, s);
      expect(again).not.toBeNull();
      await again?.release();
      await lock?.release();
    } finally {
      await other.close();
    }
  });
});

describe('inTransaction', () => {
  it('retries the whole transaction on a retryable SQLSTATE, then gives up with DbError', async () => {
    let attempts = 0;
    // A conflict is retried at once: no pause on the clock.
    const clock = new FakeClock(0, { instant: true });
    const result = await inTransaction(t.handle, { op: 'probe', clock }, async (client) => {
      attempts++;
      if (attempts < 3)
        await client.query(`DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$`);
      return 'ok';
    });
    expect({ result, attempts, sleeps: clock.sleeps }).toEqual({ result: 'ok', attempts: 3, sleeps: [] });

    attempts = 0;
    const failing = inTransaction(t.handle, { op: 'probe' }, async (client) => {
      attempts++;
      await client.query(`DO $$ BEGIN RAISE EXCEPTION 'cycle' USING ERRCODE = '40P01'; END $$`);
    });
    await expect(failing).rejects.toThrow(new DbError('probe failed: cycle (SQLSTATE 40P01)'));
    expect(attempts).toBe(4);
  });

  it('does not retry other errors and rolls back what was done', async () => {
    await t.pool.query('CREATE TABLE IF NOT EXISTS public.tx_probe (n int)');
    let attempts = 0;
    const failing = inTransaction(t.handle, { op: 'probe' }, async (client) => {
      attempts++;
      await client.query('INSERT INTO public.tx_probe VALUES (1)');
      await client.query('SELECT 1/0');
    });
    await expect(failing).rejects.toThrow(new DbError('probe failed: division by zero (SQLSTATE 22012)'));
    expect(attempts).toBe(1);
    const rows = await t.pool.query('SELECT count(*)::int AS n FROM public.tx_probe');
    expect(rows.rows[0].n).toBe(0);
  });
});
