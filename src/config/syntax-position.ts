/**
 * Where a JSON or YAML config file stops parsing, by line and column only. The parsers' own
 * messages quote the text around the fault (V8: `Unexpected token 'x', "…" is not valid JSON`),
 * and a config file holds secret keys: nothing of the text may reach an error message.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';

export interface SyntaxFault {
  line: number;
  column: number;
  /** A few words from a fixed vocabulary (never text of the file). */
  problem: string;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonFault extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

const MAX_DEPTH = 512;

/**
 * The first syntax fault of `text` as JSON (RFC 8259), or null when it is valid. A small
 * recursive-descent scanner: it only finds where the text stops being JSON; JSON.parse builds
 * the value.
 */
export function findJsonFault(text: string): SyntaxFault | null {
  let i = 0;
  const fail = (problem: string, at = i): never => {
    throw new JsonFault(at, problem);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('unexpected character');
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('control character in a string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('bad escape in a string');
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail('bad number');
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === undefined) {
      fail('unexpected end of input');
      return;
    }
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"')
          fail(
            text[i] === undefined ? 'unexpected end of input' : 'expected a property name in double quotes',
          );
        string();
        ws();
        if (text[i] !== ':') fail("expected ':' after a property name");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(text[i] === undefined ? 'unexpected end of input' : "expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(text[i] === undefined ? 'unexpected end of input' : "expected ',' or ']'");
      }
    }
    if (c === '"') string();
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else fail('unexpected character');
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail('unexpected character after the document');
    return null;
  } catch (err) {
    if (!(err instanceof JsonFault)) throw err;
    return { ...lineColumn(text, err.offset), problem: err.problem };
  }
}

/**
 * Parses a config document as JSON or YAML. On a syntax error throws an Error whose message is
 * `not valid JSON: <problem> at line L, column C` (YAML: the parser's error code), with nothing
 * of the text in it, and no cause (the parser's error quotes the text).
 */
export function parseConfigDocument(text: string, format: 'json' | 'yaml'): unknown {
  if (format === 'json') {
    const fault = findJsonFault(text);
    if (fault) {
      throw new Error(`not valid JSON: ${fault.problem} at line ${fault.line}, column ${fault.column}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      // The scanner accepts exactly JSON; should JSON.parse still disagree, say so without its text.
      throw new Error('not valid JSON');
    }
  }
  try {
    return parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError && err.linePos) {
      const { line, col } = err.linePos[0];
      throw new Error(`not valid YAML: ${err.code} at line ${line}, column ${col}`);
    }
    throw new Error('not valid YAML');
  }
}
