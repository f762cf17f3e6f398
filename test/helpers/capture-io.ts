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
  /** Calls `listener` after every write to stdout or stderr; returns the function that removes it. */
  onOutput(listener: () => void): () => void;
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
  const output = new EventEmitter();
  const append = (s: string, to: 'out' | 'err') => {
    if (to === 'out') out += s;
    else err += s;
    output.emit('write');
  };
  return {
    io: { env, stdout: sink((s) => append(s, 'out')), stderr: sink((s) => append(s, 'err')), signals },
    out: () => out,
    err: () => err,
    signals,
    onOutput: (listener) => {
      output.on('write', listener);
      return () => output.off('write', listener);
    },
  };
}
