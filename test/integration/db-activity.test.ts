/**
 * DbHandle.activity(): the pool's queries, connects, checkouts and waiters, counted by the handle
 * through its own client class and pg's public pool events, so a caller (runQuiescent in the sync
 * tests) can tell "waiting on the database" from "waiting on the clock" without pg's insides.
 */
import pg from 'pg';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { createDb, type DbActivity, type DbHandle } from '../../src/db/pool.js';

const url = () => inject('adminDatabaseUrl');
const open: DbHandle[] = [];
const blockers: pg.Client[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(async () => {
  for (const c of blockers.splice(0)) await c.end();
});

/** Every snapshot after each change, as `queries/connecting/checkedOut/waiting`. */
function record(h: DbHandle): string[] {
  const seen: string[] = [];
  const show = (a: DbActivity) => `${a.queries}/${a.connecting}/${a.checkedOut}/${a.waiting}`;
  h.onActivity(() => seen.push(show(h.activity())));
  return seen;
}

/** Resolves at the first change after which `ok` holds (event-driven; fails after 10 s). */
function when(h: DbHandle, ok: (a: DbActivity) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`activity never matched; now ${JSON.stringify(h.activity())}`));
    }, 10_000);
    const off = h.onActivity(() => {
      if (!ok(h.activity())) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** A connection holding advisory lock `key` until its release. */
async function holdLock(key: number): Promise<() => Promise<void>> {
  const c = new pg.Client({ connectionString: url() });
  blockers.push(c);
  await c.connect();
  await c.query('select pg_advisory_lock($1)', [key]);
  return async () => {
    await c.query('select pg_advisory_unlock($1)', [key]);
  };
}

describe('DbHandle.activity()', () => {
  it('counts a pool.query through connect, checkout, query and release, in that order', async () => {
    const h = createDb(url(), { maxConnections: 2 });
    open.push(h);
    expect(h.activity()).toEqual({ queries: 0, connecting: 0, checkedOut: 0, waiting: 0 });
    const seen = record(h);
    expect((await h.pool.query('select 1 as n')).rows).toEqual([{ n: 1 }]);
    expect(seen).toEqual(['0/1/0/0', '0/0/0/0', '0/0/1/0', '1/0/1/0', '0/0/1/0', '0/0/0/0']);
    seen.length = 0;
    // A second query reuses the idle connection: no connect.
    await h.pool.query('select 2');
    expect(seen).toEqual(['0/0/1/0', '1/0/1/0', '0/0/1/0', '0/0/0/0']);
  });

  it('a query waiting on a lock counts until it is answered; a failed query counts until it fails', async () => {
    const h = createDb(url());
    open.push(h);
    const release = await holdLock(424_242);
    const blocked = h.pool.query('select pg_advisory_xact_lock($1)', [424_242]);
    await when(h, (a) => a.queries === 1);
    expect(h.activity()).toEqual({ queries: 1, connecting: 0, checkedOut: 1, waiting: 0 });
    await release();
    await blocked;
    expect(h.activity()).toEqual({ queries: 0, connecting: 0, checkedOut: 0, waiting: 0 });
    await expect(h.pool.query('select * from no_such_table_here')).rejects.toThrow(
      'relation "no_such_table_here" does not exist',
    );
    expect(h.activity()).toEqual({ queries: 0, connecting: 0, checkedOut: 0, waiting: 0 });
  });

  it('a checked-out connection counts without a query; a caller waiting for a connection counts too', async () => {
    const h = createDb(url(), { maxConnections: 1 });
    open.push(h);
    const client = await h.pool.connect();
    expect(h.activity()).toEqual({ queries: 0, connecting: 0, checkedOut: 1, waiting: 0 });
    const second = h.pool.connect();
    expect(h.activity().waiting).toBe(1);
    client.release();
    const c2 = await second;
    expect(h.activity()).toEqual({ queries: 0, connecting: 0, checkedOut: 1, waiting: 0 });
    // A promise query and a callback query on the checked-out client, each counted once.
    const p = c2.query('select 1');
    const cb = new Promise<void>((resolve, reject) =>
      c2.query('select 2', (err) => (err ? reject(err) : resolve())),
    );
    expect(h.activity().queries).toBe(2);
    await Promise.all([p, cb]);
    expect(h.activity().queries).toBe(0);
    c2.release();
    expect(h.activity()).toEqual({ queries: 0, connecting: 0, checkedOut: 0, waiting: 0 });
  });

  it('a query whose backend is killed stops counting; the handle stays usable', async () => {
    const h = createDb(url());
    open.push(h);
    const release = await holdLock(434_343);
    const client = await h.pool.connect();
    const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const blocked = client.query('select pg_advisory_xact_lock($1)', [434_343]).catch((e: Error) => e);
    expect(h.activity().queries).toBe(1);
    await h.pool.query('select pg_terminate_backend($1)', [pid]);
    expect(String(await blocked)).toMatch(/terminat/);
    client.release(true);
    expect(h.activity()).toEqual({ queries: 0, connecting: 0, checkedOut: 0, waiting: 0 });
    await release();
    expect((await h.pool.query('select 3 as n')).rows).toEqual([{ n: 3 }]);
  });

  it('a listener removed is not called again', async () => {
    const h = createDb(url());
    open.push(h);
    let calls = 0;
    const off = h.onActivity(() => calls++);
    await h.pool.query('select 1');
    const before = calls;
    expect(before).toBe(6);
    off();
    await h.pool.query('select 1');
    expect(calls).toBe(before);
  });
});
