import { describe, expect, it } from 'vitest';
import { chunk, dateToMs, dedupeLast, msToIso, tupleKey } from './rows.js';

describe('msToIso', () => {
  it('converts epoch milliseconds exactly', () => {
    expect(msToIso(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05.678Z');
    expect(msToIso(0)).toBe('1970-01-01T00:00:00.000Z');
  });

  it('drops what is absent or not a representable instant', () => {
    expect(msToIso(null)).toBeNull();
    expect(msToIso(Number.NaN)).toBeNull();
    expect(msToIso(Number.POSITIVE_INFINITY)).toBeNull();
    expect(msToIso(253_402_300_800_000)).toBeNull();
    expect(msToIso(-62_135_596_800_001)).toBeNull();
    expect(msToIso(253_402_300_799_999)).toBe('9999-12-31T23:59:59.999Z');
  });

  it('truncates fractional milliseconds', () => {
    expect(msToIso(1.9)).toBe('1970-01-01T00:00:00.001Z');
  });
});

describe('dateToMs', () => {
  it('maps a Date to epoch ms and keeps null', () => {
    expect(dateToMs(new Date(Date.UTC(2026, 0, 1)))).toBe(1_767_225_600_000);
    expect(dateToMs(null)).toBeNull();
  });
});

describe('dedupeLast', () => {
  it('keeps the last value of each key in first-seen key order', () => {
    const out = dedupeLast(
      [
        { k: 'a', v: 1 },
        { k: 'b', v: 2 },
        { k: 'a', v: 3 },
      ],
      (x) => x.k,
    );
    expect(out).toEqual([
      { k: 'a', v: 3 },
      { k: 'b', v: 2 },
    ]);
  });
});

describe('chunk', () => {
  it('splits into parts of at most the size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => chunk([1], 0)).toThrow(new RangeError('chunk size must be a positive integer: 0'));
  });
});

describe('tupleKey', () => {
  it('keeps tuples with separators apart', () => {
    expect(tupleKey('a,b', 'c')).not.toBe(tupleKey('a', 'b,c'));
    expect(tupleKey('a', null)).toBe('["a",null]');
  });
});
