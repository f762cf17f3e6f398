/**
 * Authentication through the simulator over HTTP: AK/SK signing, IAM password login (and agency),
 * token renewal over a long run on a fake clock, static-token failure, and canary secrets that
 * must never reach logs, errors or the database.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { FakeClock } from '../../src/clock.js';
import { REDACT_PATHS } from '../../src/log.js';
import { createTestDatabase } from '../helpers/db.js';
import { runWithFakeTime, type SyncSetup, setupSync } from '../helpers/sync-setup.js';
import { storedRows, truthRows } from '../helpers/truth.js';

const NO_TOKEN = { HSS_AUTH_TOKEN: undefined };

/** A logger that keeps every line (at trace level) for inspection. */
function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
  return { logger, text: () => lines.join('') };
}

/** Every text of every row of every table (schema hss_internal). */
async function databaseText(s: {
  t: { pool: { query: (q: string) => Promise<{ rows: unknown[] }> } };
}): Promise<string> {
  const tables = await s.t.pool.query(`select tablename from pg_tables where schemaname = 'hss_internal'`);
  let all = '';
  for (const { tablename } of tables.rows as { tablename: string }[]) {
    const r = await s.t.pool.query(`select * from hss_internal."${tablename}"`);
    all += JSON.stringify(r.rows);
  }
  return all;
}

describe('authentication through the simulator', () => {
  let s: SyncSetup | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('syncs with AK/SK signing and zero rejected signatures', async () => {
    s = await setupSync({
      sim: {
        // cicd summaries through ListImageRiskConfigs, as the seed's example shows (the simulator's
        // default answers image_type=cicd empty, as the official definition says).
        cicdRiskConfigs: 'seed',
        auth: {
          tokens: [],
          accessKeys: [{ ak: 'AKTEST0001', sk: 'sk-secret-0001', securityToken: 'sts-0001' }],
        },
      },
      env: {
        ...NO_TOKEN,
        HSS_ACCESS_KEY: 'AKTEST0001',
        HSS_SECRET_KEY: 'sk-secret-0001',
        HSS_SECURITY_TOKEN: 'sts-0001',
        HSS_IMAGE_TYPES: 'private_image,local_image,cicd',
      },
    });
    const report = await s.app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.error).toBeNull();
    expect(report.status).toBe('succeeded');
    expect(s.sim.stats().rejectedSignatures).toBe(0);
    expect(report.counts.imagesFetched).toBeGreaterThan(0);
    expect(await storedRows(s.t)).toEqual(truthRows(s.sim, ['private_image', 'local_image', 'cicd']));
  });

  it('syncs through IAM password login, and through an agency', async () => {
    const users = [{ domain: 'acme', user: 'bot', password: 'pw-0001' }];
    s = await setupSync({
      sim: { auth: { tokens: [], users, agencies: [{ domain: 'acme-audit', name: 'hss-ro' }] } },
      env: { ...NO_TOKEN, HSS_IAM_DOMAIN: 'acme', HSS_IAM_USER: 'bot', HSS_IAM_PASSWORD: 'pw-0001' },
    });
    const report = await s.app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.status).toBe('succeeded');
    expect(s.sim.stats().tokensIssued).toBe(1);
    expect(s.sim.stats().rejectedTokens).toBe(0);
    expect(await storedRows(s.t)).toEqual(truthRows(s.sim, ['private_image']));
    const t = s.t;
    await s.app.close();
    await s.sim.close();
    s = await setupSync({
      t,
      sim: { auth: { tokens: [], users, agencies: [{ domain: 'acme-audit', name: 'hss-ro' }] } },
      env: {
        ...NO_TOKEN,
        HSS_IAM_DOMAIN: 'acme',
        HSS_IAM_USER: 'bot',
        HSS_IAM_PASSWORD: 'pw-0001',
        HSS_IAM_AGENCY_DOMAIN: 'acme-audit',
        HSS_IAM_AGENCY_NAME: 'hss-ro',
      },
    });
    const viaAgency = await s.app.sync({ trigger: 'test', deadlineMs: null });
    expect(viaAgency.status).toBe('succeeded');
    // one password login, then one assume_role
    expect(s.sim.stats().tokensIssued).toBe(2);
    await t.drop();
  });

  it('renews 10-minute tokens in time over a 30-minute run: one IAM call per renewal, no expired token sent', async () => {
    const clock = new FakeClock(Date.UTC(2026, 6, 1));
    s = await setupSync({
      clock,
      sim: {
        clock,
        imagesPerScope: 165,
        rateLimitPerMinute: 10,
        tokenLifetimeMs: 10 * 60_000,
        auth: { tokens: [], users: [{ domain: 'acme', user: 'bot', password: 'pw' }] },
      },
      env: {
        ...NO_TOKEN,
        HSS_IAM_DOMAIN: 'acme',
        HSS_IAM_USER: 'bot',
        HSS_IAM_PASSWORD: 'pw',
        HSS_RATE_LIMIT_PER_MINUTE: '5',
        HSS_FETCH_CONCURRENCY: '8',
      },
    });
    const report = await runWithFakeTime(clock, s.app.sync({ trigger: 'test', deadlineMs: null }), 1000);
    expect(report.status).toBe('succeeded');
    const minutes = (report.finishedAt.getTime() - report.startedAt.getTime()) / 60_000;
    expect(minutes).toBeGreaterThanOrEqual(29);
    const stats = s.sim.stats();
    expect(stats.rejectedTokens).toBe(0);
    // A token lives 10 min and is renewed when 1 min is left: one login per 9 minutes of run.
    expect(stats.tokensIssued).toBeGreaterThanOrEqual(Math.ceil(minutes / 10));
    expect(stats.tokensIssued).toBeLessThanOrEqual(Math.floor(minutes / 9) + 1);
    expect(await storedRows(s.t)).toEqual(truthRows(s.sim, ['private_image']));
    // 30 simulated minutes, stepped second by second: a hang guard, not a speed goal (on a loaded
    // 2-core machine it took up to two minutes of real time).
  }, 300_000);

  it('fails the run on a rejected static token and says what to configure instead', async () => {
    s = await setupSync({
      sim: { auth: { tokens: ['the-right-token'] } },
      env: { HSS_AUTH_TOKEN: 'expired-token' },
    });
    const report = await s.app.sync({ trigger: 'test', deadlineMs: null });
    expect(report.status).toBe('failed');
    expect(report.error).toContain(
      'HSS_AUTH_TOKEN was rejected (APIGW.0301): the token has expired or is wrong. Static tokens live 24 hours and cannot be renewed; configure HSS_ACCESS_KEY and HSS_SECRET_KEY (AK/SK signing) or HSS_IAM_DOMAIN, HSS_IAM_USER and HSS_IAM_PASSWORD instead.',
    );
  });

  it('keeps canary secrets out of logs, errors and the database on every failure path', async () => {
    const canary = {
      token: 'CANARY-TOKEN-7f3a9c',
      sk: 'CANARY-SK-51b2e0',
      sts: 'CANARY-STS-0d4e11',
      password: 'CANARY-PW-c8a6d2',
    };
    const cases: { name: string; env: Record<string, string | undefined> }[] = [
      { name: 'wrong static token', env: { HSS_AUTH_TOKEN: canary.token } },
      {
        name: 'bad AK/SK signature',
        env: {
          ...NO_TOKEN,
          HSS_ACCESS_KEY: 'AKCANARY',
          HSS_SECRET_KEY: canary.sk,
          HSS_SECURITY_TOKEN: canary.sts,
        },
      },
      {
        name: 'wrong IAM password',
        env: { ...NO_TOKEN, HSS_IAM_DOMAIN: 'acme', HSS_IAM_USER: 'bot', HSS_IAM_PASSWORD: canary.password },
      },
      {
        name: 'IAM unreachable',
        env: {
          ...NO_TOKEN,
          HSS_IAM_DOMAIN: 'acme',
          HSS_IAM_USER: 'bot',
          HSS_IAM_PASSWORD: canary.password,
          HSS_IAM_ENDPOINT: 'http://127.0.0.1:9',
          HSS_HTTP_MAX_ATTEMPTS: '1',
        },
      },
      {
        name: 'HSS unreachable',
        env: { HSS_AUTH_TOKEN: canary.token, HSS_ENDPOINT: 'http://127.0.0.1:9', HSS_HTTP_MAX_ATTEMPTS: '1' },
      },
    ];
    const t = await createTestDatabase();
    try {
      for (const c of cases) {
        const cap = captureLogger();
        s = await setupSync({
          t,
          logger: cap.logger,
          sim: {
            auth: {
              tokens: ['good'],
              accessKeys: [{ ak: 'AKCANARY', sk: 'a-different-sk', securityToken: canary.sts }],
              users: [{ domain: 'acme', user: 'bot', password: 'right-pw' }],
            },
          },
          env: { LOG_LEVEL: 'trace', ...c.env },
        });
        const report = await s.app.sync({ trigger: 'test', deadlineMs: null });
        expect(report.status, c.name).toBe('failed');
        const seen = [cap.text(), JSON.stringify(report), String(report.error), await databaseText(s)].join(
          '\n',
        );
        for (const secret of Object.values(canary))
          expect(seen, `${c.name} leaked ${secret}`).not.toContain(secret);
        expect(cap.text().length, c.name).toBeGreaterThan(0);
        await s.app.close();
        await s.sim.close();
        s = undefined;
      }
      // The CLI's own error paths: a DATABASE_URL password never appears either.
      let out = '';
      const sink = new Writable({
        write(chunk, _e, cb) {
          out += String(chunk);
          cb();
        },
      });
      const code = await main(['migrate'], {
        env: { DATABASE_URL: `postgres://u:${canary.password}@127.0.0.1:9/db`, LOG_FORMAT: 'json' },
        stdout: sink,
        stderr: sink,
      });
      expect(code).toBe(1);
      expect(out).not.toContain(canary.password);
      expect(out).toContain('ECONNREFUSED');
    } finally {
      await t.drop();
    }
  });
});
