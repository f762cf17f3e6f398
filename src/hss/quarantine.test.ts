import { describe, expect, it } from 'vitest';
import { partitionItems, SAMPLE_CHARS, sampleOf } from './quarantine.js';
import { imageRowSchema } from './schemas.js';

describe('sampleOf: the start of an item as JSON, bounded in depth and size', () => {
  it('is JSON.stringify for small items', () => {
    const item = { image_id: 'a', n: [1, 'x', null, true, { k: 'v' }], s: 'quote " and \u0000' };
    expect(sampleOf(item)).toBe(JSON.stringify(item));
    expect(sampleOf('text')).toBe('"text"');
    expect(sampleOf(12)).toBe('12');
    expect(sampleOf(null)).toBe('null');
  });

  it('cuts at SAMPLE_CHARS characters with an ellipsis', () => {
    const item = { image_name: 'x'.repeat(5_000_000) };
    const sample = sampleOf(item);
    expect(sample).toBe(`${JSON.stringify(item).slice(0, SAMPLE_CHARS - 1)}…`);
    expect(sample).toHaveLength(SAMPLE_CHARS);
  });

  it('shows at most 4 levels: deeper arrays and objects print as […] and {…}', () => {
    expect(sampleOf({ a: { b: { c: { d: { e: 1 } } } } })).toBe('{"a":{"b":{"c":{"d":{…}}}}}');
    expect(sampleOf([[[[[1]]]]])).toBe('[[[[[…]]]]]');
  });

  it('a 200,000-deep nested array costs what its first levels do (no stack overflow)', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(sampleOf({ image_id: 'a', image_size: deep })).toBe('{"image_id":"a","image_size":[[[[…]]]]}');
    // A huge flat array stops once the sample is full.
    const wide = new Array(1_000_000).fill(1);
    expect(sampleOf(wide)).toBe(`[${'1,'.repeat(99)}…`);
  });

  it('partitionItems quarantines such an item with a bounded sample and keeps the others', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    const { valid, invalid } = partitionItems(
      [{ image_id: 'a' }, { image_id: 'b', image_size: deep }, deep, { image_id: 'c' }],
      imageRowSchema,
    );
    expect(valid.map((r) => r.image_id)).toEqual(['a', 'c']);
    expect(invalid).toEqual([
      { index: 1, problem: 'image_size: Invalid input', sample: '{"image_id":"b","image_size":[[[[…]]]]}' },
      { index: 2, problem: '(root): Invalid input: expected object, received array', sample: '[[[[[…]]]]]' },
    ]);
  });
});
