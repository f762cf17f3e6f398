/**
 * What `demo` tells a newcomer, proven against what it made: the owner and read-only logins it
 * prints connect, the three starter queries it prints answer rows as the read-only login (which
 * cannot see hss_internal), `status` run as printed shows the demo's 20 s schedule, no image shows
 * twice, and a stop closes every connection before the server is stopped. The demo's "own"
 * database is a fresh test database standing in for the embedded server; the pace is lifted
 * (--rate-limit 100000) and the world small (--images 4), so a first sync takes seconds.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli.js';
import { run as cmdDemo } from '../../src/commands/demo.js';
import { run as cmdStatus } from '../../src/commands/status.js';
import { ensureReaderLogin, type ReaderLogin } from '../../src/demo/reader.js';
import type { OwnDatabase } from '../../src/demo.js';
import { captureIo } from '../helpers/capture-io.js';
import { createTestDatabase, type TestDatabase, withAdmin } from '../helpers/db.js';

const FAST = ['--rate-limit', '100000', '--images', '4'];

describe('demo session', () => {
  let own: TestDatabase;
  let dataDir: string;
  let reader: ReaderLogin;
  /** Connections of the demo to its database when it stopped the server (must be none). */
  const atStop: number[] = [];
  const startOwnDatabase = async (): Promise<OwnDatabase> => ({
    url: own.url,
    description: 'test database',
    dataDir,
    reader,
    stop: async () => {
      const r = await q<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()`,
      );
      atStop.push(r.rows[0]!.n);
    },
  });
  /** One query on a connection of its own (the file keeps no pool open on the demo's database). */
  const q = async <R extends pg.QueryResultRow>(sql: string): Promise<pg.QueryResult<R>> => {
    const client = new pg.Client({ connectionString: own.url });
    await client.connect();
    try {
      return await client.query<R>(sql);
    } finally {
      await client.end();
    }
  };
  let out = '';

  beforeAll(async () => {
    own = await createTestDatabase({ migrate: false });
    dataDir = await mkdtemp(join(tmpdir(), 'hss-demo-test-'));
    // Roles are cluster-wide: a name of this file's own.
    reader = {
      role: `hss_demo_reader_${randomBytes(4).toString('hex')}`,
      passwordFile: join(dataDir, 'reader-password'),
    };
    const c = captureIo({ LOG_LEVEL: 'error' });
    expect(await cmdDemo(c.io, ['--once', ...FAST], { startOwnDatabase })).toBe(EXIT.ok);
    out = c.out();
    expect(c.err()).toBe('');
  });
  afterAll(async () => {
    await own.drop();
    await withAdmin((a) => a.query(`drop role if exists ${a.escapeIdentifier(reader.role)}`));
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The URL in `psql '<url>'` on the line that starts with `prefix`. */
  const psqlUrl = (line: string) => /psql '([^']+)'/.exec(line)?.[1] ?? '';

  it('prints the owner and a read-only login, the starter queries, docs/sql.md and how to keep it running', async () => {
    const password = (await readFile(reader.passwordFile, 'utf8')).trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await stat(reader.passwordFile)).mode & 0o777).toBe(0o600);
    const u = new URL(own.url);
    u.username = reader.role;
    u.password = password;
    const tail = out.slice(out.indexOf('\nConnect with:'));
    const lines = tail.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '',
      `Connect with: psql '${own.url}'`,
      `Read-only login for BI tools (role hss_reader, schema hss only; password kept in ${reader.passwordFile}):`,
      `  psql '${u.toString()}'`,
    ]);
    expect(lines[4]).toBe('Start with:');
    expect(lines.slice(5, 8).map((l) => l.replace(/ -c .*/, ''))).toEqual([
      `  psql '${u.toString()}'`,
      `  psql '${u.toString()}'`,
      `  psql '${u.toString()}'`,
    ]);
    expect(lines.slice(8)).toEqual([
      'Every view and column: docs/sql.md',
      `The demo's runs and scopes: DATABASE_URL='${own.url}' npx hss-baseline-sync status`,
      '',
      `--once: the demo's PostgreSQL is stopped now (its data stays in ${dataDir}); to keep it running and syncing every 20 s, run npm run demo (without --once).`,
      '',
    ]);
  });

  it('the three printed queries answer rows as the read-only login, which cannot see hss_internal', async () => {
    const starts = out.split('\n').filter((l) => l.startsWith('  psql ') && l.includes(' -c '));
    expect(starts).toHaveLength(3);
    const owner = new pg.Client({ connectionString: own.url });
    const client = new pg.Client({ connectionString: psqlUrl(starts[0]!) });
    await owner.connect();
    await client.connect();
    try {
      expect((await client.query<{ u: string }>('select current_user as u')).rows[0]!.u).toBe(reader.role);
      const counts: number[] = [];
      for (const line of starts) {
        const sql = /-c '([^']+)'/.exec(line)?.[1] ?? '';
        const got = await client.query(sql);
        // The reader sees what the owner sees.
        expect(got.rows).toEqual((await owner.query(sql)).rows);
        counts.push(got.rowCount ?? 0);
      }
      const pairs = await owner.query('select distinct image_type, coverage from hss.image_coverage');
      expect(counts).toEqual([10, pairs.rowCount, 10]);
      // Every synced image type has images in some coverage state.
      expect(pairs.rowCount).toBeGreaterThanOrEqual(6);
      const denied = await client
        .query('select count(*) from hss_internal.sync_runs')
        .catch((e: { code?: string }) => e);
      expect((denied as { code?: string }).code).toBe('42501');
    } finally {
      await client.end();
      await owner.end();
    }
  });

  it('a restart keeps the reader password (the file and the role agree)', async () => {
    const before = (await readFile(reader.passwordFile, 'utf8')).trim();
    const pool = new pg.Pool({ connectionString: own.url, max: 1 });
    const url = await ensureReaderLogin(pool, reader, own.url).finally(() => pool.end());
    expect(decodeURIComponent(new URL(url).password)).toBe(before);
    expect((await readFile(reader.passwordFile, 'utf8')).trim()).toBe(before);
  });

  it('shows no image twice: `local` is not synced beside `local_image` (one ListImageLocal world)', async () => {
    const twice = await q(
      `select image_id, array_agg(image_type::text order by image_type) as types
         from hss.image_posture group by image_id having count(*) > 1`,
    );
    expect(twice.rows).toEqual([]);
    const types = await q<{ t: string }>(
      'select distinct image_type::text as t from hss_internal.scope_state order by 1',
    );
    expect(types.rows.map((r) => r.t)).toEqual([
      'cicd',
      'instance_image',
      'local_image',
      'private_image',
      'registry',
      'shared_image',
    ]);
  });

  it('`status` run as printed after --once: no daemon, so the default schedule, said to hold only for a daemon', async () => {
    const line = out.split('\n').find((l) => l.startsWith("The demo's runs and scopes: "))!;
    expect(line).not.toContain('SYNC_SCHEDULE');
    const c = captureIo({ DATABASE_URL: /DATABASE_URL='([^']+)'/.exec(line)![1]! });
    expect(await cmdStatus(c.io, ['--json'])).toBe(EXIT.ok);
    const report = JSON.parse(c.out()) as { schedule: { expression: string; source: string } };
    expect(report.schedule).toMatchObject({ expression: '*/30 * * * *', source: 'default' });
  });

  it('stops its server only after every connection of the demo is closed', () => {
    expect(atStop).toEqual([0]);
  });

  it('a SIGINT while it syncs every 20 s stops it cleanly: no 57P01, exit 0, pools closed first', async () => {
    const c = captureIo({ LOG_LEVEL: 'info' });
    const done = cmdDemo(c.io, FAST, { startOwnDatabase });
    for (let i = 0; i < 600 && !c.out().includes('Ctrl-C to stop.'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(c.out()).toContain('Ctrl-C to stop.');
    // While it syncs every 20 s, `status` as printed (no SYNC_SCHEDULE) tells the next run from
    // the schedule the demo recorded with its runs.
    const line = c
      .out()
      .split('\n')
      .find((l) => l.startsWith("The demo's runs and scopes: "))!;
    const env = { DATABASE_URL: /DATABASE_URL='([^']+)'/.exec(line)![1]! };
    const json = captureIo(env);
    expect(await cmdStatus(json.io, ['--json'])).toBe(EXIT.ok);
    const report = JSON.parse(json.out()) as {
      schedule: { expression: string; nextRun: string; source: string };
    };
    expect(report.schedule).toMatchObject({ expression: '*/20 * * * * *', source: 'recorded' });
    const next = Date.parse(report.schedule.nextRun) - Date.now();
    expect(next).toBeGreaterThan(-1000);
    expect(next).toBeLessThanOrEqual(20_000);
    const text = captureIo(env);
    expect(await cmdStatus(text.io, [])).toBe(EXIT.ok);
    expect(text.out()).toContain(
      '(schedule "*/20 * * * * *" in UTC, as the daemon recorded it with its latest scheduled run, if the daemon is running)\n',
    );
    c.signals.emit('SIGINT');
    expect(await done).toBe(EXIT.ok);
    expect(c.out()).toMatch(/\nStopping \.\.\.\n$/);
    expect(c.err()).not.toMatch(/57P01|terminating connection|closed an idle connection|lock lost/);
    expect(atStop).toEqual([0, 0]);
  });
});
