/**
 * Small helpers of the container tests: run `docker` / the compose client without a shell, ask
 * whether an engine answers, pick free loopback ports, inspect containers of a compose project.
 */
import { execFile } from 'node:child_process';

export interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args` (no shell), never rejects: the exit code, stdout and stderr. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr) || (err && !stderr ? err.message : ''),
        });
      },
    );
  });
}

/** Like run(), but rejects with the command and the tail of its output when it fails. */
export async function must(
  cmd: string,
  args: readonly string[],
  opts: Parameters<typeof run>[2] = {},
): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).slice(-3000)}`);
  return r.stdout;
}

/** The compose client: `docker compose` (v2) or `docker-compose` (v1), or null when neither runs. */
export async function composeCommand(): Promise<string[] | null> {
  if ((await run('docker', ['compose', 'version'], { timeoutMs: 15_000 })).code === 0)
    return ['docker', 'compose'];
  if ((await run('docker-compose', ['version'], { timeoutMs: 15_000 })).code === 0) return ['docker-compose'];
  return null;
}

/** Why the container tests cannot run here, or null when a Docker engine answers. */
export async function engineProblem(): Promise<string | null> {
  const r = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 });
  if (r.code === 0 && r.stdout.trim() !== '') return null;
  const why = (r.stderr || r.stdout).split('\n').find((l) => l.trim() !== '') ?? `exit ${r.code}`;
  return `no Docker engine answers (docker info: ${why.trim().slice(0, 200)})`;
}

/** A TCP port free on 127.0.0.1 right now (the one the embedded server and the demo use). */
export { freePort } from '../../src/db/embedded.js';

/** Ids of every container (running or not) of compose project `project`, optionally one service. */
export async function projectContainers(project: string, service?: string): Promise<string[]> {
  const filters = ['--filter', `label=com.docker.compose.project=${project}`];
  if (service) filters.push('--filter', `label=com.docker.compose.service=${service}`);
  const out = await must('docker', ['ps', '-a', '-q', ...filters]);
  return out.split('\n').filter(Boolean);
}

/** The fields of `docker inspect` (a container, or an image's Size) the tests read. */
export interface Inspected {
  Id: string;
  Size?: number;
  State: { Status: string; ExitCode: number; OOMKilled: boolean; Health?: { Status: string } };
  Config: { User: string; Env: string[] };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
  HostConfig: {
    ReadonlyRootfs: boolean;
    CapDrop: string[] | null;
    SecurityOpt: string[] | null;
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
  };
}

/** `docker inspect` of one container or image, parsed. */
export async function inspect(id: string): Promise<Inspected> {
  const out = await must('docker', ['inspect', id]);
  return JSON.parse(out)[0];
}

/** Polls `check` every `everyMs` until it returns a value other than undefined, or throws on timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 2_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The tag the compose file gives the image (`image: hss-baseline-sync:local`). */
export const IMAGE = 'hss-baseline-sync:local';

/**
 * Builds the Dockerfile in `root` as IMAGE (the classic builder unless DOCKER_BUILDKIT says
 * otherwise: it needs no buildx plugin); logs the time and the size. Cached layers make a second
 * build take well under a second.
 */
export async function buildImage(root: string): Promise<void> {
  const env = { ...process.env, DOCKER_BUILDKIT: process.env.DOCKER_BUILDKIT ?? '0' };
  const t0 = Date.now();
  await must('docker', ['build', '-q', '-t', IMAGE, '.'], { cwd: root, env, timeoutMs: 600_000 });
  const size = (await inspect(IMAGE)).Size ?? 0;
  console.log(`[container] built ${IMAGE} in ${Date.now() - t0} ms, ${(size / 1e6).toFixed(1)} MB`);
}
