import { describe, expect, it } from 'vitest';
import { buildPath, buildQuery, pathWithQuery, percentDecode, percentEncode } from './encoding.js';

describe('percentEncode', () => {
  it('keeps exactly the RFC 3986 unreserved characters', () => {
    expect(percentEncode('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(percentEncode("!*'()")).toBe('%21%2A%27%28%29');
  });
  it('encodes space as %20, reserved characters and UTF-8 bytes in upper-case hex', () => {
    expect(percentEncode('CentOS 7')).toBe('CentOS%207');
    expect(percentEncode('a=b&c+d/e?f#g')).toBe('a%3Db%26c%2Bd%2Fe%3Ff%23g');
    expect(percentEncode('测试')).toBe('%E6%B5%8B%E8%AF%95');
    expect(percentEncode('😀')).toBe('%F0%9F%98%80');
    expect(percentEncode('')).toBe('');
  });
  it('turns a lone surrogate into U+FFFD instead of throwing', () => {
    expect(percentEncode('\uD800')).toBe('%EF%BF%BD');
  });
  it('round-trips through percentDecode, which leaves + alone', () => {
    expect(percentDecode(percentEncode('Ubuntu/测试 a+b'))).toBe('Ubuntu/测试 a+b');
    expect(percentDecode('a+b')).toBe('a+b');
    expect(percentDecode('%E0%A4%A')).toBe('%E0%A4%A');
  });
});

describe('buildPath', () => {
  it('encodes each segment on its own, so a slash inside a value stays inside the segment', () => {
    expect(buildPath(['v5', 'p1', 'image', 'baseline', 'risk-configs', 'CentOS 7', 'rules'])).toBe(
      '/v5/p1/image/baseline/risk-configs/CentOS%207/rules',
    );
    expect(buildPath(['v5', 'Ubuntu/测试'])).toBe('/v5/Ubuntu%2F%E6%B5%8B%E8%AF%95');
  });
});

describe('buildQuery', () => {
  it('sorts by name, then value, and encodes names and values', () => {
    expect(
      buildQuery({ offset: 0, limit: 200, image_type: 'private_image', enterprise_project_id: '0' }),
    ).toBe('enterprise_project_id=0&image_type=private_image&limit=200&offset=0');
  });
  it('repeats names for arrays (sorted by value), keeps empty values, omits null/undefined', () => {
    expect(buildQuery({ b: ['z', 'a', ''], a: '', c: null, d: undefined })).toBe('a=&b=&b=a&b=z');
  });
  it('encodes reserved characters in values', () => {
    expect(buildQuery({ q: 'a=b&c', p: '+', s: '/', e: '=' })).toBe('e=%3D&p=%2B&q=a%3Db%26c&s=%2F');
  });
  it('is empty without parameters, and pathWithQuery then adds no ?', () => {
    expect(buildQuery({})).toBe('');
    expect(pathWithQuery('/v5/p', '')).toBe('/v5/p');
    expect(pathWithQuery('/v5/p', 'a=1')).toBe('/v5/p?a=1');
  });
});
