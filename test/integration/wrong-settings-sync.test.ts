/**
 * Wrong HSS settings never read as success, through the simulator and the real command line:
 * a project id HSS does not know (every scope lists 0 images), a credential every scope fails
 * with (reported once), a region typo whose host does not resolve (reported at once as a
 * configuration problem), and retry log lines that say why they retry.
 */
import type { LookupFunction } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { EXIT, main } from '../../src/cli.js';
import { type Env, loadConfig } from '../../src/config/load.js';
import { runExitCode as syncExitCode } from '../../src/exit-codes.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { emptyTargetWarning } from '../../src/sync/diagnose.js';
import { captureIo } from '../helpers/capture-io.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const PROJECT = 'proj-real';

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function logCapture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      lines.push(...jsonLines(String(chunk)));
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** A dispatcher whose DNS answers ENOTFOUND for every name (IP literals need no lookup). */
function unresolvingAgent(asked: string[]): Agent {
  const lookup = ((hostname: string, _options: unknown, callback: (err: Error) => void) => {
    asked.push(hostname);
    const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname,
    });
    process.nextTick(() => callback(err));
  }) as unknown as LookupFunction;
  return new Agent({ connect: { lookup } });
}

describe('wrong HSS settings', () => {
  let t: TestDatabase;
  let sim: Simulator;
  let env: Env;

  beforeAll(async () => {
    t = await createTestDatabase();
    sim = createSimulator({
      seed: 3,
      imagesPerScope: 6,
      projects: [{ projectId: PROJECT, enterpriseProjects: ['0'] }],
      auth: { tokens: ['good-token'] },
    });
    const { url } = await sim.listen();
    env = {
      DATABASE_URL: t.url,
      HSS_REGION: 'cn-north-4',
      HSS_PROJECT_ID: PROJECT,
      HSS_ENDPOINT: url,
      HSS_IAM_ENDPOINT: url,
      HSS_AUTH_TOKEN: 'good-token',
      HSS_IMAGE_TYPES: 'private_image,cicd',
      HSS_RULE_DETAIL: 'off',
      HSS_RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    };
  });

  afterAll(async () => {
    await sim.close();
    await t.drop();
  });

  it('a project id HSS does not know: summary, log and status say every scope listed 0 images', async () => {
    const wrong = { ...env, HSS_PROJECT_ID: 'proj-typo' };
    const target = loadConfig(wrong).targets[0]!;
    const warning = emptyTargetWarning(target, 2);
    expect(warning).toBe(
      `target cn-north-4/proj-typo: all 2 scope(s) listed 0 images; check that HSS_PROJECT_ID (or the target's project_id) "proj-typo" is a project of region cn-north-4: HSS answers a project it does not know with an empty list`,
    );

    const sync = captureIo(wrong);
    expect(await main(['sync'], sync.io)).toBe(EXIT.ok);
    expect(sync.out()).toMatch(
      /^sync succeeded run=\S+ scopes=2\/2 images=0 distinct=0 due=0 fetched=0 not_scanned=0 pending=0 retired=0 quarantined=0 versions=\+0\/-0 coverage=covered:0,not_scanned:0,scan_failed:0,no_results:0,inconsistent:0,pending:0 calls=ListCicdImages:1,ListRegistryImages:1 429s=0 retries=0 eta=0s duration=\S+ warning: /,
    );
    expect(sync.out().endsWith(` warning: ${warning}\n`)).toBe(true);
    const logged = jsonLines(sync.err()).filter((l) => l.msg === 'every scope of a target listed 0 images');
    expect(logged.map((l) => [l.level, l.warning])).toEqual([['warn', warning]]);

    const status = captureIo(wrong);
    expect(await main(['status'], status.io)).toBe(EXIT.ok);
    expect(status.out()).toContain(`\nLast finished run (succeeded): warning: ${warning}\n`);

    // The right project id: no warning, and status no longer shows one.
    const right = captureIo(env);
    expect(await main(['sync'], right.io)).toBe(EXIT.ok);
    expect(right.out()).not.toContain('warning');
    const after = captureIo(env);
    await main(['status'], after.io);
    expect(after.out()).not.toContain('Last finished run');
  });

  it('an authentication failure shared by every scope is reported once', async () => {
    const c = captureIo({
      ...env,
      HSS_AUTH_TOKEN: 'wrong-token',
      HSS_IMAGE_TYPES: 'private_image,shared_image,cicd',
    });
    expect(await main(['sync'], c.io)).toBe(EXIT.failed);
    const problems = c
      .err()
      .split('\n')
      .filter((l) => l.startsWith('problems: '));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^problems: target cn-north-4\/proj-real, every scope \(3\): HSS_AUTH_FAILED: HSS_AUTH_TOKEN was rejected \(APIGW\.0301\)/,
    );
    expect(problems[0]!.split('HSS_AUTH_FAILED').length - 1).toBe(1);
    const r = await t.pool.query<{ error: string }>(
      `select error from hss_internal.sync_runs order by started_at desc limit 1`,
    );
    expect(`problems: ${r.rows[0]!.error}`).toBe(problems[0]);
    const logged = jsonLines(c.err()).filter(
      (l) => l.msg === 'several scopes of a target failed the same way',
    );
    expect(logged).toHaveLength(1);
  });

  it('a region typo whose HSS host does not resolve fails at once as a configuration problem', async () => {
    const asked: string[] = [];
    const dispatcher = unresolvingAgent(asked);
    const { logger, lines } = logCapture();
    const config = loadConfig({ ...env, HSS_REGION: 'cn-nort-4', HSS_ENDPOINT: undefined });
    const app = createApp(config, { logger, dispatcher, random: () => 0 });
    try {
      const report = await app.sync({ trigger: 'test' });
      expect(report.status).toBe('failed');
      expect(report.error).toBe(
        `target cn-nort-4/${PROJECT}, every scope (2): HSS_HOST_NOT_FOUND: ListRegistryImages: configuration problem: host "hss.cn-nort-4.myhuaweicloud.com" not found (ENOTFOUND): "cn-nort-4" is not a known HSS region (did you mean cn-north-4?); check HSS_REGION (or the target's region) and HSS_ENDPOINT`,
      );
      // One attempt per scope, no retry.
      expect(report.counts.apiCalls).toBe(2);
      expect(report.counts.retries).toBe(0);
      expect(asked).toEqual(['hss.cn-nort-4.myhuaweicloud.com', 'hss.cn-nort-4.myhuaweicloud.com']);
      expect(lines.filter((l) => l.msg === 'HSS call failed; retrying')).toEqual([]);
      expect(syncExitCode(report)).toBe(EXIT.config);
    } finally {
      await app.close();
      await dispatcher.close();
    }
  });

  it('a region typo whose IAM host does not resolve fails at once, naming HSS_IAM_ENDPOINT', async () => {
    const asked: string[] = [];
    const dispatcher = unresolvingAgent(asked);
    const { logger, lines } = logCapture();
    const config = loadConfig({
      ...env,
      HSS_REGION: 'cn-nort-4',
      HSS_IAM_ENDPOINT: undefined,
      HSS_AUTH_TOKEN: undefined,
      HSS_IAM_DOMAIN: 'acme',
      HSS_IAM_USER: 'sync',
      HSS_IAM_PASSWORD: 'iam-password-1',
    });
    const app = createApp(config, { logger, dispatcher, random: () => 0 });
    try {
      const report = await app.sync({ trigger: 'test' });
      expect(report.status).toBe('failed');
      expect(report.error).toMatch(
        /^target cn-nort-4\/proj-real, every scope \(2\): IAM_TOKEN_FAILED: IAM at https:\/\/iam\.cn-nort-4\.myhuaweicloud\.com cannot complete the password login for .*: configuration problem: host "iam\.cn-nort-4\.myhuaweicloud\.com" not found \(ENOTFOUND\): "cn-nort-4" is not a known HSS region \(did you mean cn-north-4\?\); check HSS_REGION \(or the target's region\) and HSS_IAM_ENDPOINT$/,
      );
      expect(report.error).not.toContain('iam-password-1');
      expect(new Set(asked)).toEqual(new Set(['iam.cn-nort-4.myhuaweicloud.com']));
      expect(lines.filter((l) => l.msg === 'IAM token request failed, will retry')).toEqual([]);
      expect(syncExitCode(report)).toBe(EXIT.config);
    } finally {
      await app.close();
      await dispatcher.close();
    }
  });

  it('every retry log line says why it retries', async () => {
    sim.setFaults({ failPage: { api: 'ListRegistryImages', offset: 0, status: 503, times: 1 } });
    const { logger, lines } = logCapture();
    const app = createApp(loadConfig({ ...env, HSS_IMAGE_TYPES: 'private_image' }), {
      logger,
      random: () => 0,
    });
    try {
      const report = await app.sync({ trigger: 'test' });
      expect(report.status).toBe('succeeded');
      const retries = lines.filter((l) => l.msg === 'HSS call failed; retrying');
      expect(retries).toHaveLength(1);
      expect(retries[0]!.reason).toMatch(
        new RegExp(`^ListRegistryImages GET /v5/${PROJECT}/image/registries/images HTTP 503 `),
      );
    } finally {
      sim.setFaults({});
      await app.close();
    }
  });
});
