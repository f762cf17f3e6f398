/**
 * A wrong DATABASE_URL never hangs and never reads like something else: every command exits at
 * once with one line naming the database (never the password), the server's message and what
 * to fix. The SCRAM server is a loopback stand-in of the test (test/helpers/fake-scram-server.ts);
 * the other cases use the real test server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT, main } from '../../src/cli.js';
import type { Env } from '../../src/config/load.js';
import { BIN, ensureBuilt } from '../helpers/build.js';
import { captureIo } from '../helpers/capture-io.js';
import { type FakeScramServer, startFakeScramServer } from '../helpers/fake-scram-server.js';

const run = promisify(execFile);

const HSS_ENV: Env = {
  HSS_REGION: 'cn-north-4',
  HSS_PROJECT_ID: 'p-wrong',
  HSS_AUTH_TOKEN: 'token',
  HTTP_PORT: '0',
  LOG_LEVEL: 'silent',
};

const NO_PASSWORD = (port: number) =>
  `configuration error: DATABASE_URL: the URL has no password and the server asks for one (database "hss" on 127.0.0.1:${port} as user "hss"): write it as postgres://user:password@host:port/db (percent-encode the password (@ %40, # %23, / %2F, ? %3F, : %3A, % %25)), or give the URL in the file DATABASE_URL_FILE names\n`;

describe('DATABASE_URL without a password against a SCRAM server', () => {
  let scram: FakeScramServer;
  beforeAll(async () => {
    scram = await startFakeScramServer();
  });
  afterAll(async () => {
    await scram.close();
  });

  for (const command of ['migrate', 'sync', 'status', 'start']) {
    it(`${command} exits 78 at once with one line, and closes its connection`, async () => {
      const before = scram.accepted;
      const c = captureIo({ ...HSS_ENV, DATABASE_URL: `postgres://hss@127.0.0.1:${scram.port}/hss` });
      const code = await main([command], c.io);
      expect(c.err()).toBe(NO_PASSWORD(scram.port));
      expect(code).toBe(EXIT.config);
      expect(c.out()).toBe('');
      // Not retried: one connection, and the client closed it (an open one kept the process alive).
      expect(scram.accepted - before).toBe(1);
      await scram.idle();
      expect(scram.open).toBe(0);
    });
  }

  it('the real binary exits 78 instead of hanging', async () => {
    ensureBuilt();
    const env = {
      PATH: process.env.PATH,
      ...HSS_ENV,
      DATABASE_URL: `postgres://hss@127.0.0.1:${scram.port}/hss`,
    };
    // The bound only turns a regression (a hang) into a failure; the command ends in about a second.
    const result = await run(process.execPath, [BIN, 'migrate'], { env, timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code?: number; signal?: string; stderr?: string }) => ({
        code: e.signal ? e.signal : e.code,
        stderr: e.stderr ?? '',
      }),
    );
    expect(result).toEqual({ code: EXIT.config, stderr: NO_PASSWORD(scram.port) });
  });
});

describe('database connection errors name what failed', () => {
  const admin = () => new URL(inject('adminDatabaseUrl'));

  it('a password with "@", "#" and "/" gets the percent-encoding hint and is never echoed', async () => {
    const c = captureIo({ ...HSS_ENV, DATABASE_URL: 'postgres://hss:p@qx9#w/rd@127.0.0.1:5432/hss' });
    const code = await main(['status'], c.io);
    expect(c.err()).toMatch(
      /^configuration error: DATABASE_URL: does not parse as intended: the user or password holds "@", "#", "\/" or "\?", so a piece of it was taken for the host \(connecting failed: (ENOTFOUND|EAI_AGAIN)\); percent-encode the password \(@ %40, # %23, \/ %2F, \? %3F, : %3A, % %25\)\n$/,
    );
    expect(c.err()).not.toContain('qx9');
    expect(code).toBe(EXIT.config);
  });

  it('a database that does not exist is a configuration error naming host, port and database', async () => {
    const u = admin();
    u.pathname = '/hss_no_such_database';
    const c = captureIo({ ...HSS_ENV, DATABASE_URL: u.toString() });
    const code = await main(['migrate'], c.io);
    const port = u.port || '5432';
    expect(c.err()).toBe(
      `configuration error: DATABASE_URL: database "hss_no_such_database" does not exist (SQLSTATE 3D000) (database "hss_no_such_database" on ${u.hostname}:${port} as user "${decodeURIComponent(u.username)}"): create the database or fix its name in the URL\n`,
    );
    expect(code).toBe(EXIT.config);
    if (u.password) expect(c.err()).not.toContain(decodeURIComponent(u.password));
  });

  it('a refused connection names the database and keeps the socket error (exit 1, not a config error)', async () => {
    const c = captureIo({ ...HSS_ENV, DATABASE_URL: 'postgres://hss:secret-pw@127.0.0.1:1/hss' });
    const code = await main(['status'], c.io);
    expect(c.err()).toBe(
      'hss-baseline-sync status: DB_ERROR: cannot connect to the database "hss" on 127.0.0.1:1 as user "hss": connect ECONNREFUSED 127.0.0.1:1\n',
    );
    expect(code).toBe(EXIT.failed);
  });

  it('an unknown host names the host', async () => {
    const c = captureIo({ ...HSS_ENV, DATABASE_URL: 'postgres://hss:secret-pw@db.invalid:5432/hss' });
    const code = await main(['migrate'], c.io);
    expect(c.err()).toMatch(
      /^configuration error: DATABASE_URL: host "db\.invalid" not found \(database "hss" on db\.invalid:5432 as user "hss"\): getaddrinfo (ENOTFOUND|EAI_AGAIN) db\.invalid; check the host name \(and percent-encode the password/,
    );
    expect(c.err()).not.toContain('secret-pw');
    expect(code).toBe(EXIT.config);
  });
});
