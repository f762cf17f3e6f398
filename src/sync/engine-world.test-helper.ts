/**
 * The world of the in-memory run tests: runSync against MemoryStore, the fake HSS client and the
 * fake clock (no PostgreSQL, no HTTP). Every call takes 1 s of fake time.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { FakeClock } from '../clock.js';
import type { TargetConfig } from '../config/types.js';
import type { ImageType, RuleDetailMode, Scope } from '../domain.js';
import type { CicdSummaries } from '../hss/api-matrix.js';
import { Secret } from '../secret.js';
import { type EngineDeps, type RunOptions, type RunReport, runSync } from './engine.js';
import { type FakeCall, FakeHss, type FakeImage, type Fault, rule, summary } from './fake-hss.test-helper.js';
import { MemoryStore } from './memory-store.test-helper.js';
import type { RuleValuesMode } from './plan.js';

export const T0 = Date.parse('2026-03-01T00:00:00Z');

export const target: TargetConfig = {
  name: 't1',
  region: 'cn-north-4',
  projectId: 'p1',
  endpoint: 'https://hss.invalid',
  iamEndpoint: 'https://iam.invalid',
  auth: { method: 'token', token: new Secret('x') },
  enterpriseProjectIds: ['0', '1'],
  imageTypes: ['private_image'],
};
export const scopeOf = (ep: string, imageType: ImageType = 'private_image'): Scope => ({
  target: 't1',
  projectId: 'p1',
  enterpriseProjectId: ep,
  imageType,
});
export const S0 = scopeOf('0');
export const S1 = scopeOf('1');

/** `n` images named `<prefix>1..n`, each with one passing and one failing baseline. */
export function images(prefix: string, n: number): FakeImage[] {
  return Array.from({ length: n }, (_, i) => ({
    imageId: `${prefix}${i + 1}`,
    scanTime: T0 - 86_400_000,
    results: [summary('CentOS 7', 2), summary('SSH', 0)],
    rules: {
      'CentOS 7': [rule('CentOS 7', `${prefix}${i + 1}-a`, 'failed'), rule('CentOS 7', 'shared', 'failed')],
    },
  }));
}

export interface World {
  clock: FakeClock;
  hss: FakeHss;
  store: MemoryStore;
  logs: Record<string, unknown>[];
  run(o?: Partial<RunOptions>, advance?: (clock: FakeClock) => void): Promise<RunReport>;
}

export interface WorldOptions {
  ruleDetail?: RuleDetailMode;
  /** HSS_RULE_VALUES; absent = the engine's default when unset (`all`). */
  ruleValues?: RuleValuesMode;
  fetchConcurrency?: number;
  /** Scopes synced at once (default 1). */
  scopeConcurrency?: number;
  maxQuarantinedItems?: number;
  cicdSummaries?: CicdSummaries;
  /** The target's image types (default private_image); worlds are put per scope by the test. */
  imageTypes?: ImageType[];
  pageSize?: number;
  enterpriseProjectIds?: string[];
}

export function world(o: WorldOptions = {}): World {
  const clock = new FakeClock(T0);
  const hss = new FakeHss(clock);
  const store = new MemoryStore();
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        logs.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  hss.put(S0, images('a', 3));
  hss.put(S1, images('b', 2));
  let ids = 0;
  const deps: EngineDeps = {
    targets: [
      {
        ...target,
        imageTypes: o.imageTypes ?? target.imageTypes,
        enterpriseProjectIds: o.enterpriseProjectIds ?? target.enterpriseProjectIds,
      },
    ],
    clientFor: () => hss,
    store,
    clock,
    newId: () => `run-${++ids}`,
    logger,
    rateFor: () => 60,
    settings: {
      pageSize: o.pageSize ?? 100,
      fetchConcurrency: o.fetchConcurrency ?? 1,
      scopeConcurrency: o.scopeConcurrency ?? 1,
      maxResultAgeMs: 7 * 86_400_000,
      maxRetireFraction: 0.5,
      allowMassRetire: false,
      maxQuarantinedItems: o.maxQuarantinedItems ?? 10,
      retryBudget: { ratio: 0.5 },
      ruleDetail: o.ruleDetail ?? 'off',
      ...(o.ruleValues ? { ruleValues: o.ruleValues } : {}),
      cicdSummaries: o.cicdSummaries ?? 'derived',
    },
    worker: 'test:1',
  };
  return {
    clock,
    hss,
    store,
    logs,
    run: (opts = {}) => drive(clock, runSync(deps, { trigger: 'test', ...opts })),
  };
}

/** Moves fake time from one pending sleep to the next until `work` settles. */
export async function drive<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let settled = false;
  work.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 10_000 && !settled; i++) {
    await clock.advance(0);
    if (settled) break;
    const next = clock.nextWakeAt;
    if (next === null) throw new Error('the run waits on nothing the clock drives');
    await clock.advance(next - clock.now());
  }
  return work;
}

export const faultOn =
  (match: (c: FakeCall) => boolean, fault: () => Fault) =>
  (c: FakeCall): Fault =>
    match(c) ? fault() : undefined;
