/**
 * A fault-suite fixture: a fresh database, a simulator on loopback and an app wired to both,
 * optionally on a FakeClock shared by worker and simulator (fake time, real HTTP and SQL), with
 * the app's warnings captured, and readers for the run ledger.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { onTestFinished } from 'vitest';
import type { App } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import type { Env } from '../../src/config/load.js';
import type { AppConfig } from '../../src/config/types.js';
import type { Simulator, SimulatorOptions } from '../../src/simulator/index.js';
import type { RunReport } from '../../src/sync/engine.js';
import type { TestDatabase } from './db.js';
import { runWithFakeTime, setupSync } from './sync-setup.js';

export const FAULT_PROJECT = 'proj-fault';
export const FAULT_SCOPE = {
  projectId: FAULT_PROJECT,
  enterpriseProjectId: '0',
  imageType: 'private_image' as const,
};

export interface FaultHarness {
  t: TestDatabase;
  sim: Simulator;
  app: App;
  config: AppConfig;
  /** Set when the harness runs on fake time. */
  clock: FakeClock | null;
  /** JSON log lines at warn and above. */
  logs: Record<string, unknown>[];
  /** One sync to the end (driving fake time when there is a FakeClock). */
  sync(): Promise<RunReport>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  env?: Env;
  /** Worker and simulator share a FakeClock (default true). */
  fakeTime?: boolean;
  /** Adjusts the loaded configuration (limits that have no variable). */
  tweak?(config: AppConfig): AppConfig;
  /** Seed of the worker's jitter source (default 1). */
  jitterSeed?: number;
}

/** mulberry32: a small seeded [0, 1) source. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function faultHarness(opts: HarnessOptions = {}): Promise<FaultHarness> {
  const clock = opts.fakeTime === false ? null : new FakeClock(Date.UTC(2026, 2, 1));
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const { t, sim, app } = await setupSync({
    sim: {
      seed: 7,
      imagesPerScope: 12,
      imageTypes: ['private_image'],
      projects: [{ projectId: FAULT_PROJECT, enterpriseProjects: ['0'] }],
      auth: { tokens: ['fault-token'] },
      ...(clock ? { clock } : {}),
      ...opts.sim,
    },
    env: { HSS_PROJECT_ID: FAULT_PROJECT, HSS_AUTH_TOKEN: 'fault-token', HSS_PAGE_SIZE: '10', ...opts.env },
    tweak: opts.tweak,
    logger: pino({ level: 'warn' }, sink),
    // Backoff and throttle jitter from a seeded source, so a failing run replays.
    random: seededRandom(opts.jitterSeed ?? 1),
    ...(clock ? { clock } : {}),
  });
  const config = app.config;
  let closed: Promise<void> | undefined;
  const harness: FaultHarness = {
    t,
    sim,
    app,
    config,
    clock,
    logs,
    sync: () => {
      const run = app.sync({ trigger: 'test', deadlineMs: null });
      return clock ? runWithFakeTime(clock, run, 1_000) : run;
    },
    close() {
      closed ??= (async () => {
        await app.close();
        await sim.close();
        await t.drop();
      })();
      return closed;
    },
  };
  // Closed when the test that opened it has finished, whatever it asserted.
  onTestFinished(() => harness.close());
  return harness;
}

export interface RunRow {
  status: string;
  error: string | null;
  scopes_total: number;
  scopes_failed: number;
  images_fetched: number;
  images_pending: number;
  throttled: number;
  retries: number;
}

/** The ledger row of a run. */
export async function runRow(t: TestDatabase, runId: string): Promise<RunRow> {
  const r = await t.pool.query<RunRow>(
    `select status, error, scopes_total, scopes_failed, images_fetched, images_pending, throttled, retries
       from hss_internal.sync_runs where run_id = $1`,
    [runId],
  );
  if (!r.rows[0]) throw new Error(`no run ${runId}`);
  return r.rows[0];
}

/** items_quarantined of a run in the ledger: the run row's, then each scope row's. */
export async function quarantinedInLedger(
  t: TestDatabase,
  runId: string,
): Promise<{ run: number; scopes: number[] }> {
  const run = await t.pool.query<{ n: number }>(
    'select items_quarantined as n from hss_internal.sync_runs where run_id = $1',
    [runId],
  );
  const scopes = await t.pool.query<{ n: number }>(
    `select items_quarantined as n from hss_internal.sync_scope_runs
      where run_id = $1 order by enterprise_project_id, image_type`,
    [runId],
  );
  return { run: run.rows[0]?.n ?? -1, scopes: scopes.rows.map((r) => r.n) };
}

/** Every scope row of a run, as [image_type, status, inventory_complete, error]. */
export async function scopeRows(
  t: TestDatabase,
  runId: string,
): Promise<[string, string, boolean | null, string | null][]> {
  const r = await t.pool.query<{
    image_type: string;
    status: string;
    inventory_complete: boolean | null;
    error: string | null;
  }>(
    `select image_type, status, inventory_complete, error from hss_internal.sync_scope_runs
      where run_id = $1 order by enterprise_project_id, image_type`,
    [runId],
  );
  return r.rows.map((x) => [x.image_type, x.status, x.inventory_complete, x.error]);
}

/** Runs or scope runs still marked `running`. */
export async function stillRunning(t: TestDatabase): Promise<number> {
  const r = await t.pool.query<{ n: number }>(
    `select (select count(*) from hss_internal.sync_runs where status = 'running')
          + (select count(*) from hss_internal.sync_scope_runs where status = 'running') as n`,
  );
  return Number(r.rows[0]?.n);
}
