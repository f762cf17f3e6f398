import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine, resolveLogFormat } from './log.js';

function capture() {
  const out = new PassThrough();
  const lines: string[] = [];
  out.write = ((chunk: string) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  }) as typeof out.write;
  return { out, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line: level label, ISO time, name, message and fields', () => {
    const { out, lines } = capture();
    const log = createLogger({ level: 'info', format: 'json', destination: out });
    log.child({ runId: 'r1' }).info({ scope: 'p/0/private_image', fetched: 3 }, 'scope finished');
    log.debug('not at info');
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(o).toMatchObject({
      level: 'info',
      name: 'hss-baseline-sync',
      runId: 'r1',
      scope: 'p/0/private_image',
      fetched: 3,
      msg: 'scope finished',
    });
    expect(String(o.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('redacts secret-looking fields even if someone logs them', () => {
    const { out, lines } = capture();
    const log = createLogger({ level: 'info', format: 'json', destination: out });
    log.info({ password: 'hunter2', headers: { 'x-auth-token': 'tok' }, auth: { token: 't' } }, 'x');
    expect(lines[0]).not.toMatch(/hunter2|"tok"|"t"/);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      password: '[redacted]',
      headers: { 'x-auth-token': '[redacted]' },
      auth: { token: '[redacted]' },
    });
  });

  it('pretty: `HH:MM:SS.mmm LEVEL message  key=value`', () => {
    const { out, lines } = capture();
    const log = createLogger({ level: 'info', format: 'pretty', destination: out });
    log.warn({ scope: 'p/0/cicd', error: 'HSS.0010 no permission' }, 'scope finished');
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}scope finished {2}scope=p\/0\/cicd error="HSS.0010 no permission"$/,
    );
    expect(prettyLine('{"level":"info","time":"2026-03-01T12:00:05.123Z","msg":"hi","n":1}')).toBe(
      '12:00:05.123 INFO  hi  n=1\n',
    );
  });
});

describe('prettyLine: control characters from upstream never reach the terminal raw', () => {
  const line = (fields: Record<string, unknown>, msg = 'HSS call failed; retrying') =>
    prettyLine(JSON.stringify({ level: 40, time: Date.UTC(2026, 2, 1, 12), msg, ...fields }));

  it('escapes ESC ] 0 ; … BEL in a request id (it would retitle the terminal)', () => {
    expect(line({ requestId: '\u001b]0;pwned\u0007', status: 503 })).toBe(
      '12:00:00.000 WARN  HSS call failed; retrying  requestId="\\u001b]0;pwned\\u0007" status=503\n',
    );
  });

  it('escapes C1 controls (CSI), DEL, NUL and bidi overrides in values, keys, nested values and the message', () => {
    const out = line(
      { err: 'x\u009b2J\u007f\u0000y', 'k\u001b': 1, nested: { id: 'a\u202eb' } },
      'msg\u001b[31m red',
    );
    expect(out).toBe(
      '12:00:00.000 WARN  msg\\u001b[31m red  err="x\\u009b2J\\u007f\\u0000y" k\\u001b=1 nested={"id":"a\\u202eb"}\n',
    );
    expect(out.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it('plain words stay unquoted; quotes and backslashes are quoted', () => {
    expect(line({ a: 'plain-word', b: 'say "x"', c: 'C:\\dir' }, 'm')).toBe(
      '12:00:00.000 WARN  m  a=plain-word b="say \\"x\\"" c="C:\\\\dir"\n',
    );
  });
});

describe('resolveLogFormat', () => {
  it('auto is pretty on a terminal and JSON otherwise; explicit settings win', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const pipe = new PassThrough();
    expect(resolveLogFormat('auto', tty)).toBe('pretty');
    expect(resolveLogFormat('auto', pipe)).toBe('json');
    expect(resolveLogFormat('json', tty)).toBe('json');
    expect(resolveLogFormat('pretty', pipe)).toBe('pretty');
  });
});
