/**
 * Fault suite, processes: SIGTERM to a running `sync`, two `sync` processes started together,
 * and a `sync` whose every scope is held by another worker. The spawned processes run the built
 * CLI (bin/hss-baseline-sync.js → dist/); dist is rebuilt first when it is older than src.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { main } from '../../src/cli.js';
import { tryLockScope } from '../../src/db/lock.js';
import { BIN, ensureBuilt, ROOT } from '../helpers/build.js';
import {
  FAULT_PROJECT,
  FAULT_SCOPE,
  type FaultHarness,
  faultHarness,
  stillRunning,
} from '../helpers/fault-harness.js';
import { storedRows, truthRows } from '../helpers/truth.js';
import { when } from '../helpers/wait.js';

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface Spawned {
  child: ChildProcess;
  exited: Promise<Exited>;
}

/** Starts `hss-baseline-sync sync` against the harness's database and simulator. */
function spawnSync(x: FaultHarness, env: Record<string, string> = {}): Spawned {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, 'sync'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: x.t.url,
      HSS_REGION: 'cn-north-4',
      HSS_PROJECT_ID: FAULT_PROJECT,
      HSS_ENDPOINT: x.config.targets[0]?.endpoint ?? '',
      HSS_AUTH_TOKEN: 'fault-token',
      HSS_IMAGE_TYPES: x.config.targets[0]?.imageTypes.join(',') ?? '',
      HSS_CICD_SUMMARIES: x.config.cicdSummaries,
      HSS_PAGE_SIZE: '10',
      HSS_RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<Exited>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
  return { child, exited };
}

const children: ChildProcess[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('processes', () => {
  it('SIGTERM mid-run: exits within 10 s, no run left running, the next sync completes exactly', async () => {
    const h = await faultHarness({
      fakeTime: false,
      // cicd summaries through ListImageRiskConfigs, as the seed's example shows (the simulator's
      // default answers image_type=cicd empty, as the official definition says).
      sim: {
        imagesPerScope: 30,
        imageTypes: ['private_image', 'cicd'],
        cicdRiskConfigs: 'seed',
        faults: { latencyMs: 40 },
      },
      env: { HSS_IMAGE_TYPES: 'private_image,cicd' },
    });
    const p = spawnSync(h, { HSS_FETCH_CONCURRENCY: '1' });
    children.push(p.child);
    const sim = h.sim;
    await when(
      'the first result calls',
      sim.onStats,
      () => (sim.stats().callsByApi.ListImageRiskConfigs ?? 0) >= 3,
    );
    const sent = Date.now();
    p.child.kill('SIGTERM');
    const exit = await p.exited;
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(exit.stderr).toContain('received SIGTERM: stopping (committed results are kept)');
    expect([exit.code, exit.signal]).toEqual([3, null]);
    expect(exit.stdout).toMatch(/^sync aborted run=/);
    const runs = await h.t.pool.query<{ status: string; error: string }>(
      `select status, error from hss_internal.sync_runs`,
    );
    expect(runs.rows).toEqual([{ status: 'aborted', error: 'aborted by signal' }]);
    expect(await stillRunning(h.t)).toBe(0);
    // What was committed before the signal stays; the next sync completes it exactly.
    const kept = (await storedRows(h.t)).length;
    expect(kept).toBeGreaterThan(0);
    const next = await h.sync();
    expect(next.status).toBe('succeeded');
    expect(next.counts.imagesFetched).toBeGreaterThan(0);
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
  });

  it('two sync processes started together: exact ground truth, no image fetched twice', async () => {
    const types = ['private_image', 'shared_image', 'local_image', 'cicd'] as const;
    const h = await faultHarness({
      fakeTime: false,
      // cicd summaries through ListImageRiskConfigs, as the seed's example shows (the simulator's
      // default answers image_type=cicd empty, as the official definition says).
      sim: { imagesPerScope: 14, imageTypes: [...types], cicdRiskConfigs: 'seed', faults: { latencyMs: 10 } },
      env: { HSS_IMAGE_TYPES: types.join(','), HSS_CICD_SUMMARIES: 'risk-configs' },
    });
    // One scope at a time each, so the two workers interleave over the scopes.
    const a = spawnSync(h, { HSS_SCOPE_CONCURRENCY: '1' });
    const b = spawnSync(h, { HSS_SCOPE_CONCURRENCY: '1' });
    children.push(a.child, b.child);
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect([ea.code, eb.code]).toEqual([0, 0]);
    expect(await storedRows(h.t)).toEqual(truthRows(h.sim));
    // Each image with results, or scanned without any, was fetched exactly once in its scope.
    const expected: Record<string, number> = {};
    for (const scope of h.sim.world.scopes()) {
      const scanned = [
        ...h.sim.world.groundTruth(scope).keys(),
        ...h.sim.world.coverageCases(scope).noResults,
      ];
      for (const imageId of scanned) expected[imageId] = (expected[imageId] ?? 0) + 1;
    }
    expect(h.sim.stats().riskConfigCallsByImageId).toEqual(expected);
    const runs = await h.t.pool.query<{ status: string }>(`select status from hss_internal.sync_runs`);
    expect(runs.rows).toEqual([{ status: 'succeeded' }, { status: 'succeeded' }]);
    expect(await stillRunning(h.t)).toBe(0);
  });

  it('a sync whose every scope another worker holds says so and exits 0', async () => {
    const h = await faultHarness({ fakeTime: false });
    const lock = await tryLockScope(h.t.handle, { ...FAULT_SCOPE, target: 'other-worker' });
    expect(lock).not.toBeNull();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    try {
      const code = await main(['sync'], {
        env: {
          DATABASE_URL: h.t.url,
          HSS_REGION: 'cn-north-4',
          HSS_PROJECT_ID: FAULT_PROJECT,
          HSS_ENDPOINT: h.config.targets[0]?.endpoint ?? '',
          HSS_AUTH_TOKEN: 'fault-token',
          HSS_IMAGE_TYPES: 'private_image',
          LOG_LEVEL: 'warn',
          LOG_FORMAT: 'json',
        },
        stdout,
        stderr,
      });
      expect(code).toBe(0);
    } finally {
      await lock?.release();
    }
    expect(out).toMatch(/^sync succeeded run=\S+ scopes=0\/0 skipped=1 images=0 /);
    expect(err).toContain(`skipped 1 scope(s) another worker is syncing: ${FAULT_PROJECT}/0/private_image\n`);
    expect(err).toContain('"msg":"scope skipped: another worker is syncing it"');
    expect(h.sim.stats().callsByApi).toEqual({});
  });

  it("two replicas on one schedule: node-cron's run coordinator elects one per tick", async () => {
    const h = await faultHarness({ fakeTime: false });
    const other = createApp(h.config, { logger: pino({ level: 'silent' }) });
    try {
      const tick = 'hss-baseline-sync:2026-03-01T00:30:00.000Z';
      expect(await h.app.runCoordinator.shouldRun(tick, 30_000)).toBe(true);
      expect(await other.runCoordinator.shouldRun(tick, 30_000)).toBe(false);
      // Another tick is a separate election.
      expect(await other.runCoordinator.shouldRun('hss-baseline-sync:2026-03-01T01:00:00.000Z', 30_000)).toBe(
        true,
      );
      await h.app.runCoordinator.onComplete(tick);
      expect(await other.runCoordinator.shouldRun(tick, 30_000)).toBe(true);
      await other.runCoordinator.onComplete(tick);
      await other.runCoordinator.onComplete('hss-baseline-sync:2026-03-01T01:00:00.000Z');
    } finally {
      await other.close();
    }
  });
});
