import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultMigrationsFolder, migrate } from '../../src/db/migrate.js';
import { createDb, type DbHandle } from '../../src/db/pool.js';
import { assertSchemaCurrent, readJournal, readShipped } from '../../src/db/schema-state.js';
import { MigrationPendingError } from '../../src/errors.js';
import { createTestDatabase, type TestDatabase, useTestDatabase } from '../helpers/db.js';

const migrationFiles = readdirSync(defaultMigrationsFolder()).filter((f) => f.endsWith('.sql'));

describe('migrate', () => {
  const t = useTestDatabase({ migrate: false });

  it('applies every migration to an empty database', async () => {
    const before = await t.pool.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'hss'`);
    expect(before.rows[0].n).toBe(0);

    await migrate(t.handle);

    const applied = await t.pool.query('SELECT count(*)::int AS n FROM hss_internal.__drizzle_migrations');
    expect(applied.rows[0].n).toBe(migrationFiles.length);
    const rels = await t.pool.query(
      `SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('hss', 'hss_internal') AND c.relkind IN ('r', 'v') ORDER BY n.nspname, c.relname`,
    );
    // Schema hss holds views only: the public surface. Every table lives in hss_internal.
    expect(rels.rows).toEqual([
      { nspname: 'hss', relname: 'baseline_fixes', relkind: 'v' },
      { nspname: 'hss', relname: 'history_chain_anchors', relkind: 'v' },
      { nspname: 'hss', relname: 'image_baseline_changes', relkind: 'v' },
      { nspname: 'hss', relname: 'image_baseline_daily', relkind: 'v' },
      { nspname: 'hss', relname: 'image_baseline_history', relkind: 'v' },
      { nspname: 'hss', relname: 'image_baselines', relkind: 'v' },
      { nspname: 'hss', relname: 'image_coverage', relkind: 'v' },
      { nspname: 'hss', relname: 'image_failed_rules', relkind: 'v' },
      { nspname: 'hss', relname: 'image_posture', relkind: 'v' },
      { nspname: 'hss', relname: 'image_rule_history', relkind: 'v' },
      { nspname: 'hss', relname: 'image_rule_values', relkind: 'v' },
      { nspname: 'hss', relname: 'images', relkind: 'v' },
      { nspname: 'hss', relname: 'posture_daily', relkind: 'v' },
      { nspname: 'hss', relname: 'rule_descriptions', relkind: 'v' },
      { nspname: 'hss', relname: 'rule_failure_counts', relkind: 'v' },
      { nspname: 'hss', relname: 'scope_status', relkind: 'v' },
      { nspname: 'hss', relname: 'sync_runs', relkind: 'v' },
      { nspname: 'hss', relname: 'sync_scope_runs', relkind: 'v' },
      { nspname: 'hss_internal', relname: '__drizzle_migrations', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'api_call_budget', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'content_listing', relkind: 'v' },
      { nspname: 'hss_internal', relname: 'history_chain_anchors', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_baseline_daily_facts', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_baseline_history', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_contents', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_refs', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_rule_history', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_rule_state', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_rule_values', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'posture_daily_facts', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'result_keys', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'rule_descriptions', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'scope_state', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'surface_state', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'sync_runs', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'sync_scope_runs', relkind: 'r' },
    ]);
  });

  it('is a no-op the second time', async () => {
    const schemaBefore = await schemaFingerprint(t);
    await migrate(t.handle);
    const applied = await t.pool.query('SELECT count(*)::int AS n FROM hss_internal.__drizzle_migrations');
    expect(applied.rows[0].n).toBe(migrationFiles.length);
    expect(await schemaFingerprint(t)).toEqual(schemaBefore);
  });

  it('has the history constraints: range check, one open version, no overlap', async () => {
    const cons = await t.pool.query(
      `SELECT conname, contype FROM pg_constraint
       WHERE conrelid = 'hss_internal.image_baseline_history'::regclass ORDER BY conname`,
    );
    expect(cons.rows).toEqual([
      { conname: 'image_baseline_history_no_overlap', contype: 'x' },
      { conname: 'image_baseline_history_pkey', contype: 'p' },
      { conname: 'image_baseline_history_valid_range_check', contype: 'c' },
    ]);
    const idx = await t.pool.query(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'hss_internal' AND indexname = 'image_baseline_history_open_key_idx'`,
    );
    expect(idx.rows[0].indexdef).toBe(
      'CREATE UNIQUE INDEX image_baseline_history_open_key_idx ON hss_internal.image_baseline_history USING btree (result_key) WHERE (valid_to IS NULL)',
    );
  });

  it('comments every column of the public tables and views', async () => {
    const missing = await t.pool.query(
      `SELECT c.relname, a.attname FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'hss' AND a.attnum > 0 AND NOT a.attisdropped
         AND c.relname IN ('sync_runs', 'sync_scope_runs', 'images', 'image_baseline_history', 'image_baselines')
         AND col_description(c.oid, a.attnum) IS NULL
       ORDER BY 1, 2`,
    );
    expect(missing.rows).toEqual([]);
    const tables = await t.pool.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('hss', 'hss_internal') AND c.relkind IN ('r', 'v') AND c.relname <> '__drizzle_migrations'
         AND obj_description(c.oid, 'pg_class') IS NULL
       ORDER BY 1`,
    );
    expect(tables.rows).toEqual([]);
  });
});

describe('migrate, a database of the migration series before the squash', () => {
  const t = useTestDatabase({ migrate: false });
  const recreate =
    'which this version cannot upgrade: recreate the database (drop it, create it empty, run `hss-baseline-sync migrate`), then sync again';
  const journalTable = (schema: string) =>
    `CREATE TABLE ${schema}.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint)`;

  it('with its journal still in schema hss (before 0009): an error that says to recreate, and no DDL', async () => {
    await t.pool.query(`CREATE SCHEMA hss; ${journalTable('hss')}`);
    await t.pool.query(
      `INSERT INTO hss.__drizzle_migrations (hash, created_at) VALUES ('old', 1795825488106)`,
    );
    await expect(migrate(t.handle)).rejects.toThrow(
      `the database was migrated by an earlier, pre-release series of migrations (its journal is hss.__drizzle_migrations), ${recreate}`,
    );
    const internal = await t.pool.query(`SELECT to_regnamespace('hss_internal')::text AS s`);
    expect(internal.rows).toEqual([{ s: null }]);
    await t.pool.query('DROP SCHEMA hss CASCADE');
  });

  it('with its journal in hss_internal: an error naming the first migration it lacks', async () => {
    const first = readJournal(defaultMigrationsFolder())[0]!;
    await t.pool.query(`CREATE SCHEMA hss_internal; ${journalTable('hss_internal')}`);
    await t.pool.query(
      `INSERT INTO hss_internal.__drizzle_migrations (hash, created_at) VALUES ('old', 1795825488106), ('old9', 1795825519000)`,
    );
    await expect(migrate(t.handle)).rejects.toThrow(
      `the database was migrated by an earlier, pre-release series of migrations (its first migration is not ${first.tag}), ${recreate}`,
    );
    const tables = await t.pool.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname IN ('hss', 'hss_internal')`,
    );
    expect(tables.rows).toEqual([{ n: 1 }]);
  });
});

describe('migrate, two processes at once', () => {
  const t = useTestDatabase({ migrate: false });

  it('both succeed and the migrations are applied once', async () => {
    const a = createDb(t.url);
    const b = createDb(t.url);
    try {
      await Promise.all([migrate(a), migrate(b)]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const applied = await t.pool.query('SELECT count(*)::int AS n FROM hss_internal.__drizzle_migrations');
    expect(applied.rows[0].n).toBe(migrationFiles.length);
  });
});

describe('migrate when nothing is pending', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.pool.query('DROP EVENT TRIGGER IF EXISTS hss_test_no_ddl');
    await t?.drop();
  });

  it('runs no DDL at all, not even CREATE SCHEMA IF NOT EXISTS', async () => {
    // An event trigger that rejects every DDL command, even one that would change nothing.
    await t.pool.query(`CREATE FUNCTION public.hss_test_no_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'DDL attempted: %', tg_tag; END $$`);
    await t.pool.query(
      'CREATE EVENT TRIGGER hss_test_no_ddl ON ddl_command_start EXECUTE FUNCTION public.hss_test_no_ddl()',
    );
    await expect(t.pool.query('CREATE SCHEMA IF NOT EXISTS hss')).rejects.toThrow(
      'DDL attempted: CREATE SCHEMA',
    );
    await migrate(t.handle);
    const applied = await t.pool.query('SELECT count(*)::int AS n FROM hss_internal.__drizzle_migrations');
    expect(applied.rows[0].n).toBe(migrationFiles.length);
  });
});

describe('a new version with a migration, and a login granted only hss_writer', () => {
  const login = `hss_test_writer_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const folder = mkdtempSync(join(tmpdir(), 'hss-migrations-'));
  const owner = decodeURIComponent(new URL(inject('adminDatabaseUrl')).username);
  let t: TestDatabase;
  let writer: DbHandle;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const state = async () => {
    const n = await t.pool.query('SELECT count(*)::int AS n FROM hss_internal.__drizzle_migrations');
    const table = await t.pool.query(`SELECT to_regclass('hss.test_pending')::text AS t`);
    return { applied: n.rows[0].n, table: table.rows[0].t };
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    await admin(`CREATE ROLE ${login} LOGIN PASSWORD '${password}' IN ROLE hss_writer`);
    const url = new URL(t.url);
    url.username = login;
    url.password = password;
    writer = createDb(url.toString());
    // The shipped migrations plus one: what the database meets when a new version is deployed.
    cpSync(defaultMigrationsFolder(), folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
    const last = journal.entries.at(-1);
    journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1, tag: '9999_test_pending' });
    writeFileSync(journalPath, JSON.stringify(journal));
    writeFileSync(join(folder, '9999_test_pending.sql'), 'CREATE TABLE hss.test_pending (x integer);');
    // And a view changed: the new version's surface differs from the shipped one.
    const view = join(folder, 'surface', 'hss.images.sql');
    writeFileSync(view, `-- changed\n${readFileSync(view, 'utf8')}`);
  });
  afterAll(async () => {
    await writer?.close();
    await t?.drop();
    await admin(`DROP ROLE IF EXISTS ${login}`);
    await admin(`DROP ROLE IF EXISTS ${login}_bi`);
    rmSync(folder, { recursive: true, force: true });
  });

  const fix = () =>
    `run \`hss-baseline-sync migrate\` as ${owner}, the owner of schema hss (README, "Deployment")`;

  it('the writer may not apply it: MigrationPendingError naming it, and nothing changed', async () => {
    const err = await migrate(writer, undefined, { migrationsFolder: folder }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationPendingError);
    expect((err as MigrationPendingError).message).toBe(
      `2 database migrations are pending (9999_test_pending, surface) and login ${login} may not apply them: ${fix()}`,
    );
    expect((err as MigrationPendingError).pending).toEqual(['9999_test_pending', 'surface']);
    await expect(assertSchemaCurrent(writer.pool, readShipped(folder))).rejects.toThrow(
      `2 database migrations are pending (9999_test_pending, surface): ${fix()}`,
    );
    expect(await state()).toEqual({ applied: migrationFiles.length, table: null });
  });

  it('a login without hss_writer is told it may not read the schema version, and which role it lacks', async () => {
    await admin(`CREATE ROLE ${login}_bi LOGIN PASSWORD '${password}' IN ROLE hss_reader`);
    const url = new URL(t.url);
    url.username = `${login}_bi`;
    url.password = password;
    const reader = createDb(url.toString());
    try {
      await expect(migrate(reader, undefined, { migrationsFolder: folder })).rejects.toThrow(
        // The CLI adds the fix for the command that met it (src/permission.ts).
        `login ${login}_bi may not read the schema version (hss_internal.__drizzle_migrations)`,
      );
    } finally {
      await reader.close();
    }
    expect(await state()).toEqual({ applied: migrationFiles.length, table: null });
  });

  it('the owner applies it; then the writer passes through migrate (no DDL) and the check', async () => {
    await migrate(t.handle, undefined, { migrationsFolder: folder });
    expect(await state()).toEqual({ applied: migrationFiles.length + 1, table: 'hss.test_pending' });
    const logged: unknown[] = [];
    const logger = { info: (o: unknown, m: string) => logged.push([m, o]), warn() {}, error() {} };
    await migrate(writer, logger, { migrationsFolder: folder });
    expect(logged).toEqual([
      ['database migrations up to date', { applied: 0, total: migrationFiles.length + 1 }],
    ]);
    await assertSchemaCurrent(writer.pool, readShipped(folder));
  });

  it('the previous version (a rollback) finds nothing to do, keeps the newer surface and warns that the database is newer', async () => {
    const logged: unknown[] = [];
    const log = (level: string) => (o: unknown, m: string) => logged.push([level, m, o]);
    const logger = { info: log('info'), warn: log('warn'), error: log('error') };
    await migrate(t.handle, logger);
    expect(logged).toEqual([
      [
        'warn',
        'the database was migrated by a newer version of hss-baseline-sync than this one',
        { applied: migrationFiles.length + 1, shipped: migrationFiles.length },
      ],
      ['info', 'database migrations up to date', { applied: 0, total: migrationFiles.length + 1 }],
    ]);
    await assertSchemaCurrent(writer.pool, readShipped(defaultMigrationsFolder()));
  });
});

/** Every column of schema hss with its type, for before/after comparison. */

/** Every column of schemas hss and hss_internal with its type, for before/after comparison. */
async function schemaFingerprint(t: TestDatabase): Promise<unknown[]> {
  const res = await t.pool.query(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema IN ('hss', 'hss_internal') ORDER BY 1, 2`,
  );
  return res.rows;
}
