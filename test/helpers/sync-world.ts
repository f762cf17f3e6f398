/**
 * A synced world for the history, SQL-docs and dashboard tests: a fresh database, the simulator
 * on loopback and the app, sharing a clock that can be moved forward by whole days (real time
 * plus an offset: HTTP and pacing keep real timers, stored times land on the days a test wants).
 */
import { pino } from 'pino';
import { type App, createApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import type { ImageType, RiskConfig } from '../../src/domain.js';
import { createSimulator, type SimScope, type Simulator } from '../../src/simulator/index.js';
import type { RunReport } from '../../src/sync/engine.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { type BaselineRow, nulPolicy, resultKeyOf, sortRows } from './truth.js';

export const DAY_MS = 86_400_000;

/** Real time plus an offset the test moves. */
export class ShiftedClock implements Clock {
  constructor(public offsetMs = 0) {}
  now(): number {
    return Date.now() + this.offsetMs;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** One result row: the result key and its values (the description left out). */
export type ResultRow = Omit<BaselineRow, 'check_type_desc'>;

export { resultKeyOf, sortRows };

export const RESULT_COLUMNS =
  'project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, severity, check_rule_num, failed_rule_num';

/** What HSS answers now for every scope of the simulator, as stored rows (NUL policy applied). */
export function truthRows(sim: Simulator, scopes: readonly SimScope[] = sim.world.scopes()): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const scope of scopes) {
    for (const [imageId, results] of sim.world.groundTruth(scope)) {
      for (const r of results as RiskConfig[]) {
        rows.push({
          project_id: scope.projectId,
          enterprise_project_id: scope.enterpriseProjectId,
          image_type: scope.imageType,
          image_id: imageId,
          check_name: nulPolicy(r.checkName) ?? '',
          check_type: nulPolicy(r.checkType) ?? '',
          standard: nulPolicy(r.standard) ?? '',
          severity: nulPolicy(r.severity),
          check_rule_num: r.checkRuleNum,
          failed_rule_num: r.failedRuleNum,
        });
      }
    }
  }
  return sortRows(rows);
}

export interface SyncWorld {
  t: TestDatabase;
  sim: Simulator;
  app: App;
  clock: ShiftedClock;
  project: string;
  /** One sync; throws unless its status is one of `allowed` (default: succeeded). */
  sync(allowed?: RunReport['status'][]): Promise<RunReport>;
  /** Rebuilds the app with extra environment (same database, simulator and clock). */
  reconfigure(env: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export interface SyncWorldOptions {
  seed?: number;
  imagesPerScope?: number;
  imageTypes?: ImageType[];
  enterpriseProjects?: string[];
  /** Clock offset at the start (ms; negative = in the past). */
  offsetMs?: number;
  env?: Record<string, string>;
}

/** Database, simulator and app; the caller closes it. */
export async function startSyncWorld(opts: SyncWorldOptions = {}): Promise<SyncWorld> {
  const project = 'proj-hist';
  const eps = opts.enterpriseProjects ?? ['0'];
  const imageTypes = opts.imageTypes ?? ['private_image'];
  const clock = new ShiftedClock(opts.offsetMs ?? 0);
  const t = await createTestDatabase();
  const sim = createSimulator({
    seed: opts.seed ?? 5,
    imagesPerScope: opts.imagesPerScope ?? 12,
    projects: [{ projectId: project, enterpriseProjects: eps }],
    imageTypes,
    auth: { tokens: ['hist-token'] },
    clock,
  });
  const { url } = await sim.listen();
  const baseEnv: Record<string, string> = {
    DATABASE_URL: t.url,
    HSS_REGION: 'cn-north-4',
    HSS_PROJECT_ID: project,
    HSS_ENDPOINT: url,
    HSS_AUTH_TOKEN: 'hist-token',
    HSS_IMAGE_TYPES: imageTypes.join(','),
    HSS_ENTERPRISE_PROJECT_IDS: eps.join(','),
    HSS_RATE_LIMIT_PER_MINUTE: '100000',
    HSS_FETCH_CONCURRENCY: '8',
    HSS_PAGE_SIZE: '10',
    HSS_HTTP_MAX_ATTEMPTS: '1',
    // Every lane, per-image values included (the default, off, is proven by the unit tests).
    HSS_RULE_VALUES: 'all',
    ...opts.env,
  };
  const build = (env: Record<string, string>) =>
    createApp(loadConfig({ ...baseEnv, ...env }), { logger: pino({ level: 'silent' }), clock });
  let app = build({});
  const world: SyncWorld = {
    t,
    sim,
    get app() {
      return app;
    },
    clock,
    project,
    async sync(allowed = ['succeeded']) {
      const report = await app.sync({ trigger: 'test', deadlineMs: null });
      if (!allowed.includes(report.status)) {
        throw new Error(`sync ended ${report.status}: ${report.error ?? 'no error'}`);
      }
      return report;
    },
    async reconfigure(env) {
      await app.close();
      app = build(env);
    },
    async close() {
      await app.close();
      await sim.close();
      await t.drop();
    },
  };
  return world;
}

/** The current rows as the public view shows them. */
export async function currentRows(t: TestDatabase): Promise<ResultRow[]> {
  const r = await t.pool.query<ResultRow>(`select ${RESULT_COLUMNS} from hss.image_baselines`);
  return sortRows(r.rows);
}

/**
 * Every row of the given tables with its xmin, in a stable order: equal before and after means
 * no tuple was inserted, updated or deleted in between.
 */
export async function tupleFingerprint(t: TestDatabase, tables: readonly string[]): Promise<string[]> {
  const parts = tables.map(
    (table) => `select '${table}:' || xmin::text || ':' || (x.*)::text as v from ${table} x`,
  );
  const r = await t.pool.query<{ v: string }>(`${parts.join(' union all ')} order by 1`);
  return r.rows.map((x) => x.v);
}

/** The data tables a sync writes (the ledger excluded). */
export const DATA_TABLES = [
  'hss_internal.image_baseline_history',
  'hss_internal.image_contents',
  'hss_internal.image_refs',
  'hss_internal.image_baseline_daily_facts',
  'hss_internal.posture_daily_facts',
  'hss_internal.result_keys',
] as const;

/** UTC day of an epoch-ms instant. */
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The truth after one sync of a scenario, and when that sync ran. */
export interface Snapshot {
  /** When the run started and ended (ms, as recorded in hss_internal.sync_runs). */
  startedAt: number;
  finishedAt: number;
  day: string;
  truth: ResultRow[];
  runId: string;
  imagesFetched: number;
  imagesRetired: number;
}

/**
 * Four days of history ending now: a sync at noon UTC three days ago, then one a day with a
 * few rescans in different scopes, an image removed on the third day, and the last sync now.
 * Returns the truth after every sync, for expectations computed apart from the database.
 */
export async function runHistoryScenario(w: SyncWorld): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  const scopes = w.sim.world.scopes();
  const record = async () => {
    const report = await w.sync();
    const startedAt = report.startedAt.getTime();
    snapshots.push({
      startedAt,
      finishedAt: report.finishedAt.getTime(),
      day: dayOf(startedAt),
      truth: truthRows(w.sim),
      runId: report.runId,
      imagesFetched: report.counts.imagesFetched,
      imagesRetired: report.counts.imagesRetired,
    });
  };
  const rescanSome = (round: number) => {
    for (const [i, scope] of scopes.entries()) {
      const ids = [...w.sim.world.groundTruth(scope).keys()];
      const pick = ids.filter((_, j) => (j + i + round) % 3 === 0).slice(0, 3);
      if (pick.length) w.sim.world.rescan(scope, pick);
    }
  };
  await record();
  for (const round of [1, 2, 3]) {
    if (round < 3) w.clock.advance(DAY_MS);
    else w.clock.offsetMs = 0;
    rescanSome(round);
    if (round === 2) {
      const scope = scopes[0]!;
      const victim = [...w.sim.world.groundTruth(scope).keys()][1]!;
      w.sim.world.removeImage(scope, victim);
    }
    await record();
  }
  return snapshots;
}

/** Noon UTC three days before now, as a clock offset from now (for runHistoryScenario). */
export function scenarioStartOffset(now = Date.now()): number {
  const noon = Math.floor(now / DAY_MS) * DAY_MS + 12 * 3_600_000;
  // Noon three days ago, but never less than an hour before the final sync "now".
  return noon - 3 * DAY_MS - now;
}
