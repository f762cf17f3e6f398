/**
 * `demo`: everything on one machine with no cloud account. Embedded PostgreSQL (unless
 * DATABASE_URL is set) with its data in .demo-data/ of the project, the HSS simulator with a
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
import { loadConfig } from './config/load.js';
import { startDaemon } from './daemon.js';
import { type EmbeddedServer, reachableByOthers, startEmbeddedPostgres } from './db/embedded.js';
import { IMAGE_TYPES } from './domain.js';
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

export async function cmdDemo(io: CliIo, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { once: { type: 'boolean', default: false } },
    strict: true,
  });
  const out = (s: string) => io.stdout.write(s);
  let embedded: EmbeddedServer | null = null;
  let databaseUrl = io.env.DATABASE_URL?.trim();
  if (!databaseUrl) {
    const dataDir = demoDataDir();
    out(`Starting embedded PostgreSQL (data in ${dataDir}) ...\n`);
    embedded = await startEmbeddedPostgres({ dataDir });
    databaseUrl = await ensureDatabase(embedded.url, DEMO_DB);
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
    const now = Date.now();
    if (p.phase === 'done' || now - lastPrint > 250) {
      lastPrint = now;
      out(`  ${p.scope.padEnd(40)} ${p.phase.padEnd(9)} ${p.done}/${p.total}\n`);
    }
  };

  try {
    out('Migrating ...\n');
    await app.migrate();
    out('Syncing ...\n');
    const first = await app.sync({ trigger: 'demo', onProgress, deadlineMs: null });
    await showAnswers(first);
    out(`\nConnect with: psql '${databaseUrl}'\n`);
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
    await embedded?.stop();
  }
}
