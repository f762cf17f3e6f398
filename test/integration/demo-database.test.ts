/**
 * `demo` never touches a database it was not given for the demo: an inherited DATABASE_URL is
 * ignored unless `--use-database-url` says so, it prints the database it uses, and it refuses a
 * database holding scopes that are not the demo's. The demo's "own" database here is a fresh
 * test database standing in for the embedded server (no second PostgreSQL in the test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli.js';
import { run as cmdDemo } from '../../src/commands/demo.js';
import type { OwnDatabase } from '../../src/demo.js';
import { captureIo } from '../helpers/capture-io.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

// The pace lifted and a small world (4 images per scope): a first sync takes seconds, not a minute.
const FAST = ['--rate-limit', '100000', '--images', '4'];

const where = (url: string) => {
  const u = new URL(url);
  return `database "${u.pathname.slice(1)}" on ${u.hostname}:${u.port || 5432} as user "${decodeURIComponent(u.username)}"`;
};

describe('demo and DATABASE_URL', () => {
  let users: TestDatabase;

  beforeAll(async () => {
    // A user's database with a real world in it: one scope of another project.
    users = await createTestDatabase();
    await users.pool.query(
      `insert into hss_internal.scope_state (project_id, enterprise_project_id, image_type, target)
       values ('proj-prod', '0', 'private_image', 'cn-north-4/proj-prod')`,
    );
  });
  afterAll(async () => {
    await users.drop();
  });

  const counts = async () => {
    const r = await users.pool.query<{ runs: number; scopes: number }>(
      `select (select count(*)::int from hss_internal.sync_runs) as runs, (select count(*)::int from hss_internal.scope_state) as scopes`,
    );
    return r.rows[0];
  };

  it('ignores an inherited DATABASE_URL, says so and names the database it uses', async () => {
    const own = await createTestDatabase({ migrate: false });
    let started = 0;
    const startOwnDatabase = async (): Promise<OwnDatabase> => {
      started++;
      return { url: own.url, description: `test database, ${where(own.url)}`, stop: async () => {} };
    };
    const c = captureIo({ DATABASE_URL: users.url, LOG_LEVEL: 'error' });
    try {
      expect(await cmdDemo(c.io, ['--once', ...FAST], { startOwnDatabase })).toBe(EXIT.ok);
      expect(started).toBe(1);
      const lines = c.out().split('\n');
      expect(lines.slice(0, 2)).toEqual([
        'DATABASE_URL is set but not used: the demo uses a database of its own (--use-database-url uses it)',
        `Database: test database, ${where(own.url)}`,
      ]);
      expect(c.out()).toMatch(/\nsync succeeded run=/);
      const demo = await own.pool.query<{ n: number }>(
        'select count(*)::int as n from hss_internal.sync_runs',
      );
      expect(demo.rows[0]!.n).toBe(1);
      expect(await counts()).toEqual({ runs: 0, scopes: 1 });
    } finally {
      await own.drop();
    }
  });

  it('with --use-database-url refuses a database holding other scopes, and writes nothing', async () => {
    const c = captureIo({ DATABASE_URL: users.url, LOG_LEVEL: 'error' });
    const code = await cmdDemo(c.io, ['--once', '--use-database-url'], {
      startOwnDatabase: () => Promise.reject(new Error('must not start its own database')),
    }).catch((err: Error) => err);
    expect(code).toBeInstanceOf(Error);
    expect((code as Error).message).toBe(
      `DATABASE_URL: ${where(users.url)} holds scopes that are not the demo's (project proj-prod): the demo writes a simulated world and never mixes it into other data; give it an empty database, or run it without --use-database-url`,
    );
    expect(c.out().split('\n')[0]).toBe(`Database: DATABASE_URL (--use-database-url), ${where(users.url)}`);
    expect(await counts()).toEqual({ runs: 0, scopes: 1 });
  });

  it('with --use-database-url never prints a piece of a password the URL parser took for the host', async () => {
    const c = captureIo({ DATABASE_URL: 'postgres://hss:p@qx9#w/rd@127.0.0.1:5432/hss', LOG_LEVEL: 'error' });
    const err = await cmdDemo(c.io, ['--once', '--use-database-url']).catch((e: Error) => e);
    expect(c.out().split('\n')[0]).toBe(
      'Database: DATABASE_URL (--use-database-url), a URL that does not parse as intended',
    );
    expect((err as Error).message).toMatch(/^DATABASE_URL: does not parse as intended: /);
    expect(c.out()).not.toContain('qx9');
  });

  it('with --use-database-url and an empty database, uses it and prints psql without the password', async () => {
    const empty = await createTestDatabase({ migrate: false });
    try {
      const c = captureIo({ DATABASE_URL: empty.url, LOG_LEVEL: 'error' });
      expect(await cmdDemo(c.io, ['--once', '--use-database-url', ...FAST])).toBe(EXIT.ok);
      const u = new URL(empty.url);
      const pw = u.password;
      u.password = '';
      expect(c.out()).toContain(`\nConnect with: psql '${u.toString()}'\n`);
      // No login is made on a database the demo was given; the user is told how, and no status URL.
      expect(c.out()).toContain(
        '\nRead-only login: none made with --use-database-url; grant hss_reader to a login of yours (docs/sql.md, "Access: roles and least privilege")\n',
      );
      expect(c.out()).toContain(`\nThe demo's runs and scopes: npx hss-baseline-sync status\n`);
      expect(c.out()).toMatch(
        /\n--once: done; to keep syncing every 20 s, run npm run demo -- --use-database-url \(without --once\)\.\n$/,
      );
      if (pw) expect(c.out()).not.toContain(pw);
    } finally {
      await empty.drop();
    }
  });
});
