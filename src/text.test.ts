import { describe, expect, it } from 'vitest';
import { escapeControls, hasControls, replaceNul } from './text.js';

describe('replaceNul (the NUL policy)', () => {
  it('replaces each U+0000 with U+FFFD and changes nothing else', () => {
    expect(replaceNul('a\u0000b\u0000')).toBe('a\uFFFDb\uFFFD');
    const kept = '基线 😀 \u001b]0;x\u0007 \r\n\t';
    expect(replaceNul(kept)).toBe(kept);
  });
});

describe('escapeControls', () => {
  it('escapes C0, DEL, C1, separators and bidi controls as \\uXXXX; keeps everything else', () => {
    expect(escapeControls('\u001b]0;pwned\u0007')).toBe('\\u001b]0;pwned\\u0007');
    expect(escapeControls('a\u0000b\nc\td\u007f\u009b2J\u2028\u202e\u2066')).toBe(
      'a\\u0000b\\u000ac\\u0009d\\u007f\\u009b2J\\u2028\\u202e\\u2066',
    );
    expect(escapeControls('基线检查 😀 "q" \\')).toBe('基线检查 😀 "q" \\');
    expect([hasControls('plain'), hasControls('\u009b'), hasControls('x\u0007')]).toEqual([
      false,
      true,
      true,
    ]);
  });
});
