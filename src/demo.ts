/**
 * What the `demo` command (src/commands/demo.ts) stands on: its own embedded PostgreSQL with the
 * data in .demo-data/ of the project, the refusal of a database holding other projects' scopes,
 * and the questions it asks the SQL surface after each run.
 */
import { createHash } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from './config/load.js';
import type { AppConfig } from './config/types.js';
import { describeDbTarget, urlLooksMisparsed } from './db/connect-error.js';
import {
  closedAncestor,
  type EmbeddedServer,
  reachableByOthers,
  startEmbeddedPostgres,
} from './db/embedded.js';
import { assertPortFree } from './db/postmaster.js';
import { DEMO_SCHEDULE } from './demo/hints.js';
import { DEMO_READER_ROLE, type ReaderLogin } from './demo/reader.js';
import { IMAGE_TYPES, type ImageType } from './domain.js';
import { ConfigError } from './errors.js';
import { createSimulator, type Simulator } from './simulator/index.js';

export const PROJECT = 'proj-demo';
export const EPS = ['0', 'ep-finance'];
const DEMO_DB = 'hss_demo';

/** The project root: src/demo.ts and dist/demo.js both sit one level below it. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The demo's default data directory: .demo-data in the project (git-ignored); the server's
 * cluster is its pg/ folder. As root the server runs as `postgres`, which cannot reach a project
 * below a private directory such as /root: then the data goes to the temp directory instead, one
 * folder per project path.
 */
export function defaultDemoDataDir(): string {
  const inProject = join(ROOT, '.demo-data');
  if (userInfo().uid !== 0 || reachableByOthers(inProject)) return inProject;
  const tag = createHash('sha256').update(ROOT).digest('hex').slice(0, 12);
  return join(tmpdir(), `hss-baseline-sync-demo-${tag}`);
}

/** The port of the demo's own PostgreSQL unless --port says otherwise: stable across restarts. */
export const DEFAULT_DEMO_PORT = 54329;

/** The demo's pace (calls per minute per API) unless --rate-limit says otherwise. */
export const DEFAULT_DEMO_RATE = 6000;

/** Images per scope of the demo's world unless --images says otherwise. */
export const DEFAULT_DEMO_IMAGES = 30;

/**
 * The image types the demo syncs: all but `local`. ListImageLocal serves both `local_image` and
 * `local` (docs/hss-api.md, section 7), so the two list the same images, and the simulator gives
 * them one world; syncing both would show every local image twice. `local_image` is the one
 * whose summaries, rule results and rule details are all documented.
 */
export const DEMO_IMAGE_TYPES: ImageType[] = IMAGE_TYPES.filter((t) => t !== 'local');

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
  /** The data directory (said after --once: the data stays there); null when not the demo's. */
  dataDir?: string | null;
  /** The read-only login to create after the migration; none when absent. */
  reader?: ReaderLogin;
  stop(): Promise<void>;
}

export interface OwnDatabaseOptions {
  /** Port of the embedded server; default DEFAULT_DEMO_PORT. */
  port: number;
  /** Data directory; default defaultDemoDataDir(). */
  dataDir: string;
}

export interface DemoDeps {
  /** Starts the demo's own database. Default: embedded PostgreSQL (startEmbeddedDemoDatabase). */
  startOwnDatabase?(out: (s: string) => void, opts: OwnDatabaseOptions): Promise<OwnDatabase>;
}

export async function startEmbeddedDemoDatabase(
  out: (s: string) => void,
  opts: OwnDatabaseOptions,
): Promise<OwnDatabase> {
  const pgDir = join(opts.dataDir, 'pg');
  const closed = userInfo().uid === 0 ? closedAncestor(pgDir) : null;
  if (closed !== null) {
    throw new ConfigError(
      '--data-dir',
      `as root the demo's PostgreSQL runs as the "postgres" user, which cannot enter ${closed} to reach ${pgDir}`,
      'a directory every user may pass through, e.g. --data-dir /srv/hss-demo',
    );
  }
  await assertPortFree(opts.port, '--port', `a free port, e.g. npm run demo -- --port ${opts.port + 1}`);
  out(`Starting embedded PostgreSQL on 127.0.0.1:${opts.port} (data in ${pgDir}) ...\n`);
  const embedded: EmbeddedServer = await startEmbeddedPostgres({
    dataDir: pgDir,
    port: opts.port,
    ownSession: true,
    alternative:
      'give the demo an empty database: DATABASE_URL=postgres://… npm run demo -- --use-database-url',
  });
  try {
    const url = await ensureDatabase(embedded.url, DEMO_DB);
    return {
      url,
      description: `embedded PostgreSQL (data in ${pgDir}), ${describeUrl(url)}`,
      dataDir: opts.dataDir,
      reader: { role: DEMO_READER_ROLE, passwordFile: join(opts.dataDir, 'reader-password') },
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
export function withoutPassword(url: string): string {
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

/** The simulated world the demo syncs: its project, two enterprise projects, the demo's pace and size. */
export function createDemoSimulator(ratePerMinute: number, imagesPerScope: number): Simulator {
  return createSimulator({
    seed: 7,
    imagesPerScope,
    rateLimitPerMinute: ratePerMinute,
    imageTypes: DEMO_IMAGE_TYPES,
    projects: [{ projectId: PROJECT, enterpriseProjects: EPS }],
    auth: { tokens: ['sim-token'] },
  });
}

/** The demo's configuration: DEMO_IMAGE_TYPES, a run every 20 s, the simulator's pace. */
export function demoConfig(
  databaseUrl: string,
  simUrl: string,
  logLevel: string,
  ratePerMinute: number,
): AppConfig {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    HSS_REGION: 'cn-north-4',
    HSS_PROJECT_ID: PROJECT,
    HSS_ENDPOINT: simUrl,
    HSS_AUTH_TOKEN: 'sim-token',
    HSS_IMAGE_TYPES: DEMO_IMAGE_TYPES.join(','),
    HSS_ENTERPRISE_PROJECT_IDS: EPS.join(','),
    HSS_RATE_LIMIT_PER_MINUTE: String(ratePerMinute),
    HSS_FETCH_CONCURRENCY: '8',
    SYNC_SCHEDULE: DEMO_SCHEDULE,
    LOG_LEVEL: logLevel,
  });
}

/** The demo's own settings, from its command-line options. */
export interface DemoOptions extends OwnDatabaseOptions {
  /** Calls per minute per API, of the simulator and the sync alike. */
  ratePerMinute: number;
  /** Images per scope of the simulated world. */
  imagesPerScope: number;
}

function wholeNumber(
  flag: string,
  raw: string | number | undefined,
  def: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (String(raw).trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(flag, `${JSON.stringify(raw)} is not a whole number in range`, `${min}–${max}`);
  }
  return n;
}

/** Reads --port, --data-dir, --rate-limit and --images (ConfigError naming the option when one is wrong). */
export function demoOptions(values: {
  port?: string | number | undefined;
  'data-dir'?: string | undefined;
  'rate-limit'?: string | number | undefined;
  images?: string | number | undefined;
}): DemoOptions {
  const dir = values['data-dir'];
  if (dir !== undefined && dir.trim() === '') {
    throw new ConfigError('--data-dir', 'is empty', 'a directory path, e.g. --data-dir .demo-data');
  }
  return {
    port: wholeNumber('--port', values.port, DEFAULT_DEMO_PORT, 1, 65_535),
    dataDir: dir === undefined ? defaultDemoDataDir() : resolve(dir),
    ratePerMinute: wholeNumber('--rate-limit', values['rate-limit'], DEFAULT_DEMO_RATE, 1, 100_000),
    imagesPerScope: wholeNumber('--images', values.images, DEFAULT_DEMO_IMAGES, 1, 10_000),
  };
}
