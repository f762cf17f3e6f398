/** A CliIo whose stdout and stderr are collected as strings, for tests of `main`. */
import { Writable } from 'node:stream';
import type { CliIo } from '../../src/cli.js';
import type { Env } from '../../src/config/load.js';

export function captureIo(env: Env): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _e, cb) {
        append(String(chunk));
        cb();
      },
    });
  return {
    io: { env, stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) },
    out: () => out,
    err: () => err,
  };
}
