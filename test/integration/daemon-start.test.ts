/**
 * The daemon as operators run it: the built `hss-baseline-sync start` in its own process, on a
 * 5-second schedule against the simulator, with an unmigrated database. Its HTTP endpoints answer,
 * /metrics carries hss_sync_* samples, two runs succeed within 12 s, stdout is JSON lines, SIGTERM
 * ends it with exit 0 within 15 s, and `status` reads what it wrote.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import type { Simulator } from '../../src/simulator/index.js';
import { BIN, ensureBuilt, ROOT } from '../helpers/build.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startSimTarget } from '../helpers/sim-target.js';
import { when } from '../helpers/wait.js';

const PROJECT = 'proj-daemon';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Calls `listener` after each complete stdout line (and at exit); returns its remover. */
  onLine(listener: () => void): () => void;
}

function run(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const lines = new EventEmitter();
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    stdout.push(...parts);
    if (parts.length > 0) lines.emit('line');
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      if (partial) stdout.push(partial);
      resolve({ code, signal });
      lines.emit('line');
    }),
  );
  const onLine = (listener: () => void) => {
    lines.on('line', listener);
    return () => lines.off('line', listener);
  };
  return { child, stdout, stderr, exit, onLine };
}

type LogLine = Record<string, unknown> & { msg: string; level: string };

describe('start: the daemon in its own process', () => {
  let t: TestDatabase;
  let sim: Simulator;
  let port: number;
  let env: Record<string, string>;
  let daemon: Proc | null = null;

  beforeAll(async () => {
    ensureBuilt();
    t = await createTestDatabase({ migrate: false });
    const target = await startSimTarget({
      project: PROJECT,
      token: 'daemon-token',
      seed: 3,
      imagesPerScope: 5,
      imageTypes: ['private_image', 'local_image'],
    });
    sim = target.sim;
    port = await freePort();
    env = {
      DATABASE_URL: t.url,
      ...target.env,
      HSS_RATE_LIMIT_PER_MINUTE: '100000',
      SYNC_SCHEDULE: '*/5 * * * * *',
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
    };
  });

  afterAll(async () => {
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill('SIGKILL');
      await daemon.exit;
    }
    await sim?.close();
    await t?.drop();
  });

  it('serves probes and metrics, runs on schedule, logs JSON lines, stops on SIGTERM with 0; status reads it', async () => {
    const started = Date.now();
    daemon = run(['start'], env);
    const d = daemon;
    const http = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, body: await res.text() };
    };
    const parsed = (): LogLine[] => d.stdout.filter(Boolean).map((l) => JSON.parse(l) as LogLine);
    const succeededRuns = () =>
      parsed().filter((l) => l.msg === 'sync run finished' && l.status === 'succeeded');

    // Probes: /healthz as soon as the daemon says its server listens (after the boot migration),
    // /readyz then too. A daemon that exits first fails at once, naming its stderr.
    const running = (ok: () => boolean) => () => {
      if (d.child.exitCode !== null || d.child.signalCode !== null)
        throw new Error(`the daemon exited early; stderr: ${d.stderr.join('')}`);
      return ok();
    };
    const saidListening = () => parsed().some((l) => l.msg === 'http endpoints listening' && l.port === port);
    await when('the daemon to listen', d.onLine, running(saidListening), 30_000);
    expect(await http('/healthz')).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect(await http('/readyz')).toEqual({ status: 200, body: '{"status":"ready"}' });

    // Two successful runs: one at start, one on the 5-s schedule. What is checked is the wiring
    // (the schedule fires), not the machine's speed: the bound is generous.
    await when(
      'two succeeded runs',
      d.onLine,
      running(() => succeededRuns().length >= 2),
      60_000,
    );
    const ledger = await t.pool.query<{ status: string; trigger: string; n: number }>(
      `select status, trigger, count(*)::int as n from hss_internal.sync_runs where status <> 'running' group by 1, 2`,
    );
    expect(
      ledger.rows.find((r) => r.status === 'succeeded' && r.trigger === 'schedule')?.n,
    ).toBeGreaterThanOrEqual(2);

    // Metrics: hss_sync_* samples from the runs, the calls, the pacer and the process.
    const metrics = await http('/metrics');
    expect(metrics.status).toBe(200);
    const sample = (re: RegExp) => Number(metrics.body.match(re)?.[1] ?? Number.NaN);
    expect(sample(/^hss_sync_runs_total\{status="succeeded"\} (\d+)$/m)).toBeGreaterThanOrEqual(2);
    expect(sample(/^hss_sync_runs_total\{status="failed"\} (\d+)$/m)).toBe(0);
    expect(sample(/^hss_sync_api_calls_total\{api="ListImageRiskConfigs",status="200"\} (\d+)$/m)).toBe(
      sim.stats().callsByApi.ListImageRiskConfigs,
    );
    expect(
      sample(/^hss_sync_api_calls_total\{api="ListRegistryImages",status="200"\} (\d+)$/m),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(/^hss_sync_history_versions_total\{change="opened"\} (\d+)$/m)).toBeGreaterThan(0);
    expect(
      sample(
        /^hss_sync_images_pending\{target="cn-north-4\/proj-daemon",project_id="proj-daemon",enterprise_project_id="0",image_type="local_image"\} (\d+)$/m,
      ),
    ).toBe(0);
    expect(
      sample(
        /^hss_sync_scope_last_success_timestamp_seconds\{[^}]*image_type="private_image"\} ([\d.e+]+)$/m,
      ),
    ).toBeGreaterThan(started / 1000 - 1);
    expect(
      sample(
        /^hss_sync_api_budget_remaining\{credential="[0-9a-f]{12}",api="ListImageRiskConfigs"\} (\d+)$/m,
      ),
    ).toBeGreaterThan(99_000);
    expect(sample(/^hss_sync_next_run_timestamp_seconds (\d+)$/m) % 5).toBe(0);
    expect(metrics.body).toMatch(/^hss_sync_process_resident_memory_bytes \d+$/m);
    const names = [...metrics.body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    expect(names.filter((n) => !n.startsWith('hss_sync_'))).toEqual([]);

    // SIGTERM: exit 0 within 15 s.
    const termAt = Date.now();
    d.child.kill('SIGTERM');
    const exit = await Promise.race([d.exit, sleep(15_000).then(() => null)]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - termAt).toBeLessThan(15_000);
    expect(d.stderr.join('')).toBe('');

    // Every stdout line is one JSON object with a level, a time and a message.
    const lines = parsed();
    for (const l of lines) {
      expect(typeof l.msg).toBe('string');
      expect(typeof l.level).toBe('string');
      expect(typeof l.time).toBe('string');
    }
    const msgs = lines.map((l) => l.msg);
    // The database was empty: `start` migrated it at boot.
    expect(lines[0]).toMatchObject({ msg: 'database migrations up to date', level: 'info' });
    expect(lines[0]!.applied).toBeGreaterThanOrEqual(2);
    expect(lines[0]!.applied).toBe(lines[0]!.total);
    expect(msgs).toContain('http endpoints listening');
    expect(msgs).toContain('scheduler started');
    expect(msgs.at(-2)).toBe('shutting down');
    expect(msgs.at(-1)).toBe('stopped');
    // A start and an end line per run and per scope, with counts.
    const firstRun = lines.find((l) => l.msg === 'sync run started')!;
    expect(firstRun).toMatchObject({ scopes: 2, trigger: 'schedule' });
    const runLines = lines.filter((l) => l.runId === firstRun.runId);
    expect(
      runLines
        .filter((l) => l.msg === 'scope started')
        .map((l) => l.scope)
        .sort(),
    ).toEqual(['proj-daemon/0/local_image', 'proj-daemon/0/private_image']);
    const scopeEnds = runLines.filter((l) => l.msg === 'scope finished');
    expect(scopeEnds).toHaveLength(2);
    for (const s of scopeEnds) {
      expect(s).toMatchObject({ status: 'succeeded', imagesPending: 0, throttled: 0 });
      expect(s.imagesFetched).toBe(s.imagesDue);
      expect(s.imagesListed).toBeGreaterThanOrEqual(5);
    }
    const runEnd = runLines.find((l) => l.msg === 'sync run finished')!;
    expect(runEnd).toMatchObject({ status: 'succeeded', imagesDistinct: 10, imagesFetched: 10 });

    // status afterwards, from its own process.
    const status = run(['status', '--json'], { DATABASE_URL: t.url, SYNC_SCHEDULE: '*/5 * * * * *' });
    expect((await status.exit).code).toBe(0);
    const report = JSON.parse(status.stdout.join('\n')) as {
      runs: { status: string; trigger: string; counts: { imagesFetched: number } }[];
      scopes: { imageType: string; images: number; pending: number; lastStatus: string }[];
      schedule: { nextRun: string | null };
    };
    expect(report.runs.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(2);
    expect(report.runs.at(-1)).toMatchObject({
      status: 'succeeded',
      trigger: 'schedule',
      counts: { imagesFetched: 10 },
    });
    expect(report.scopes.map((s) => [s.imageType, s.images, s.pending, s.lastStatus])).toEqual([
      ['local_image', 5, 0, 'succeeded'],
      ['private_image', 5, 0, 'succeeded'],
    ]);
    expect(report.schedule.nextRun).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:(00|05|10|15|20|25|30|35|40|45|50|55)\.000Z$/,
    );
  });
});
