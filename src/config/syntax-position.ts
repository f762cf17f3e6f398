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

/** A recursive-descent scanner over one text: it only finds where the text stops being JSON. */
class JsonScanner {
  private i = 0;

  constructor(private readonly text: string) {}

  private fail(problem: string, at = this.i): never {
    throw new JsonFault(at, problem);
  }

  private ws(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i]!)) this.i++;
  }

  private literal(word: string): void {
    if (this.text.startsWith(word, this.i)) this.i += word.length;
    else this.fail('unexpected character');
  }

  private string(): void {
    const { text } = this;
    this.i++; // opening quote
    for (;;) {
      if (this.i >= text.length) this.fail('unterminated string');
      const c = text.charCodeAt(this.i);
      if (c === 0x22) {
        this.i++;
        return;
      }
      if (c < 0x20) this.fail('control character in a string');
      if (c === 0x5c) this.escape();
      else this.i++;
    }
  }

  /** A backslash escape inside a string. */
  private escape(): void {
    const e = this.text[this.i + 1];
    if (e === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) this.fail('bad \\u escape');
      this.i += 6;
    } else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.i += 2;
    else this.fail('bad escape in a string');
  }

  private number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 400));
    if (!m || m[0] === '' || m[0] === '-') this.fail('bad number');
    this.i += (m as RegExpExecArray)[0].length;
  }

  /** The items of an object or array, from its opening bracket to `close`, separated by commas. */
  private list(close: '}' | ']', item: () => void): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      item();
      this.ws();
      if (this.text[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.text[this.i] === close) {
        this.i++;
        return;
      }
      this.fail(this.text[this.i] === undefined ? 'unexpected end of input' : `expected ',' or '${close}'`);
    }
  }

  private member(depth: number): void {
    this.ws();
    if (this.text[this.i] !== '"') {
      this.fail(
        this.text[this.i] === undefined
          ? 'unexpected end of input'
          : 'expected a property name in double quotes',
      );
    }
    this.string();
    this.ws();
    if (this.text[this.i] !== ':') this.fail("expected ':' after a property name");
    this.i++;
    this.value(depth + 1);
  }

  value(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    this.ws();
    const c = this.text[this.i];
    if (c === undefined) this.fail('unexpected end of input');
    else if (c === '{') this.list('}', () => this.member(depth));
    else if (c === '[') this.list(']', () => this.value(depth + 1));
    else if (c === '"') this.string();
    else if (c === '-' || (c >= '0' && c <= '9')) this.number();
    else if (c === 't') this.literal('true');
    else if (c === 'f') this.literal('false');
    else if (c === 'n') this.literal('null');
    else this.fail('unexpected character');
  }

  /** The whole text: one value and nothing after it but white space. */
  document(): void {
    this.value(0);
    this.ws();
    if (this.i < this.text.length) this.fail('unexpected character after the document');
  }
}

/**
 * The first syntax fault of `text` as JSON (RFC 8259), or null when it is valid. A small
 * recursive-descent scanner: it only finds where the text stops being JSON; JSON.parse builds
 * the value.
 */
export function findJsonFault(text: string): SyntaxFault | null {
  try {
    new JsonScanner(text).document();
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
