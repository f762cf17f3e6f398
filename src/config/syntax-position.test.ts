import { describe, expect, it } from 'vitest';
import { findJsonFault, parseConfigDocument } from './syntax-position.js';

describe('findJsonFault', () => {
  it('accepts exactly what JSON.parse accepts on these samples', () => {
    const samples = [
      '{}',
      ' [1, -2.5e3, "a\\u00e9\\n", true, false, null, {"k": []}] ',
      '{"a":1,}',
      "{'a':1}",
      '[1 2]',
      '01',
      '"tab\there"',
      '{"a":1} x',
      '',
      '[',
      '-',
      '"\\x"',
    ];
    for (const s of samples) {
      let ok = true;
      try {
        JSON.parse(s);
      } catch {
        ok = false;
      }
      expect(findJsonFault(s) === null, JSON.stringify(s)).toBe(ok);
    }
  });

  it('gives line and column of the first fault', () => {
    expect(findJsonFault('{\n  "a": 1,\n  "b": 2,\n}\n')).toEqual({
      line: 4,
      column: 1,
      problem: 'expected a property name in double quotes',
    });
    expect(findJsonFault('{"a": tru}')).toEqual({ line: 1, column: 7, problem: 'unexpected character' });
  });
});

describe('parseConfigDocument', () => {
  it('reports a JSON fault by position without any text of the file', () => {
    const text = '{"targets": [{"auth": {"secret_key": "SK-VERY-SECRET-123" x}}]}';
    expect(() => parseConfigDocument(text, 'json')).toThrow(
      new Error("not valid JSON: expected ',' or '}' at line 1, column 59"),
    );
  });

  it('reports a YAML fault by code and position without any text of the file', () => {
    const text = 'targets:\n  - auth: { secret_key: "SK-VERY-SECRET-123 }\n';
    expect(() => parseConfigDocument(text, 'yaml')).toThrow(
      new Error('not valid YAML: MISSING_CHAR at line 3, column 1'),
    );
  });
});
