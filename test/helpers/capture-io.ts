/**
 * A CliIo whose stdout and stderr are collected as strings, for tests of `main`; `signals`
 * stands in for the process (emit 'SIGTERM' on it).
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { CliIo } from '../../src/cli.js';
import type { Env } from '../../src/config/load.js';

export interface CapturedIo {
  io: CliIo;
  out: () => string;
  err: () => string;
  signals: EventEmitter;
}

export function captureIo(env: Env): CapturedIo {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _e, cb) {
        append(String(chunk));
        cb();
      },
    });
  const signals = new EventEmitter();
  return {
    io: { env, stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), signals },
    out: () => out,
    err: () => err,
    signals,
  };
}
