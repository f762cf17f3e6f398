/**
 * The command line: configuration errors name the variable and exit non-zero; `migrate`,
 * `sync` (one-line summary, exit codes) and `demo --once` against a real database and the
 * simulator; and the real binary as a child process.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli.js';
import type { Env } from '../../src/config/load.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { BIN, ensureBuilt } from '../helpers/build.js';
import { captureIo as capture } from '../helpers/capture-io.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const run = promisify(execFile);

describe('command line', () => {
  let t: TestDatabase;
  let sim: Simulator;
  let simUrl: string;
  let env: Env;

  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
    sim = createSimulator({
      seed: 9,
      imagesPerScope: 8,
      projects: [{ projectId: 'p-cli', enterpriseProjects: ['0'] }],
    });
    simUrl = (await sim.listen()).url;
    env = {
      DATABASE_URL: t.url,
      HSS_REGION: 'cn-north-4',
      HSS_PROJECT_ID: 'p-cli',
      HSS_ENDPOINT: simUrl,
      HSS_AUTH_TOKEN: 'sim-token',
      HSS_IMAGE_TYPES: 'private_image,cicd',
      HSS_RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    };
  });
  afterAll(async () => {
    await sim?.close();
    await t?.drop();
  });

  const configErrors: [string, Env, string][] = [
    [
      'no DATABASE_URL',
      { DATABASE_URL: undefined },
      'configuration error: DATABASE_URL: is not set (allowed: a PostgreSQL URL such as postgres://user:password@localhost:5432/hss (or DATABASE_URL_FILE))\n',
    ],
    [
      'an unknown image type',
      { HSS_IMAGE_TYPES: 'private_image,docker_hub' },
      'configuration error: HSS_IMAGE_TYPES: unknown value "docker_hub" (allowed: private_image, shared_image, local_image, instance_image, registry, local, cicd)\n',
    ],
    [
      'a malformed schedule',
      { SYNC_SCHEDULE: '61 * * * *' },
      'configuration error: SYNC_SCHEDULE: "61 * * * *" is not a valid cron expression',
    ],
    [
      'no credentials',
      { HSS_AUTH_TOKEN: undefined },
      'configuration error: HSS_ACCESS_KEY: no HSS credentials are configured (allowed: exactly one of: HSS_ACCESS_KEY + HSS_SECRET_KEY (AK/SK signing, recommended); HSS_IAM_DOMAIN + HSS_IAM_USER + HSS_IAM_PASSWORD (IAM login); HSS_AUTH_TOKEN (static token, 24 h))\n',
    ],
  ];
  for (const [what, patch, message] of configErrors) {
    it(`sync with ${what} exits ${EXIT.config} with one message naming the variable`, async () => {
      const c = capture({ ...env, ...patch });
      expect(await main(['sync'], c.io)).toBe(EXIT.config);
      expect(c.err().startsWith(message)).toBe(true);
      expect(c.err().split('\n').filter(Boolean)).toHaveLength(1);
      expect(c.out()).toBe('');
    });
  }

  it('sync before migrate says to migrate first', async () => {
    const c = capture(env);
    expect(await main(['sync'], c.io)).toBe(EXIT.failed);
    expect(c.err()).toBe(
      'hss-baseline-sync sync: DB_ERROR: the database has no hss schema yet: run `hss-baseline-sync migrate` first\n',
    );
  });

  it('migrate, then sync prints one summary line and exits 0; a re-sync has nothing due', async () => {
    const m = capture(env);
    expect(await main(['migrate'], m.io)).toBe(EXIT.ok);
    expect(m.out()).toBe('migrations applied\n');
    const first = capture(env);
    expect(await main(['sync'], first.io)).toBe(EXIT.ok);
    const lines = first.out().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      // Coverage counts close the counts: every fetched content is covered, every
      // unscanned one not_scanned. cicd rule results come from ListCheckRulesInfo (its summaries are
      // derived from them, HSS_CICD_SUMMARIES=derived being the default).
      /^sync succeeded run=[0-9a-f-]{36} scopes=2\/2 images=\d+ distinct=\d+ due=\d+ fetched=(\d+) not_scanned=(\d+) pending=0 retired=0 quarantined=0 versions=\+\d+\/-0 rules=(\d+)\/\3 rules_pending=0 coverage=covered:\1,not_scanned:\2,scan_failed:0,no_results:0,inconsistent:0,pending:0 calls=ListCheckRulesInfo:\d+,ListCicdImages:1,ListImageRiskConfigRules:\d+,ListImageRiskConfigs:\d+,ListRegistryImages:1,ShowImageCheckRuleDetail:\d+ 429s=0 retries=0 eta=0s duration=\S+$/,
    );
    const second = capture(env);
    expect(await main(['sync'], second.io)).toBe(EXIT.ok);
    expect(second.out()).toMatch(
      / due=0 fetched=0 .* versions=\+0\/-0 rules=0\/0 rules_pending=0 coverage=covered:\d+,not_scanned:\d+,scan_failed:0,no_results:0,inconsistent:0,pending:0 calls=ListCicdImages:1,ListRegistryImages:1 /,
    );
  });

  it('sync exits 2 when a scope fails and the run is partial', async () => {
    sim.setFaults({ failPage: { api: 'ListCicdImages', offset: 0, status: 403 } });
    try {
      const c = capture(env);
      expect(await main(['sync'], c.io)).toBe(EXIT.partial);
      expect(c.out()).toMatch(/^sync partial .* scopes=1\/2 /);
      expect(c.err()).toContain('problems: p-cli/0/cicd: HSS_AUTH_FAILED');
    } finally {
      sim.setFaults({});
    }
  });

  it('demo --once against a given database prints the SQL answers and exits 0', async () => {
    // A database of its own: the demo refuses one holding other scopes (this file's p-cli).
    const own = await createTestDatabase({ migrate: false });
    const c = capture({ DATABASE_URL: own.url, LOG_LEVEL: 'error' });
    const code = await main(
      ['demo', '--once', '--use-database-url', '--rate-limit', '100000', '--images', '4'],
      c.io,
    ).finally(() => own.drop());
    expect(code).toBe(EXIT.ok);
    const out = c.out();
    expect(out).toContain('Worst images now (most failed check items):');
    expect(out).toContain('Failed items per baseline and standard:');
    expect(out).toMatch(/\nsync succeeded run=/);
    expect(out).toMatch(/history versions stored: [1-9]\d*\n/);
  });

  it('the installed binary exits non-zero with the message on stderr', async () => {
    ensureBuilt();
    const { DATABASE_URL: _omit, ...rest } = env;
    const err = await run(process.execPath, [BIN, 'sync'], { env: { PATH: process.env.PATH, ...rest } }).then(
      () => null,
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    expect(err?.code).toBe(EXIT.config);
    expect(err?.stderr).toBe(
      'configuration error: DATABASE_URL: is not set (allowed: a PostgreSQL URL such as postgres://user:password@localhost:5432/hss (or DATABASE_URL_FILE))\n',
    );
    const help = await run(process.execPath, [BIN, 'help']);
    expect(help.stdout).toContain('Usage: hss-baseline-sync <command> [options]');
  });
});
