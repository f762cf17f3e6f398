/**
 * The repeatable surface (migrations/surface/, src/db/surface.ts): the database holds exactly its
 * objects, applying it again changes nothing, a changed surface is a pending migration for a login
 * that may not migrate, a change that cannot be made in place recreates the surface and never drops
 * a user's object, and a database migrated by the series before the squash upgrades to the schema
 * a new database gets.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate as drizzleMigrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultMigrationsFolder, migrate } from '../../src/db/migrate.js';
import { createDb, type DbHandle } from '../../src/db/pool.js';
import { assertSchemaCurrent, readSchemaState, readShipped } from '../../src/db/schema-state.js';
import { applySurface, readSurface } from '../../src/db/surface.js';
import { MigrationPendingError } from '../../src/errors.js';
import { catalogFingerprint } from '../helpers/catalog.js';
import { createTestDatabase, type TestDatabase, useTestDatabase, withAdmin } from '../helpers/db.js';

/** Versioned migrations shipped (the journal's entries). */
const SHIPPED_TOTAL = readShipped(defaultMigrationsFolder()).journal.length;

/** The functions of the versioned migrations (the hash chain): never part of the surface. */
const VERSIONED = [
  'chain_close',
  'chain_field',
  'chain_instant',
  'history_close_only',
  'baseline_version_hash',
  'rule_version_hash',
].map((f) => `hss_internal.${f}`);
/** The last commit of the migration series before the surface: its files are read with git. */
const OLD_SERIES = '8c95b1f';

describe('the surface of a migrated database', () => {
  const t = useTestDatabase();

  it('holds exactly the objects of the surface files and the versioned hash-chain functions', async () => {
    const r = await t.pool.query<{ name: string; n: number }>(
      `SELECT name, count(*)::int AS n FROM (
         SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname IN ('hss', 'hss_internal') AND c.relkind IN ('v', 'm')
         UNION ALL
         SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname IN ('hss', 'hss_internal')) o
       GROUP BY name ORDER BY name`,
    );
    const surface = readSurface(defaultMigrationsFolder()).files.map((f) => f.object);
    expect(surface).toHaveLength(25);
    expect(r.rows).toEqual([...surface, ...VERSIONED].sort().map((name) => ({ name, n: 1 })));
  });

  it('applying it again changes nothing', async () => {
    const before = await catalogFingerprint(t.pool);
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      expect(await applySurface(client, readSurface(defaultMigrationsFolder()))).toBe('replaced');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await catalogFingerprint(t.pool)).toEqual(before);
    const state = await readSchemaState(t.pool, readShipped(defaultMigrationsFolder()));
    expect({ pending: state.pending, surfacePending: state.surfacePending }).toEqual({
      pending: [],
      surfacePending: false,
    });
  });

  it('comment_on_view refuses a column left undocumented or a line naming no column', async () => {
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      await expect(
        client.query(`SELECT hss_internal.comment_on_view('hss.images', 'Images.')`),
      ).rejects.toThrow('column image_digest of hss.images has no comment');
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query('CREATE VIEW hss.test_v AS SELECT 1 AS project_id');
      await expect(
        client.query(`SELECT hss_internal.comment_on_view('hss.test_v', E'A view.\\nnope: x\\nalso: y')`),
      ).rejects.toThrow('the comment of hss.test_v names also, nope, not a column of it');
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query('CREATE VIEW hss.test_v AS SELECT 1 AS project_id');
      await client.query(`SELECT hss_internal.comment_on_view('hss.test_v', E'\\n  A view.  \\n\\n')`);
      const c = await client.query(
        `SELECT obj_description('hss.test_v'::regclass, 'pg_class') AS v, col_description('hss.test_v'::regclass, 1) AS c`,
      );
      expect(c.rows).toEqual([{ v: 'A view.', c: 'Huawei Cloud project ID.' }]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe('a changed surface', () => {
  const login = `hss_test_surface_${Math.random().toString(16).slice(2, 10)}`;
  const owner = decodeURIComponent(new URL(inject('adminDatabaseUrl')).username);
  const folder = mkdtempSync(join(tmpdir(), 'hss-surface-'));
  const file = join(folder, 'surface', 'hss.image_rule_values.sql');
  let t: TestDatabase;
  let writer: DbHandle;
  const columns = async () =>
    (
      await t.pool.query<{ c: string }>(
        `SELECT string_agg(attname, ',' ORDER BY attnum) AS c FROM pg_attribute
          WHERE attrelid = 'hss.image_rule_values'::regclass AND attnum > 0`,
      )
    ).rows[0]!.c;
  const recorded = async () =>
    (await t.pool.query<{ checksum: string }>('SELECT checksum FROM hss_internal.surface_state')).rows;
  /** Removes the column from the view's file, and its comment. */
  const dropColumn = (col: string) => {
    const sql = readFileSync(file, 'utf8');
    const next = sql.replace(`  v.${col},\n`, '').replace(new RegExp(`^${col}: .*\\n`, 'm'), '');
    expect(next).not.toBe(sql);
    writeFileSync(file, next);
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    cpSync(defaultMigrationsFolder(), folder, { recursive: true });
    await withAdmin((c) => c.query(`CREATE ROLE ${login} LOGIN PASSWORD 'pw-${login}' IN ROLE hss_writer`));
    const url = new URL(t.url);
    url.username = login;
    url.password = `pw-${login}`;
    writer = createDb(url.toString());
  });
  afterAll(async () => {
    await writer?.close();
    await t?.drop();
    await withAdmin((c) => c.query(`DROP ROLE IF EXISTS ${login}`));
    rmSync(folder, { recursive: true, force: true });
  });

  it('is a pending migration for a login that may not migrate, as a versioned one is', async () => {
    await t.pool.query(`UPDATE hss_internal.surface_state SET checksum = 'stale'`);
    const fix = `run \`hss-baseline-sync migrate\` as ${owner}, the owner of schema hss (README, "Deployment")`;
    const err = await migrate(writer).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationPendingError);
    expect((err as MigrationPendingError).message).toBe(
      `1 database migration is pending (surface) and login ${login} may not apply it: ${fix}`,
    );
    expect((err as MigrationPendingError).pending).toEqual(['surface']);
    await expect(assertSchemaCurrent(writer.pool, readShipped(defaultMigrationsFolder()))).rejects.toThrow(
      `1 database migration is pending (surface): ${fix}`,
    );
    expect(await recorded()).toEqual([{ checksum: 'stale' }]);

    const logged: unknown[] = [];
    const logger = { info: (o: unknown, m: string) => logged.push([m, o]), warn() {}, error() {} };
    await migrate(t.handle, logger);
    expect(logged).toEqual([
      ['database migrations up to date', { applied: 0, total: SHIPPED_TOTAL, surface: 'replaced' }],
    ]);
    expect(await recorded()).toEqual([{ checksum: readSurface(defaultMigrationsFolder()).checksum }]);
    await assertSchemaCurrent(writer.pool, readShipped(defaultMigrationsFolder()));
  });

  it('a view that loses a column: the surface is dropped and created again, grants and comments included', async () => {
    dropColumn('rule_key');
    const logged: unknown[] = [];
    const logger = { info: (o: unknown, m: string) => logged.push([m, o]), warn() {}, error() {} };
    await migrate(t.handle, logger, { migrationsFolder: folder });
    expect(logged).toEqual([
      ['database migrations up to date', { applied: 0, total: SHIPPED_TOTAL, surface: 'recreated' }],
    ]);
    expect(await columns()).toBe(
      'project_id,enterprise_project_id,image_type,image_id,check_name,check_type,standard,check_rule_id,' +
        'check_info_list,fetched_at,run_id,version_id,rule_result_key',
    );
    const grants = await t.pool.query(
      `SELECT has_table_privilege('hss_reader', 'hss.image_rule_values', 'SELECT') AS reader,
              has_table_privilege('hss_writer', 'hss.image_posture', 'SELECT') AS writer,
              has_table_privilege('hss_writer', 'hss.image_posture', 'INSERT') AS writer_insert,
              col_description('hss.image_rule_values'::regclass, 1) AS comment`,
    );
    expect(grants.rows).toEqual([
      { reader: true, writer: true, writer_insert: false, comment: 'Huawei Cloud project ID.' },
    ]);
    expect(await recorded()).toEqual([{ checksum: readSurface(folder).checksum }]);
  });

  it('a function whose arguments change: its previous argument list does not stay behind', async () => {
    const fn = join(folder, 'surface', 'hss.image_baselines_as_of.sql');
    const sql = readFileSync(fn, 'utf8');
    writeFileSync(
      fn,
      sql
        .replace('as_of(at_time timestamptz)', 'as_of(at_time timestamptz, only_image text DEFAULT NULL)')
        .replaceAll('as_of(timestamptz)', 'as_of(timestamptz, text)'),
    );
    const logged: unknown[] = [];
    const logger = { info: (o: unknown, m: string) => logged.push([m, o]), warn() {}, error() {} };
    await migrate(t.handle, logger, { migrationsFolder: folder });
    expect(logged).toEqual([
      ['database migrations up to date', { applied: 0, total: SHIPPED_TOTAL, surface: 'recreated' }],
    ]);
    const fns = await t.pool.query(
      `SELECT oid::regprocedure::text AS f, has_function_privilege('hss_reader', oid, 'EXECUTE') AS reader
         FROM pg_proc WHERE proname = 'image_baselines_as_of'`,
    );
    expect(fns.rows).toEqual([
      { f: 'hss.image_baselines_as_of(timestamp with time zone,text)', reader: true },
    ]);
  });

  it("a user's view on it stops migrate, named, and nothing changes", async () => {
    await t.pool.query('CREATE VIEW public.user_rule_values AS SELECT image_id FROM hss.image_rule_values');
    const before = await recorded();
    dropColumn('version_id');
    await expect(migrate(t.handle, undefined, { migrationsFolder: folder })).rejects.toThrow(
      'the surface cannot be applied: hss.image_rule_values must be dropped and created again (its columns or ' +
        'result change) but view user_rule_values depends on view hss.image_rule_values; drop that object, ' +
        'run `hss-baseline-sync migrate` again, then create it again',
    );
    expect(await columns()).toContain(',version_id,');
    expect(await recorded()).toEqual(before);
    expect((await t.pool.query(`SELECT to_regclass('public.user_rule_values')::text AS v`)).rows).toEqual([
      { v: 'user_rule_values' },
    ]);
  });
});

/** The migrations folder of commit `rev`, written to a temporary folder; null without that history. */
function oldSeries(rev: string): string | null {
  const root = dirname(defaultMigrationsFolder());
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  let files: string[];
  try {
    files = git('ls-tree', '-r', '--name-only', rev, 'migrations').split('\n').filter(Boolean);
  } catch {
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'hss-old-series-'));
  for (const f of files) {
    mkdirSync(join(dir, dirname(f)), { recursive: true });
    writeFileSync(join(dir, f), git('show', `${rev}:${f}`));
  }
  return join(dir, 'migrations');
}

// Reads the old files from git history rather than keeping a copy of them in the tree: a checkout
// without that history (a shallow clone) skips it, saying why.
const old = oldSeries(OLD_SERIES);
describe.skipIf(!old)(`a database migrated by the series before the surface (git ${OLD_SERIES})`, () => {
  const t = useTestDatabase({ migrate: false });
  const fresh = useTestDatabase();
  afterAll(() => rmSync(dirname(old!), { recursive: true, force: true }));

  it('reads as one migration and the surface pending, then upgrades to the schema of a new database', async () => {
    await drizzleMigrate(drizzle({ client: t.pool }), {
      migrationsFolder: old!,
      migrationsSchema: 'hss_internal',
      migrationsTable: '__drizzle_migrations',
    });
    const shipped = readShipped(defaultMigrationsFolder());
    const state = await readSchemaState(t.pool, shipped);
    expect({ applied: state.applied, pending: state.pending, ahead: state.ahead }).toEqual({
      applied: 6,
      // Every versioned migration after the squashed 0000/0001 (which end at the old series' last
      // time), then the surface.
      pending: [
        ...readShipped(defaultMigrationsFolder())
          .journal.slice(2)
          .map((e) => e.tag),
        'surface',
      ],
      ahead: false,
    });
    await migrate(t.handle);
    expect(await catalogFingerprint(t.pool)).toEqual(await catalogFingerprint(fresh.pool));
    expect((await readSchemaState(t.pool, shipped)).pending).toEqual([]);
  });
});
