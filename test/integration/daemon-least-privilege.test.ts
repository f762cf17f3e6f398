/**
 * The worker as deployed (docs/operations.md, "Deployment"): the owner migrates, and `start`, `sync` and
 * `migrate` run with a login granted only hss_writer, created with the SQL of docs/operations.md ("Two logins"). Against a
 * current schema `start` boots without DDL and syncs; with a migration pending every command exits
 * 78 (the setup is wrong, docs/operations.md "Commands and exit codes") with one line naming the migration and whom to run
 * `migrate` as, and changes nothing.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { Env } from '../../src/config/load.js';
import { defaultMigrationsFolder } from '../../src/db/migrate.js';
import { readJournal } from '../../src/db/schema-state.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { BIN, ensureBuilt, ROOT } from '../helpers/build.js';
import { captureIo } from '../helpers/capture-io.js';
import { createTestDatabase, type TestDatabase, withAdmin } from '../helpers/db.js';
import { when } from '../helpers/wait.js';

const execFileP = promisify(execFile);
const PROJECT = 'proj-least';
const suffix = randomBytes(4).toString('hex');
const LOGIN = `hss_test_worker_${suffix}`;
const PASSWORD = randomBytes(12).toString('hex');

describe('the worker with a login granted only hss_writer', () => {
  let t: TestDatabase;
  let sim: Simulator;
  let env: Env;
  let owner: string;

  beforeAll(async () => {
    ensureBuilt();
    // Migrated by the server's admin login, the owner of schema hss here.
    t = await createTestDatabase();
    owner = decodeURIComponent(new URL(inject('adminDatabaseUrl')).username);
    // The SQL of docs/operations.md for the worker's login (role names are cluster-wide: one per test run).
    await withAdmin((c) => c.query(`CREATE ROLE ${LOGIN} LOGIN PASSWORD '${PASSWORD}' IN ROLE hss_writer`));
    sim = createSimulator({
      seed: 5,
      imagesPerScope: 6,
      imageTypes: ['private_image'],
      projects: [{ projectId: PROJECT, enterpriseProjects: ['0'] }],
      auth: { tokens: ['least-token'] },
    });
    const url = new URL(t.url);
    url.username = LOGIN;
    url.password = PASSWORD;
    env = {
      DATABASE_URL: url.toString(),
      HSS_REGION: 'cn-north-4',
      HSS_PROJECT_ID: PROJECT,
      HSS_ENDPOINT: (await sim.listen()).url,
      HSS_AUTH_TOKEN: 'least-token',
      HSS_IMAGE_TYPES: 'private_image',
      HSS_RATE_LIMIT_PER_MINUTE: '100000',
      // Once at boot; the schedule is a year away.
      SYNC_SCHEDULE: '0 0 1 1 *',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    };
  });

  afterAll(async () => {
    await sim?.close();
    await t?.drop();
    await withAdmin((c) => c.query(`DROP ROLE IF EXISTS ${LOGIN}`));
  });

  it('the login is no owner: it holds hss_writer and nothing else', async () => {
    const roles = await withAdmin((c) =>
      c.query(
        `SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole,
                array(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid) AS member_of,
                has_database_privilege(r.rolname, $2, 'CREATE') AS create_in_db
           FROM pg_roles r WHERE r.rolname = $1`,
        [LOGIN, t.name],
      ),
    );
    expect(roles.rows).toEqual([
      {
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        member_of: ['hss_writer'],
        create_in_db: false,
      },
    ]);
  });

  it('`start` against a current schema boots without DDL, syncs, and stops on SIGTERM', async () => {
    const c = captureIo(env);
    const exit = main(['start'], c.io);
    const lines = () =>
      c
        .out()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    // The run summary line, or start returning first (a failure: it names what it printed).
    await Promise.race([
      when('the run summary', c.onOutput, () => lines().some((l) => l.msg === 'run summary'), 60_000),
      exit.then((code) => {
        throw new Error(`start exited ${code} before a run summary; stderr: ${c.err()}`);
      }),
    ]);
    c.signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(c.err()).toBe('');
    const all = lines();
    expect(all[0]).toMatchObject({ msg: 'database migrations up to date', applied: 0 });
    expect(all[0]!.total).toBe(readJournal(defaultMigrationsFolder()).length);
    const summary = String(all.find((l) => l.msg === 'run summary')!.summary);
    expect(summary).toMatch(/^sync succeeded run=\S+ scopes=1\/1 images=\d+ distinct=6 due=6 fetched=6 /);
    const runs = await t.pool.query(`SELECT status, images_fetched FROM hss_internal.sync_runs`);
    expect(runs.rows).toEqual([{ status: 'succeeded', images_fetched: 6 }]);
  });

  describe('with a migration pending', () => {
    const journal = readJournal(defaultMigrationsFolder());
    const last = journal.at(-1)!.tag;
    let removed: { hash: string; created_at: string };
    const fix = () =>
      `run \`hss-baseline-sync migrate\` as ${owner}, the owner of schema hss (README, "Deployment")`;
    const applied = async () =>
      (await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM hss_internal.__drizzle_migrations'))
        .rows[0]!.n;

    beforeAll(async () => {
      // The database as the previous version left it, as far as the journal tells: the newest
      // migration not recorded. Its objects stay, so nothing here may try to apply it again.
      const r = await t.pool.query(
        `DELETE FROM hss_internal.__drizzle_migrations
          WHERE created_at = (SELECT max(created_at) FROM hss_internal.__drizzle_migrations)
          RETURNING hash, created_at::text`,
      );
      removed = r.rows[0];
    });

    afterAll(async () => {
      await t.pool.query('INSERT INTO hss_internal.__drizzle_migrations (hash, created_at) VALUES ($1, $2)', [
        removed.hash,
        removed.created_at,
      ]);
    });

    it('`start` (the binary) exits 78 with one line: the migration, the login, whom to migrate as', async () => {
      const runsBefore = (await t.pool.query('SELECT count(*)::int AS n FROM hss_internal.sync_runs')).rows[0]
        .n;
      const r = await execFileP(process.execPath, [BIN, 'start'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      expect(r).toEqual({
        code: 78,
        stderr: `hss-baseline-sync start: DB_MIGRATION_PENDING: 1 database migration is pending (${last}) and login ${LOGIN} may not apply it: ${fix()}\n`,
      });
      expect(await applied()).toBe(journal.length - 1);
      expect((await t.pool.query('SELECT count(*)::int AS n FROM hss_internal.sync_runs')).rows[0].n).toBe(
        runsBefore,
      );
    });

    it('`start` told not to migrate, `sync` and `migrate` say the same (78), and change nothing', async () => {
      const pending = `1 database migration is pending (${last})`;
      const cases: [string[], Env, string][] = [
        [
          ['start'],
          { ...env, SYNC_MIGRATE_ON_START: 'false' },
          `hss-baseline-sync start: DB_MIGRATION_PENDING: ${pending}: ${fix()}\n`,
        ],
        [['sync'], env, `hss-baseline-sync sync: DB_MIGRATION_PENDING: ${pending}: ${fix()}\n`],
        [
          ['migrate'],
          env,
          `hss-baseline-sync migrate: DB_MIGRATION_PENDING: ${pending} and login ${LOGIN} may not apply it: ${fix()}\n`,
        ],
      ];
      for (const [argv, e, stderr] of cases) {
        const c = captureIo(e);
        expect([argv[0], await main(argv, c.io), c.err()]).toEqual([argv[0], 78, stderr]);
      }
      expect(await applied()).toBe(journal.length - 1);
    });
  });
});
