/**
 * `demo`: everything on one machine with no cloud account. Embedded PostgreSQL with its data in
 * .demo-data/ of the project (an inherited DATABASE_URL is ignored: `--use-database-url` uses it,
 * and a database holding other projects' scopes is refused), the HSS simulator with a
 * generous rate limit, a migration, a sync with visible progress, a few answers from the SQL
 * surface, then a sync every 20 s (the simulator rescans a few images before each) until Ctrl-C.
 * `--once` stops after the first sync.
 */
import { createHash } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from './app.js';
import type { CliIo } from './cli.js';
import { loadConfig, loadDatabaseUrl } from './config/load.js';
import { startDaemon } from './daemon.js';
import { describeDbTarget, urlLooksMisparsed } from './db/connect-error.js';
import { type EmbeddedServer, reachableByOthers, startEmbeddedPostgres } from './db/embedded.js';
import { IMAGE_TYPES } from './domain.js';
import { ConfigError } from './errors.js';
import { createLogger } from './log.js';
import { createSimulator } from './simulator/index.js';
import type { ProgressEvent, RunReport } from './sync/engine.js';
import { formatRunSummary } from './sync/summary.js';

const PROJECT = 'proj-demo';
const EPS = ['0', 'ep-finance'];
const DEMO_DB = 'hss_demo';

/** The project root: src/demo.ts and dist/demo.js both sit one level below it. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The demo's data directory: .demo-data/pg in the project (git-ignored). As root the server runs
 * as `postgres`, which cannot reach a project below a private directory such as /root: then the
 * data goes to the temp directory instead, one folder per project path.
 */
function demoDataDir(): string {
  const inProject = join(ROOT, '.demo-data', 'pg');
  if (userInfo().uid !== 0 || reachableByOthers(inProject)) return inProject;
  const tag = createHash('sha256').update(ROOT).digest('hex').slice(0, 12);
  return join(tmpdir(), `hss-baseline-sync-demo-${tag}`, 'pg');
}

async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (r.rowCount === 0) await client.query(`create database ${name} encoding 'UTF8' template template0`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Prints rows as an aligned text table (cells cut to 48 characters, one line each). */
export function formatTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '  (no rows)\n';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
    const one = s.replace(/[\r\n\t\u0000]/g, ' ');
    return one.length > 48 ? `${one.slice(0, 47)}…` : one;
  };
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => `  ${vals.map((v, i) => v.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return `${[line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n')}\n`;
}

export const DEMO_QUERIES: { title: string; sql: string }[] = [
  {
    title: 'Worst images now (most failed check items)',
    sql: `select b.image_type, left(b.image_id, 19) as image_id,
       (select string_agg(distinct coalesce(i.image_name, '?') || ':' || coalesce(i.image_version, '?'), ', ')
          from hss.images i
         where i.project_id = b.project_id and i.enterprise_project_id = b.enterprise_project_id
           and i.image_type = b.image_type and i.image_id = b.image_id and i.removed_at is null) as tags,
       sum(b.failed_rule_num)::int as failed_items, count(*)::int as baselines
  from hss.image_baselines b
 group by b.project_id, b.enterprise_project_id, b.image_type, b.image_id
 order by failed_items desc, image_id
 limit 5`,
  },
  {
    title: 'Failed items per baseline and standard',
    sql: `select check_name, standard, count(*)::int as images,
       sum(failed_rule_num)::int as failed_items, sum(check_rule_num)::int as checked_items
  from hss.image_baselines
 group by check_name, standard
 order by failed_items desc, check_name, standard`,
  },
];

/** A database the demo made for itself. */
export interface OwnDatabase {
  url: string;
  /** One line for people; never a password. */
  description: string;
  stop(): Promise<void>;
}

export interface DemoDeps {
  /** Starts the demo's own database. Default: embedded PostgreSQL with its data in .demo-data/. */
  startOwnDatabase?(out: (s: string) => void): Promise<OwnDatabase>;
}

async function startEmbeddedDemoDatabase(out: (s: string) => void): Promise<OwnDatabase> {
  const dataDir = demoDataDir();
  out(`Starting embedded PostgreSQL (data in ${dataDir}) ...\n`);
  const embedded: EmbeddedServer = await startEmbeddedPostgres({
    dataDir,
    alternative:
      'give the demo an empty database: DATABASE_URL=postgres://… npm run demo -- --use-database-url',
  });
  try {
    const url = await ensureDatabase(embedded.url, DEMO_DB);
    return {
      url,
      description: `embedded PostgreSQL (data in ${dataDir}), ${describeUrl(url)}`,
      stop: () => embedded.stop(),
    };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}

/** `database "hss" on db:5432 as user "hss"`: where a URL points, without its password. */
export function describeUrl(url: string): string {
  // What such a URL's parser calls the host may be a piece of the password: describe nothing.
  if (urlLooksMisparsed(url)) return 'a URL that does not parse as intended';
  const u = new URL(url);
  return describeDbTarget({
    host: u.hostname,
    port: Number(u.port || 5432),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    user: decodeURIComponent(u.username),
    hasPassword: u.password !== '',
  });
}

/** The URL without its password (psql asks for it). */
function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/**
 * Projects other than the demo's that the database holds scopes of (none when it has no hss
 * schema yet). The demo writes a simulated world: mixed into real data it would read as real
 * (and a complete simulated inventory could retire real images).
 */
export async function foreignProjects(pool: pg.Pool): Promise<string[]> {
  const r = await pool.query<{ t: string | null }>(
    `select to_regclass('hss_internal.scope_state')::text as t`,
  );
  if (!r.rows[0]?.t) return [];
  const f = await pool.query<{ project_id: string }>(
    `select distinct project_id from hss_internal.scope_state where project_id <> $1 order by project_id limit 6`,
    [PROJECT],
  );
  return f.rows.map((row) => row.project_id);
}

export async function cmdDemo(io: CliIo, args: string[], deps: DemoDeps = {}): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      once: { type: 'boolean', default: false },
      'use-database-url': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const out = (s: string) => io.stdout.write(s);
  let own: OwnDatabase | null = null;
  let databaseUrl: string;
  if (values['use-database-url']) {
    databaseUrl = loadDatabaseUrl(io.env);
    out(`Database: DATABASE_URL (--use-database-url), ${describeUrl(databaseUrl)}\n`);
  } else {
    // An inherited DATABASE_URL (a shell set up for the real sync) is not the demo's to fill.
    if (io.env.DATABASE_URL?.trim() || io.env.DATABASE_URL_FILE?.trim()) {
      out(
        'DATABASE_URL is set but not used: the demo uses a database of its own (--use-database-url uses it)\n',
      );
    }
    own = await (deps.startOwnDatabase ?? startEmbeddedDemoDatabase)(out);
    databaseUrl = own.url;
    out(`Database: ${own.description}\n`);
  }
  const sim = createSimulator({
    seed: 7,
    imagesPerScope: 30,
    rateLimitPerMinute: 6000,
    projects: [{ projectId: PROJECT, enterpriseProjects: EPS }],
    auth: { tokens: ['sim-token'] },
  });
  const { url: simUrl } = await sim.listen({ port: 0, host: '127.0.0.1' });
  out(`HSS simulator on ${simUrl} (project ${PROJECT}, enterprise projects ${EPS.join(', ')})\n`);

  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    HSS_REGION: 'cn-north-4',
    HSS_PROJECT_ID: PROJECT,
    HSS_ENDPOINT: simUrl,
    HSS_AUTH_TOKEN: 'sim-token',
    HSS_IMAGE_TYPES: IMAGE_TYPES.join(','),
    HSS_ENTERPRISE_PROJECT_IDS: EPS.join(','),
    HSS_RATE_LIMIT_PER_MINUTE: '6000',
    HSS_FETCH_CONCURRENCY: '8',
    SYNC_SCHEDULE: '*/20 * * * * *',
    LOG_LEVEL: io.env.LOG_LEVEL ?? 'warn',
  });
  const logger = createLogger({ level: config.logLevel, format: 'pretty', destination: io.stderr });
  const app = createApp(config, { logger });
  const pool = app.db.pool;

  const showAnswers = async (report: RunReport) => {
    out(`\n${formatRunSummary(report)}\n`);
    for (const q of DEMO_QUERIES) {
      const r = await pool.query(q.sql);
      out(`\n${q.title}:\n${formatTable(r.rows)}`);
    }
    const v = await pool.query<{ n: number }>(
      'select count(*)::int as n from hss_internal.image_baseline_history',
    );
    out(`\nhistory versions stored: ${v.rows[0]!.n}\n`);
  };

  let lastPrint = 0;
  const onProgress = (p: ProgressEvent) => {
    // A rule call only moves the per-API figures, which the demo does not print.
    if (p.phase === 'rules') return;
    const now = Date.now();
    if (p.phase === 'done' || now - lastPrint > 250) {
      lastPrint = now;
      out(`  ${p.scope.padEnd(40)} ${p.phase.padEnd(9)} ${p.done}/${p.total}\n`);
    }
  };

  try {
    const foreign = await foreignProjects(pool);
    if (foreign.length > 0) {
      throw new ConfigError(
        'DATABASE_URL',
        `${describeUrl(databaseUrl)} holds scopes that are not the demo's (project ${foreign.join(', ')}): the demo writes a simulated world and never mixes it into other data; give it an empty database, or run it without --use-database-url`,
      );
    }
    out('Migrating ...\n');
    await app.migrate();
    out('Syncing ...\n');
    const first = await app.sync({ trigger: 'demo', onProgress, deadlineMs: null });
    await showAnswers(first);
    // The embedded server's password is a local throwaway; a given URL's is the user's secret.
    out(`\nConnect with: psql '${own ? databaseUrl : withoutPassword(databaseUrl)}'\n`);
    if (values.once) return first.status === 'succeeded' ? 0 : 1;

    out('\nSyncing every 20 s; the simulator rescans a few images before each run. Ctrl-C to stop.\n');
    const daemon = await startDaemon(app, {
      schedule: config.schedule,
      timezone: 'UTC',
      runOnStart: false,
      migrateOnStart: false,
      httpPort: 0,
      beforeRun: () => {
        const scopes = sim.world.scopes();
        const scope = scopes[Math.floor(Math.random() * scopes.length)];
        if (scope) {
          const ids = sim.world.rescan(scope, 3);
          out(
            `\nsimulator: rescanned ${ids.length} image(s) in ${scope.projectId}/${scope.enterpriseProjectId}/${scope.imageType}\n`,
          );
        }
      },
      afterRun: showAnswers,
    });
    const source = io.signals ?? process;
    await new Promise<void>((resolve) => {
      const done = () => {
        source.off('SIGINT', done);
        source.off('SIGTERM', done);
        resolve();
      };
      source.on('SIGINT', done);
      source.on('SIGTERM', done);
    });
    out('\nStopping ...\n');
    await daemon.stop();
    return 0;
  } finally {
    await app.close();
    await sim.close();
    await own?.stop();
  }
}
