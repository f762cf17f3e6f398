/**
 * A database, a simulator on loopback and an app wired to both, for sync tests. The env given is
 * merged over a working default (token auth, the simulator's endpoint, the test database).
 */
import { type Logger, pino } from 'pino';
import { type App, createApp } from '../../src/app.js';
import type { Clock, FakeClock } from '../../src/clock.js';
import { type Env, loadConfig } from '../../src/config/load.js';
import type { AppConfig } from '../../src/config/types.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import type { SyncObserver } from '../../src/sync/engine.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface SyncSetup {
  t: TestDatabase;
  sim: Simulator;
  simUrl: string;
  app: App;
  close(): Promise<void>;
}

export const TEST_PROJECT = 'proj-test';

export async function setupSync(opts: {
  sim?: SimulatorOptions;
  env?: Env;
  clock?: Clock;
  logger?: Logger;
  t?: TestDatabase;
  observer?: SyncObserver;
  /** Adjusts the loaded configuration (limits that have no variable). */
  tweak?: (config: AppConfig) => AppConfig;
  /** The worker's jitter source. */
  random?: () => number;
}): Promise<SyncSetup> {
  const t = opts.t ?? (await createTestDatabase());
  const sim = createSimulator({
    seed: 5,
    imagesPerScope: 10,
    projects: [{ projectId: TEST_PROJECT, enterpriseProjects: ['0'] }],
    auth: { tokens: ['test-token'] },
    ...opts.sim,
  });
  const { url } = await sim.listen();
  const env: Env = {
    DATABASE_URL: t.url,
    HSS_REGION: 'cn-north-4',
    HSS_PROJECT_ID: TEST_PROJECT,
    HSS_ENDPOINT: url,
    HSS_IAM_ENDPOINT: url,
    HSS_AUTH_TOKEN: 'test-token',
    HSS_IMAGE_TYPES: 'private_image',
    HSS_RATE_LIMIT_PER_MINUTE: '100000',
    // The rate limit is lifted, so the tests exercise every lane, per-image values included (the
    // default, off, is proven by src/config/load.test.ts and src/sync/rule-values.test.ts).
    HSS_RULE_VALUES: 'all',
    ...opts.env,
  };
  const config = loadConfig(env);
  const app = createApp(opts.tweak ? opts.tweak(config) : config, {
    logger: opts.logger ?? pino({ level: 'silent' }),
    clock: opts.clock,
    ...(opts.observer ? { observer: opts.observer } : {}),
    ...(opts.random ? { random: opts.random } : {}),
  });
  return {
    t,
    sim,
    simUrl: url,
    app,
    async close() {
      await app.close();
      await sim.close();
      if (!opts.t) await t.drop();
    },
  };
}

/** Drives `work` to completion while moving a FakeClock forward in steps (fake time, real I/O). */
export async function runWithFakeTime<T>(
  clock: { advance(ms: number): Promise<void> },
  work: Promise<T>,
  stepMs = 1000,
  maxSteps = 100_000,
): Promise<T> {
  let done = false;
  let result: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  work.then(
    (value) => {
      done = true;
      result = { ok: true, value };
    },
    (error: unknown) => {
      done = true;
      result = { ok: false, error };
    },
  );
  for (let i = 0; !done; i++) {
    if (i >= maxSteps) throw new Error(`work did not finish within ${maxSteps} fake steps`);
    await clock.advance(stepMs);
    // Let real I/O (sockets, PostgreSQL) make progress between fake steps.
    await new Promise((r) => setTimeout(r, 1));
  }
  if (!result) throw new Error('unreachable');
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Drives `work` on a FakeClock without letting real I/O leak into fake time: the clock moves only
 * while the app is idle (no HSS call in flight, no database connection checked out), and then only
 * to the next pending sleep (what it knows of the app comes from the app's public counters, never
 * from a dependency's private fields). So every call starts and ends at the instant the pacer allowed it,
 * whatever the machine's speed, and the fake-time figures of two runs can be compared exactly.
 * `onIdle` sees each idle instant before the clock moves (to abort a run at a chosen point).
 */
const QUIET_LOOKS = 6;

export async function runQuiescent<T>(
  clock: FakeClock,
  app: App,
  work: Promise<T>,
  onIdle?: (now: number) => void,
  maxSteps = 20_000,
  quietLooks = QUIET_LOOKS,
): Promise<T> {
  let result: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  work.then(
    (value) => {
      result = { ok: true, value };
    },
    (error: unknown) => {
      result = { ok: false, error };
    },
  );
  // Only the app's public counters: its pools' activity (src/db/pool.ts) and the pacer's calls.
  const busy = () => {
    const db = app.db.activity();
    if (db.queries + db.connecting + db.checkedOut + db.waiting > 0) return true;
    // The lock pool keeps connections checked out while a lock is held: what counts is whether
    // one of them runs a query.
    const locks = app.locks.activity();
    if (locks.queries + locks.connecting + locks.waiting > 0) return true;
    return app.pacer.snapshot().some((k) => (k.inFlight ?? 0) > 0);
  };
  // A look lets the event loop run dry (setImmediate: I/O callbacks first), then waits 2 ms.
  const settle = () => new Promise((r) => setImmediate(r)).then(() => new Promise((r) => setTimeout(r, 2)));
  for (let step = 0; !result; step++) {
    if (step >= maxSteps) throw new Error(`work did not finish within ${maxSteps} fake steps`);
    // Idle on quietLooks looks in a row (QUIET_LOOKS unless the test asks for more): the continuation of the last answer has reached its
    // next wait (on a loaded machine a continuation can take a few ms to be scheduled).
    let quiet = 0;
    while (quiet < quietLooks && !result) {
      await settle();
      quiet = busy() ? 0 : quiet + 1;
    }
    if (result) break;
    onIdle?.(clock.now());
    await settle();
    const next = clock.nextWakeAt;
    if (next === null || busy()) continue;
    await clock.advance(Math.max(0, next - clock.now()));
  }
  if (!result.ok) throw result.error;
  return result.value;
}
