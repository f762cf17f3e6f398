/**
 * The logger: pino JSON lines (one event per line, message first, fields after), or readable
 * lines for people with LOG_FORMAT=pretty. Secrets are kept out by construction (Secret values
 * print as [redacted]) and, as a second guard, by redacting the usual secret field names.
 */
import { type DestinationStream, type Logger, pino } from 'pino';
import { escapeControls, hasControls } from './text.js';

export const REDACT_PATHS = [
  'password',
  'token',
  'secretKey',
  'sk',
  'authorization',
  '*.password',
  '*.token',
  '*.secretKey',
  '*.sk',
  '*.authorization',
  'headers.authorization',
  'headers["x-auth-token"]',
  'headers["x-security-token"]',
  'headers["x-subject-token"]',
  '*.headers.authorization',
  '*.headers["x-auth-token"]',
  '*.headers["x-security-token"]',
  '*.headers["x-subject-token"]',
];

export interface LogOptions {
  level: string;
  format: 'json' | 'pretty';
  /** Where lines go. Default: standard error (standard output is kept for command results). */
  destination?: DestinationStream | NodeJS.WritableStream;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'name']);

/** Formats one pino JSON line as `HH:MM:SS.mmm LEVEL message key=value ...`. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const t = typeof o.time === 'number' ? new Date(o.time).toISOString() : String(o.time ?? '');
  const time = t.slice(11, 23);
  const level =
    typeof o.level === 'number' ? (LEVELS[o.level] ?? String(o.level)) : String(o.level).toUpperCase();
  const fields = Object.entries(o)
    .filter(([k, v]) => !SKIP.has(k) && v !== undefined && v !== null)
    .map(([k, v]) => `${escapeControls(k)}=${prettyValue(v)}`);
  const msg = escapeControls(String(o.msg ?? ''));
  return `${time} ${level.padEnd(5)} ${msg}${fields.length ? `  ${fields.join(' ')}` : ''}\n`;
}

/**
 * A field value for a person at a terminal: a plain word as it is; anything with spaces, quotes
 * or control characters quoted as JSON. Control characters are escaped either way (JSON leaves
 * DEL, C1 and bidi controls as they are): a request id carrying `ESC ] 0 ; … BEL` from upstream
 * must not retitle or repaint the terminal.
 */
function prettyValue(v: unknown): string {
  if (typeof v === 'string' && !/[\s"\\]/.test(v) && !hasControls(v)) return v;
  return escapeControls(JSON.stringify(v) ?? String(v));
}

function prettyStream(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) out.write(prettyLine(line));
    },
  };
}

/**
 * The format for a configured LOG_FORMAT: `auto` is readable lines when `stream` is a terminal
 * (a person is watching) and JSON lines otherwise (a collector is reading).
 */
export function resolveLogFormat(
  setting: 'auto' | 'json' | 'pretty',
  stream: NodeJS.WritableStream,
): 'json' | 'pretty' {
  if (setting !== 'auto') return setting;
  return (stream as NodeJS.WriteStream).isTTY === true ? 'pretty' : 'json';
}

/** A pino logger writing JSON lines, or readable lines with format `pretty`, to `destination`. */
export function createLogger(opts: LogOptions): Logger {
  const dest = opts.destination ?? process.stderr;
  const stream =
    opts.format === 'pretty' ? prettyStream(dest as NodeJS.WritableStream) : (dest as DestinationStream);
  return pino(
    {
      level: opts.level,
      base: { name: 'hss-baseline-sync' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}
