import { describe, expect, it } from 'vitest';
import { DbError } from '../errors.js';
import { isDataRejection, writeIsolatingRejects } from './isolate.js';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('isDataRejection', () => {
  it('is true for data exceptions, program limits and check violations, also wrapped in a DbError', () => {
    for (const code of ['22003', '22P02', '22021', '54000', '23514']) {
      expect(isDataRejection(pgError(code))).toBe(true);
      expect(isDataRejection(new DbError('x failed', { cause: pgError(code) }))).toBe(true);
    }
    for (const code of ['40001', '40P01', '23505', '57014', '08006'])
      expect(isDataRejection(pgError(code))).toBe(false);
    expect(isDataRejection(new Error('no code'))).toBe(false);
    expect(isDataRejection(null)).toBe(false);
  });
});

describe('writeIsolatingRejects', () => {
  /** A write that refuses any batch holding 'bad' with `code`, recording each call. */
  function writer(code = '22003') {
    const calls: string[][] = [];
    const write = async (items: string[]) => {
      calls.push(items);
      if (items.includes('bad')) throw new DbError('write failed', { cause: pgError(code) });
      return items.length;
    };
    return { calls, write };
  }

  it('writes a clean batch in one call', async () => {
    const { calls, write } = writer();
    expect(await writeIsolatingRejects(['a', 'b'], write)).toEqual({
      results: [2],
      written: ['a', 'b'],
      rejected: [],
    });
    expect(calls).toEqual([['a', 'b']]);
  });

  it('on a data rejection writes each item alone and reports only the refused one', async () => {
    const { calls, write } = writer();
    const out = await writeIsolatingRejects(['a', 'bad', 'c'], write);
    expect(out.results).toEqual([1, 1]);
    expect(out.written).toEqual(['a', 'c']);
    expect(out.rejected.map((r) => [r.item, (r.error as Error).message])).toEqual([['bad', 'write failed']]);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('a single refused item is reported without a second try; other failures are thrown', async () => {
    const one = writer();
    expect((await writeIsolatingRejects(['bad'], one.write)).rejected).toHaveLength(1);
    expect(one.calls).toEqual([['bad']]);
    const other = writer('40001');
    await expect(writeIsolatingRejects(['a', 'bad'], other.write)).rejects.toThrow('write failed');
    expect(other.calls).toEqual([['a', 'bad']]);
  });
});
