import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMigrationsFolder, migrate } from '../../src/db/migrate.js';
import { createDb } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const migrationFiles = readdirSync(defaultMigrationsFolder()).filter((f) => f.endsWith('.sql'));

describe('migrate', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await t?.drop();
  });

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
      { nspname: 'hss', relname: 'image_baseline_changes', relkind: 'v' },
      { nspname: 'hss', relname: 'image_baseline_daily', relkind: 'v' },
      { nspname: 'hss', relname: 'image_baseline_history', relkind: 'v' },
      { nspname: 'hss', relname: 'image_baselines', relkind: 'v' },
      { nspname: 'hss', relname: 'image_failed_rules', relkind: 'v' },
      { nspname: 'hss', relname: 'image_posture', relkind: 'v' },
      { nspname: 'hss', relname: 'image_rule_history', relkind: 'v' },
      { nspname: 'hss', relname: 'images', relkind: 'v' },
      { nspname: 'hss', relname: 'posture_daily', relkind: 'v' },
      { nspname: 'hss', relname: 'rule_descriptions', relkind: 'v' },
      { nspname: 'hss', relname: 'rule_failure_counts', relkind: 'v' },
      { nspname: 'hss', relname: 'scope_status', relkind: 'v' },
      { nspname: 'hss', relname: 'sync_runs', relkind: 'v' },
      { nspname: 'hss', relname: 'sync_scope_runs', relkind: 'v' },
      { nspname: 'hss_internal', relname: '__drizzle_migrations', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_baseline_daily_facts', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_baseline_history', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_contents', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_refs', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_rule_history', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'image_rule_state', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'posture_daily_facts', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'result_keys', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'rule_descriptions', relkind: 'r' },
      { nspname: 'hss_internal', relname: 'scope_state', relkind: 'r' },
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

describe('migrate, a database migrated before the internal schema existed', () => {
  let t: TestDatabase;
  let old: string;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
    // The migrations up to 0007, as a release before the move shipped them.
    old = mkdtempSync(join(tmpdir(), 'hss-old-migrations-'));
    cpSync(defaultMigrationsFolder(), old, { recursive: true });
    const journalPath = join(old, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
    journal.entries = journal.entries.filter((e: { tag: string }) => e.tag < '0008');
    writeFileSync(journalPath, JSON.stringify(journal));
  });
  afterAll(async () => {
    await t?.drop();
    if (old) rmSync(old, { recursive: true, force: true });
  });

  it('keeps its journal in hss until the move, then moves it to hss_internal and applies only the rest', async () => {
    await migrate(t.handle, undefined, { migrationsFolder: old });
    const where = () =>
      t.pool.query(
        `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname = '__drizzle_migrations' ORDER BY 1`,
      );
    expect((await where()).rows).toEqual([{ nspname: 'hss', relname: '__drizzle_migrations' }]);
    await migrate(t.handle);
    expect((await where()).rows).toEqual([{ nspname: 'hss_internal', relname: '__drizzle_migrations' }]);
    const applied = await t.pool.query('SELECT count(*)::int AS n FROM hss_internal.__drizzle_migrations');
    expect(applied.rows[0].n).toBe(migrationFiles.length);
    const views = await t.pool.query(`SELECT count(*)::int AS n FROM pg_views WHERE schemaname = 'hss'`);
    expect(views.rows[0].n).toBe(15);
  });
});

describe('migrate, two processes at once', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await t?.drop();
  });

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

/** Every column of schemas hss and hss_internal with its type, for before/after comparison. */
async function schemaFingerprint(t: TestDatabase): Promise<unknown[]> {
  const res = await t.pool.query(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema IN ('hss', 'hss_internal') ORDER BY 1, 2`,
  );
  return res.rows;
}
