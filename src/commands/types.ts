/** What every command module receives and exports (see src/cli.ts for the table of commands). */
import type { Env } from '../config/load.js';

export interface CliIo {
  env: Env;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Where SIGTERM/SIGINT come from; default the process. */
  signals?: NodeJS.EventEmitter;
}

/** A command module's `run`: the arguments after the command name in, an exit code (EXIT) out. */
export type RunCommand = (io: CliIo, args: string[]) => Promise<number>;
