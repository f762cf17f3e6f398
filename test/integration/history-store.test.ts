/**
 * The end-of-run maintenance of the PostgreSQL store (`maintain`, run by the engine's maintenance
 * phase): it refreshes the daily facts and applies the retention policy, and says what it did; a
 * failure is thrown (the phase records it) and leaves the run ledger alone.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/pool.js';
import { createPgStore } from '../../src/sync/pg-store.js';
import { type RunOutcome, zeroCounts } from '../../src/sync/store.js';
import { type TestDatabase, useTestDatabase } from '../helpers/db.js';

const DAY = 86_400_000;

function outcome(finishedAt: Date): RunOutcome {
  return {
    status: 'succeeded',
    finishedAt,
    scopes: { total: 0, succeeded: 0, partial: 0, failed: 0 },
    counts: zeroCounts(),
    callsByApi: {},
    error: null,
  };
}

/** `h` whose pool fails every statement that mentions `table`. */
function failingOn(h: DbHandle, table: string): DbHandle {
  const pool = new Proxy(h.pool, {
    get(target, prop) {
      if (prop === 'query') {
        return (text: unknown, ...rest: unknown[]) =>
          typeof text === 'string' && text.includes(table)
            ? Promise.reject(new Error(`${table} is unavailable`))
            : (target.query as (...a: unknown[]) => unknown)(text, ...rest);
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { ...h, pool };
}

async function insertResult(t: TestDatabase, at: Date): Promise<void> {
  await t.pool.query(
    `insert into hss_internal.image_baseline_history (project_id, enterprise_project_id, image_type, image_id, check_name,
       check_type, standard, severity, check_rule_num, failed_rule_num, valid_from)
     values ('p', '0', 'private_image', 'sha256:a', 'CentOS 7', 'CentOS 7', 'hw_standard', 'Low', 40, 3, $1)`,
    [at],
  );
}

describe('createPgStore end-of-run maintenance', () => {
  const day0 = new Date('2026-02-01T12:00:00Z');
  const t = useTestDatabase({ setup: (t) => insertResult(t, day0) });

  /** A run as the engine ends it: maintenance, then the ledger row. */
  const runAt = async (store: ReturnType<typeof createPgStore>, at: Date) => {
    const runId = randomUUID();
    await store.startRun({ runId, startedAt: at, trigger: 'cli', worker: 'test:1', schedule: null });
    const done = await store.maintain(new Date(at.getTime() + 1000));
    await store.finishRun(runId, outcome(new Date(at.getTime() + 1000)));
    return { runId, done };
  };

  it('builds the daily facts up to the day the run finished', async () => {
    const store = createPgStore(t.handle);
    const { done } = await runAt(store, new Date(day0.getTime() + 2 * DAY));
    expect(done).toEqual({ dailyDays: 3, pruned: { facts: 0, posture: 0, runs: 0, versions: 0 } });
    const days = await t.pool.query(
      `select day::text, failed_rule_num from hss.image_baseline_daily order by 1`,
    );
    expect(days.rows).toEqual([
      { day: '2026-02-01', failed_rule_num: 3 },
      { day: '2026-02-02', failed_rule_num: 3 },
      { day: '2026-02-03', failed_rule_num: 3 },
    ]);
  });

  it('applies the retention policy it was given', async () => {
    const store = createPgStore(t.handle, t.handle, { retention: { days: 1, historyDays: null } });
    // Finishing on 5 February with 1 day kept: 4 and 5 February stay, the run of the 3rd goes.
    const { runId, done } = await runAt(store, new Date(day0.getTime() + 4 * DAY));
    expect(done.pruned).toEqual({ facts: 3, posture: 3, runs: 1, versions: 0 });
    const days = await t.pool.query(
      `select min(day)::text as d, count(*)::int as n from hss.image_baseline_daily`,
    );
    expect(days.rows[0]).toEqual({ d: '2026-02-04', n: 2 });
    const runs = await t.pool.query(`select run_id from hss_internal.sync_runs`);
    expect(runs.rows).toEqual([{ run_id: runId }]);
  });

  it('throws a maintenance failure and leaves the ledger to the engine, the run lock still freed', async () => {
    const store = createPgStore(failingOn(t.handle, 'image_baseline_daily_facts'), t.handle);
    const runId = randomUUID();
    const at = new Date(day0.getTime() + 6 * DAY);
    await store.startRun({ runId, startedAt: at, trigger: 'cli', worker: 'test:1', schedule: null });
    await expect(store.maintain(at)).rejects.toThrow('image_baseline_daily_facts is unavailable');
    await store.finishRun(runId, outcome(at));
    const run = await t.pool.query(`select status from hss_internal.sync_runs where run_id = $1`, [runId]);
    expect(run.rows).toEqual([{ status: 'succeeded' }]);
    expect(await store.reapAbandonedRuns(at)).toEqual([]);
  });
});
