/**
 * Runs the `postgres` server of an initialised embedded cluster in a session of its own. A Ctrl-C
 * in a terminal signals the whole foreground process group: a server in that group shuts down at
 * once (fast shutdown: every connection ends with 57P01, a run in flight cannot record its end)
 * before the program's own orderly stop (finish the run, close the pools, then stop the server)
 * can run. In its own session the server stops only when the program stops it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { ConfigError } from '../errors.js';

export interface PostmasterOptions {
  /** The `postgres` binary. */
  bin: string;
  dataDir: string;
  port: number;
  /** `-c name=value` pairs, already split. */
  flags: string[];
  /** Run as this OS user (needed as root: PostgreSQL refuses to run as root). */
  asUser?: string;
  onLog?: (line: string) => void;
}

export interface Postmaster {
  stop(): Promise<void>;
}

/** The uid and gid of an OS user (`id -u`, `id -g`). */
function idsOf(user: string): { uid: number; gid: number } {
  const id = (flag: string) => Number.parseInt(execFileSync('id', [flag, user], { encoding: 'utf8' }), 10);
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Starts the server detached (its own session and process group) and resolves once it accepts
 * connections; rejects with its last log line when it exits first. The server is stopped (fast
 * shutdown) by `stop()`, and also when this process exits without calling it.
 */
export function startPostmaster(o: PostmasterOptions): Promise<Postmaster> {
  // English messages: readiness is read from the log.
  const args = ['-D', o.dataDir, '-p', String(o.port), ...o.flags, '-c', 'lc_messages=C'];
  const child: ChildProcess = spawn(o.bin, args, {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(o.asUser ? idsOf(o.asUser) : {}),
  });
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  // A process that ends without stop() (an error, a forced exit) must not leave the server behind.
  const onProcessExit = () => {
    if (!exited) child.kill('SIGINT');
  };
  process.once('exit', onProcessExit);
  const stop = async () => {
    process.removeListener('exit', onProcessExit);
    if (!exited) child.kill('SIGINT');
    await exit;
  };
  return new Promise<Postmaster>((resolve, reject) => {
    let last = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line.trim()) continue;
        last = line.trim();
        o.onLog?.(line);
        if (line.includes('database system is ready to accept connections')) resolve({ stop });
      }
    });
    child.once('error', (err) => {
      process.removeListener('exit', onProcessExit);
      reject(err);
    });
    void exit.then(() => {
      process.removeListener('exit', onProcessExit);
      reject(new Error(`PostgreSQL exited while starting: ${last || 'no message'}`));
    });
  });
}

/**
 * Throws a ConfigError naming `flag` when `port` on 127.0.0.1 is taken (another demo, a local
 * PostgreSQL), with how to choose another.
 */
export async function assertPortFree(port: number, flag: string, howToChoose: string): Promise<void> {
  const taken = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(null)));
  });
  if (!taken) return;
  const why =
    taken.code === 'EADDRINUSE'
      ? 'is in use on 127.0.0.1 (another demo still running, or a PostgreSQL of your own?)'
      : `cannot be used on 127.0.0.1 (${taken.code ?? taken.message})`;
  throw new ConfigError(flag, `port ${port} ${why}`, howToChoose);
}
