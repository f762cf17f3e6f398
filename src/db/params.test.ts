import { describe, expect, it } from 'vitest';
import { Params } from './params.js';

describe('Params', () => {
  it('numbers placeholders in order', () => {
    const p = new Params();
    expect([p.add('a'), p.add(2)]).toEqual(['$1', '$2']);
    expect(p.values).toEqual(['a', 2]);
  });

  it('turns rows into one array per column for unnest', () => {
    const p = new Params();
    p.add('first');
    const from = p.unnest(
      [
        { id: 'a', n: 1 },
        { id: 'b', n: null },
        { id: 'c', extra: true },
      ],
      [
        ['id', 'text'],
        ['n', 'integer'],
      ],
      'r',
    );
    expect(from).toBe('unnest($2::text[], $3::integer[]) AS r(id, n)');
    expect(p.values).toEqual(['first', ['a', 'b', 'c'], [1, null, null]]);
  });
});
