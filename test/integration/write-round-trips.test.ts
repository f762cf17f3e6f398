/**
 * The write path's round trips (docs/performance.md): a batch of images never written before has
 * no history to read, close or collide with, so it runs two statements and no savepoint; a batch
 * with written images reads the open versions of those images only. The chain holds either way.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/pool.js';
import { writeImageResults } from '../../src/db/writer/index.js';
import { verifyChain } from '../../src/verify/chain.js';
import { useTestDatabase } from '../helpers/db.js';
import { fetched, RUN1, RUN2, risk, scope, T0, T1 } from '../helpers/db-fixtures.js';

const t = useTestDatabase();

type QueryArgs = [text: string | { text: string; values?: unknown[] }, values?: unknown[]];

/** A handle over `h` recording the first line and parameters of every statement its clients run. */
function recording(h: DbHandle, into: { head: string; values: unknown[] }[]): DbHandle {
  const connect = async () => {
    const client = await h.pool.connect();
    const query = client.query.bind(client) as (...a: QueryArgs) => Promise<pg.QueryResult>;
    return new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === 'query')
          return (...args: QueryArgs) => {
            const [first, second] = args;
            const text = typeof first === 'string' ? first : first.text;
            const values = (typeof first === 'string' ? second : first.values) ?? [];
            into.push({ head: text.trim().split('\n')[0]!.split(/ \(|,/)[0]!, values });
            return query(...args);
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
  return { ...h, pool: { query: h.pool.query.bind(h.pool), connect } as unknown as pg.Pool };
}

describe('write path round trips', () => {
  it('writes a batch of new images in two statements, and reads the open versions of written images only', async () => {
    const s = scope({ projectId: 'rt' });
    const first: { head: string; values: unknown[] }[] = [];
    expect(
      await writeImageResults(recording(t.handle, first), RUN1, T0, [
        fetched(s, 'rt:a', [risk(), risk({ standard: 'cn_standard' })]),
        fetched(s, 'rt:b', [risk()]),
      ]),
    ).toEqual({ versionsOpened: 3, versionsClosed: 0 });
    expect(first.map((q) => q.head)).toEqual([
      'BEGIN',
      'WITH upserted AS',
      'INSERT INTO hss_internal.image_baseline_history',
      'COMMIT',
    ]);

    const second: { head: string; values: unknown[] }[] = [];
    expect(
      await writeImageResults(recording(t.handle, second), RUN2, T1, [
        fetched(s, 'rt:a', [risk({ severity: 'Low' }), risk({ standard: 'cn_standard' })]),
        fetched(s, 'rt:c', [risk()]),
      ]),
    ).toEqual({ versionsOpened: 2, versionsClosed: 1 });
    expect(second.map((q) => q.head)).toEqual([
      'BEGIN',
      'WITH upserted AS',
      'SELECT o.version_id::text AS version_id',
      'SAVEPOINT write_versions',
      'UPDATE hss_internal.image_baseline_history',
      'INSERT INTO hss_internal.image_baseline_history',
      'RELEASE SAVEPOINT write_versions',
      'COMMIT',
    ]);
    // The open-version read carries image rt:a only (image_id is its fourth array).
    expect(second[2]!.values[3]).toEqual(['rt:a']);

    const report = await verifyChain(t.pool);
    expect(report.broken).toEqual([]);
    expect(report.intact).toBe(true);
    expect(report.histories.baseline).toEqual({ versions: 5, keys: 4, broken: 0 });
  });
});
