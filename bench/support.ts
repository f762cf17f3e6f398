/**
 * Benchmark plumbing: a PostgreSQL server (BENCH_DATABASE_URL, else embedded), a fresh migrated
 * database per measurement, and an app wired to a simulator. Timings are wall-clock here on
 * purpose: benchmarks measure, tests never assert time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { type App, createApp } from '../src/app.js';
import { type Env, loadConfig } from '../src/config/load.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { createDb } from '../src/db/pool.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../src/simulator/index.js';

export const BENCH_PROJECT = 'proj-bench';

/** migrations/ of the project: the bench is compiled to dist-bench/bench/, outside the build. */
const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface BenchServer {
  adminUrl: string;
  label: string;
  stop(): Promise<void>;
}

/** The server every measurement uses: BENCH_DATABASE_URL, else an embedded PostgreSQL in a temp dir. */
export async function benchServer(env: Env): Promise<BenchServer> {
  const given = env.BENCH_DATABASE_URL?.trim();
  if (given) return { adminUrl: given, label: 'BENCH_DATABASE_URL', stop: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'hss-bench-'));
  const { chmod } = await import('node:fs/promises');
  await chmod(dir, 0o777);
  const server = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), persistent: false });
  return {
    adminUrl: server.url,
    label: 'embedded PostgreSQL 17',
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface BenchDb {
  url: string;
  drop(): Promise<void>;
}

/** Creates and migrates a fresh database for one measurement. */
export async function freshDatabase(adminUrl: string): Promise<BenchDb> {
  const name = `hss_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template template0 encoding 'UTF8'`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const h = createDb(u.toString());
  await migrate(h, undefined, { migrationsFolder: MIGRATIONS });
  await h.close();
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function benchSimulator(opts: SimulatorOptions): Promise<{ sim: Simulator; url: string }> {
  const sim = createSimulator({
    seed: 42,
    projects: [{ projectId: BENCH_PROJECT, enterpriseProjects: ['0'] }],
    imageTypes: ['private_image'],
    auth: { tokens: ['bench-token'] },
    ...opts,
  });
  const { url } = await sim.listen();
  return { sim, url };
}

/** The env of a one-scope sync against the simulator. */
export function benchEnv(dbUrl: string, simUrl: string, extra: Env = {}): Env {
  return {
    DATABASE_URL: dbUrl,
    HSS_REGION: 'cn-north-4',
    HSS_PROJECT_ID: BENCH_PROJECT,
    HSS_ENDPOINT: simUrl,
    HSS_AUTH_TOKEN: 'bench-token',
    HSS_IMAGE_TYPES: 'private_image',
    HSS_RATE_LIMIT_PER_MINUTE: '100000',
    // The figures are about the summary sync; the rule drill-down (its own APIs and budgets,
    // bounded by the run deadline in production) would only lengthen the runs measured here.
    HSS_RULE_DETAIL: 'off',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export function benchApp(env: Env): App {
  return createApp(loadConfig(env), { logger: pino({ level: 'silent' }) });
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

export const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface RemoteSimulator {
  url: string;
  setFaults(faults: Record<string, unknown>): Promise<void>;
  stats(): Promise<{ throttled: number; callsByApi: Record<string, number> }>;
  close(): Promise<void>;
}

/**
 * The simulator in a process of its own (`hss-baseline-sync simulate`), so its CPU time is not
 * charged to the worker being measured. Controlled over its /_sim surface.
 */
export async function spawnSimulator(o: {
  images: number;
  ratePerMinute?: number;
}): Promise<RemoteSimulator> {
  const { spawn } = await import('node:child_process');
  const bin = fileURLToPath(new URL('../../bin/hss-baseline-sync.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      bin,
      'simulate',
      '--port',
      '0',
      '--seed',
      '42',
      '--images',
      String(o.images),
      '--rate-limit',
      String(o.ratePerMinute ?? 0),
      '--token',
      'bench-token',
      '--project',
      BENCH_PROJECT,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited early (${code})`)));
  });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    if (!res.ok) throw new Error(`simulator ${path}: HTTP ${res.status}`);
  };
  return {
    url,
    setFaults: (faults) => post('/_sim/faults', faults),
    stats: async () =>
      (await (await fetch(`${url}/_sim/stats`)).json()) as {
        throttled: number;
        callsByApi: Record<string, number>;
      },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
