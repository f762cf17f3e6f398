/**
 * The least-privilege recipe of docs/sql.md, run as printed (role and database names made unique
 * for this server): a non-superuser owner migrates a database of its own, the worker's login
 * (hss_writer) syncs it and builds the daily facts, cannot change the schema, and a BI login
 * (hss_reader) reads the public surface only.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { migrate } from '../../src/db/migrate.js';
import { createDb } from '../../src/db/pool.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { withAdmin } from '../helpers/db.js';
import { bindPsqlVariables, parseSqlDoc } from '../helpers/sql-doc.js';
import { truthRows } from '../helpers/sync-world.js';

const suffix = randomBytes(4).toString('hex');
const names = {
  hss_owner: `hss_test_owner_${suffix}`,
  hss_sync: `hss_test_sync_${suffix}`,
  hss_bi: `hss_test_bi_${suffix}`,
};
const passwords = {
  owner_password: randomBytes(9).toString('hex'),
  sync_password: randomBytes(9).toString('hex'),
  bi_password: randomBytes(9).toString('hex'),
};

/** The admin URL with another user, password and database. */
function urlFor(user: string, password: string, database: string): string {
  const url = new URL(inject('adminDatabaseUrl'));
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `sql` in a transaction on `url`, rolled back; returns 'ok' or the SQLSTATE. */
async function attempt(url: string, sql: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('begin');
    await c.query(sql);
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? 'error';
  } finally {
    await c.query('rollback').catch(() => {});
    await c.end();
  }
}

describe('the least-privilege recipe of docs/sql.md', () => {
  const database = `${inject('testDatabasePrefix')}roles_${suffix}`;
  let sim: Simulator;
  let simUrl: string;

  beforeAll(async () => {
    const recipe = parseSqlDoc().find((b) => b.kind === 'recipe' && b.name === 'least-privilege');
    if (!recipe) throw new Error('docs/sql.md has no least-privilege recipe');
    let sql = bindPsqlVariables(recipe.sql, passwords);
    for (const [name, unique] of Object.entries(names))
      sql = sql.replace(new RegExp(`\\b${name}\\b`, 'g'), unique);
    sql = sql.replace(/create database hss owner/, `create database ${database} owner`);
    const statements = sql
      .split('\n')
      .map((l) => l.replace(/--.*$/, ''))
      .join('\n')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
    expect(statements).toHaveLength(6);
    await withAdmin(async (c) => {
      for (const s of statements) {
        // The group roles are cluster-wide: earlier test databases made them already.
        await c.query(s).catch((err: { code?: string }) => {
          if (!(err.code === '42710' && /^create role hss_(reader|writer) nologin$/.test(s))) throw err;
        });
      }
    });
    sim = createSimulator({
      seed: 3,
      imagesPerScope: 6,
      projects: [{ projectId: 'proj-roles', enterpriseProjects: ['0'] }],
      imageTypes: ['private_image'],
      auth: { tokens: ['roles-token'] },
    });
    simUrl = (await sim.listen()).url;
  });

  afterAll(async () => {
    await sim?.close();
    await withAdmin(async (c) => {
      await c.query(`drop database if exists ${database} with (force)`);
      for (const role of Object.values(names)) await c.query(`drop role if exists ${role}`);
    });
  });

  it('the owner is no superuser and cannot create roles, yet migrates its database', async () => {
    const roles = await withAdmin((c) =>
      c.query(`select rolname, rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = $1`, [
        names.hss_owner,
      ]),
    );
    expect(roles.rows).toEqual([
      { rolname: names.hss_owner, rolsuper: false, rolcreaterole: false, rolcreatedb: false },
    ]);
    const owner = createDb(urlFor(names.hss_owner, passwords.owner_password, database));
    try {
      await migrate(owner);
      const views = await owner.pool.query(
        `select count(*)::int as n from pg_views where schemaname = 'hss'`,
      );
      expect(views.rows[0].n).toBe(18);
    } finally {
      await owner.close();
    }
  });

  it('the worker login syncs and builds the daily facts, and cannot change the schema', async () => {
    const url = urlFor(names.hss_sync, passwords.sync_password, database);
    const app = createApp(
      loadConfig({
        DATABASE_URL: url,
        HSS_REGION: 'cn-north-4',
        HSS_PROJECT_ID: 'proj-roles',
        HSS_ENDPOINT: simUrl,
        HSS_AUTH_TOKEN: 'roles-token',
        HSS_IMAGE_TYPES: 'private_image',
        HSS_RATE_LIMIT_PER_MINUTE: '100000',
        SYNC_MIGRATE_ON_START: 'false',
      }),
      { logger: pino({ level: 'silent' }) },
    );
    try {
      await app.assertMigrated();
      const report = await app.sync({ trigger: 'test', deadlineMs: null });
      expect([report.status, report.error]).toEqual(['succeeded', null]);
      const daily = await app.db.pool.query(
        `select count(*)::int as n from hss.image_baseline_daily where day = (now() at time zone 'UTC')::date`,
      );
      expect(daily.rows[0].n).toBe(truthRows(sim).length);
    } finally {
      await app.close();
    }
    for (const sql of [
      'create table hss.evil (x int)',
      'drop view hss.image_baselines',
      'truncate hss_internal.sync_runs cascade',
      'alter table hss_internal.image_baseline_history drop constraint image_baseline_history_no_overlap',
    ]) {
      expect([sql, await attempt(url, sql)]).toEqual([sql, '42501']);
    }
  });

  it('the BI login reads the public surface only and writes nothing', async () => {
    const url = urlFor(names.hss_bi, passwords.bi_password, database);
    expect(await attempt(url, 'select count(*) from hss.image_baseline_daily')).toBe('ok');
    expect(await attempt(url, 'select count(*) from hss.image_baselines_as_of(now())')).toBe('ok');
    expect(await attempt(url, 'select count(*) from hss.image_posture')).toBe('ok');
    expect(await attempt(url, 'select 1 from hss_internal.image_contents')).toBe('42501');
    expect(await attempt(url, 'delete from hss_internal.sync_runs')).toBe('42501');
  });
});
