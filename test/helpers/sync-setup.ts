/**
 * A database, a simulator on loopback and an app wired to both, for sync tests. The env given is
 * merged over a working default (token auth, the simulator's endpoint, the test database).
 */
import { type Logger, pino } from 'pino';
import { type App, createApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { type Env, loadConfig } from '../../src/config/load.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
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
    ...opts.env,
  };
  const app = createApp(loadConfig(env), {
    logger: opts.logger ?? pino({ level: 'silent' }),
    clock: opts.clock,
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
