/**
 * The command line's contract, through the real binary: every command (and the top level) answers
 * `--help`, `-h`, `--version`, a mistyped option and a bad value with the same kind of answer (exit
 * code, exact first line) and, for all of them, touches nothing: run against an empty database
 * (which must still have no schema afterwards) and an HSS endpoint on loopback (which must receive
 * no request). Then the environment (a mistyped variable, a bad LOG_LEVEL), and the roles: `status`
 * as a login granted only hss_reader, `migrate`, `sync` and `status` as logins without the role.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { FakeClock } from '../../src/clock.js';
import { run as status } from '../../src/commands/status.js';
import type { Env } from '../../src/config/load.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { BIN, ensureBuilt, ROOT } from '../helpers/build.js';
import { captureIo } from '../helpers/capture-io.js';
import { createTestDatabase, type TestDatabase, withAdmin } from '../helpers/db.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function cli(args: string[], env: Env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const firstLine = (s: string) => s.split('\n')[0];

/** Per command: the first line of its help, a mistyped option with its answer, a bad value with its answer. */
const TABLE: [command: string, usage: string, typo: [string, string], bad: [string[], string]][] = [
  [
    'migrate',
    'Usage: hss-baseline-sync migrate',
    ['--hlep', 'unknown option --hlep (did you mean --help?)'],
    [['now'], 'unexpected argument "now": migrate takes no arguments, only options'],
  ],
  [
    'sync',
    'Usage: hss-baseline-sync sync',
    ['--verison', 'unknown option --verison (did you mean --version?)'],
    [['--help=yes'], '--help takes no value'],
  ],
  [
    'start',
    'Usage: hss-baseline-sync start',
    ['--bogus', 'unknown option --bogus (start takes --help, --version)'],
    [['once'], 'unexpected argument "once": start takes no arguments, only options'],
  ],
  [
    'status',
    'Usage: hss-baseline-sync status [--json] [--runs N]',
    ['--jsn', 'unknown option --jsn (did you mean --json?)'],
    [['--runs', 'abc'], '--runs "abc" is not a whole number from 1 to 200'],
  ],
  [
    'simulate',
    'Usage: hss-baseline-sync simulate [options]',
    ['--prot', 'unknown option --prot (did you mean --port?)'],
    [['--port', '70000'], '--port "70000" is not a whole number from 0 to 65535'],
  ],
  [
    'report',
    'Usage: hss-baseline-sync report --as-of <instant> --out <dir> [options]',
    ['--as-off', 'unknown option --as-off (did you mean --as-of?)'],
    [
      ['--days', 'abc', '--as-of', '2026-03-01T00:00:00Z', '--out', 'x'],
      '--days "abc" is not a whole number of days from 1 to 3660',
    ],
  ],
  [
    'verify',
    'Usage: hss-baseline-sync verify [--since <instant>] [--as-of <instant> [--expect <digest>]] [--json]',
    ['--snice', 'unknown option --snice (did you mean --since?)'],
    [
      ['--since', 'yesterday'],
      '--since "yesterday" is not an ISO 8601 instant (2026-03-01 or 2026-03-01T00:00:00Z)',
    ],
  ],
  [
    'demo',
    'Usage: hss-baseline-sync demo [--once] [--use-database-url] [--port 54329] [--data-dir .demo-data]',
    ['--onec', 'unknown option --onec (did you mean --once?)'],
    [['--port', '70000'], '--port "70000" is not a whole number from 1 to 65535'],
  ],
];

describe('every command: --help, -h, --version and mistakes touch nothing', () => {
  let empty: TestDatabase;
  let hss: Server;
  let requests = 0;
  let env: Env;

  beforeAll(async () => {
    ensureBuilt();
    empty = await createTestDatabase({ migrate: false });
    hss = createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => hss.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(hss.address() as AddressInfo).port}`;
    env = {
      DATABASE_URL: empty.url,
      HSS_REGION: 'cn-north-4',
      HSS_PROJECT_ID: 'proj-contract',
      HSS_ENDPOINT: endpoint,
      HSS_IAM_ENDPOINT: endpoint,
      HSS_AUTH_TOKEN: 'contract-token',
      HTTP_PORT: '0',
      LOG_FORMAT: 'json',
    };
  });

  afterAll(async () => {
    await new Promise((r) => hss?.close(r));
    await empty?.drop();
  });

  it('the top level: usage, version, a command typo, an unknown option', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = await cli([flag], env);
      expect([flag, r.code, firstLine(r.stdout), r.stderr]).toEqual([
        flag,
        0,
        'Usage: hss-baseline-sync <command> [options]',
        '',
      ]);
    }
    expect(await cli(['--version'], env)).toEqual({
      code: 0,
      stdout: `hss-baseline-sync ${VERSION}\n`,
      stderr: '',
    });
    expect(await cli(['sycn'], env)).toEqual({
      code: 64,
      stdout: '',
      stderr:
        'hss-baseline-sync: unknown command "sycn" (did you mean sync?); see hss-baseline-sync --help\n',
    });
    expect(await cli(['--verison'], env)).toEqual({
      code: 64,
      stdout: '',
      stderr:
        'hss-baseline-sync: unknown option "--verison" (did you mean --version?); see hss-baseline-sync --help\n',
    });
    const none = await cli([], env);
    expect([none.code, none.stdout, firstLine(none.stderr)]).toEqual([
      64,
      '',
      'Usage: hss-baseline-sync <command> [options]',
    ]);
  });

  for (const [command, usage, [typo, typoLine], [bad, badLine]] of TABLE) {
    it(`${command}: --help and -h print its usage, --version the version, mistakes one line and 64`, async () => {
      for (const flag of ['--help', '-h']) {
        // Beside an option it would refuse, help still wins.
        for (const args of [[flag], [typo, flag]]) {
          const r = await cli([command, ...args], env);
          expect([args, r.code, firstLine(r.stdout), r.stderr]).toEqual([args, 0, usage, '']);
          expect(r.stdout).toContain('\n  -h, --help ');
        }
      }
      expect(await cli([command, '--version'], env)).toEqual({
        code: 0,
        stdout: `hss-baseline-sync ${VERSION}\n`,
        stderr: '',
      });
      expect(await cli([command, typo], env)).toEqual({
        code: 64,
        stdout: '',
        stderr: `hss-baseline-sync ${command}: ${typoLine}\n`,
      });
      expect(await cli([command, ...bad], env)).toEqual({
        code: 64,
        stdout: '',
        stderr: `hss-baseline-sync ${command}: ${badLine}\n`,
      });
    });
  }

  it('the same answers for the same kind of mistake', async () => {
    const cases: [string[], string][] = [
      [
        ['simulate', '--port', 'abc'],
        'hss-baseline-sync simulate: --port "abc" is not a whole number from 0 to 65535',
      ],
      [['status', '--runs', '0'], 'hss-baseline-sync status: --runs "0" is not a whole number from 1 to 200'],
      [['status', '--runs'], 'hss-baseline-sync status: --runs needs a value (N)'],
      [
        ['report', '--out', 'x'],
        'hss-baseline-sync report: --as-of is required (an instant such as 2026-03-01T00:00:00Z)',
      ],
      [
        ['report', '--as-of', '2026-03-01T00:00:00Z'],
        'hss-baseline-sync report: --out is required (the directory to write the report into)',
      ],
      [
        ['simulate', '--cicd-risk-configs', 'sed'],
        'hss-baseline-sync simulate: --cicd-risk-configs "sed" is not one of empty, seed (did you mean seed?)',
      ],
      [
        ['report', '--as-of', '2026-03-01', '--out', 'x'],
        'hss-baseline-sync report: --as-of "2026-03-01" is not an ISO 8601 instant with a zone (expected e.g. 2026-03-01T00:00:00Z or 2026-03-01T08:00:00+08:00)',
      ],
    ];
    for (const [args, line] of cases) {
      expect([args, await cli(args, env)]).toEqual([args, { code: 64, stdout: '', stderr: `${line}\n` }]);
    }
  });

  it('a variable close to a known one is a configuration error naming it (78), before anything runs', async () => {
    const { HSS_REGION, ...rest } = env;
    for (const command of ['sync', 'migrate', 'status']) {
      expect([command, await cli([command], { ...rest, HSS_REGON: HSS_REGION })]).toEqual([
        command,
        {
          code: 78,
          stdout: '',
          stderr: 'configuration error: HSS_REGON: is not a known variable (did you mean HSS_REGION?)\n',
        },
      ]);
    }
    expect(await cli(['sync'], { ...env, SYNC_SCHEDUEL: '0 * * * *' })).toEqual({
      code: 78,
      stdout: '',
      stderr: 'configuration error: SYNC_SCHEDUEL: is not a known variable (did you mean SYNC_SCHEDULE?)\n',
    });
  });

  it('LOG_LEVEL and LOG_FORMAT are checked the same way by every command that reads the environment', async () => {
    const level =
      'configuration error: LOG_LEVEL: unknown value "verbose" (allowed: fatal, error, warn, info, debug, trace, silent)\n';
    const report = ['report', '--as-of', '2026-03-01T00:00:00Z', '--out', 'x'];
    for (const argv of [['status'], ['sync'], ['migrate'], ['verify'], ['start'], report, ['demo']]) {
      expect([argv, await cli(argv, { ...env, LOG_LEVEL: 'verbose' })]).toEqual([
        argv,
        { code: 78, stdout: '', stderr: level },
      ]);
    }
    for (const command of ['status', 'sync']) {
      const r = await cli([command], { ...env, LOG_FORMAT: 'yaml' });
      expect([command, r.code, r.stderr]).toEqual([
        command,
        78,
        'configuration error: LOG_FORMAT: unknown value "yaml" (allowed: auto, json, pretty)\n',
      ]);
    }
  });

  it('after all of the above, the database has no schema and the HSS endpoint saw no request', async () => {
    const schemas = await empty.pool.query<{ n: string }>(
      `select nspname as n from pg_namespace where nspname in ('hss', 'hss_internal')`,
    );
    expect(schemas.rows).toEqual([]);
    expect(requests).toBe(0);
  });
});

describe('a login without the role a command needs: one line naming the role, 78', () => {
  const suffix = randomBytes(4).toString('hex');
  const READER = `hss_test_reader_${suffix}`;
  const NOBODY = `hss_test_nobody_${suffix}`;
  const PASSWORD = randomBytes(12).toString('hex');
  const FIXED_NOW = Date.parse('2030-01-01T00:00:00Z');
  let t: TestDatabase;
  let sim: Simulator;
  let owner: Env;
  const as = (login: string): Env => {
    const url = new URL(t.url);
    url.username = login;
    url.password = PASSWORD;
    return { ...owner, DATABASE_URL: url.toString() };
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    await withAdmin(async (c) => {
      await c.query(`CREATE ROLE ${READER} LOGIN PASSWORD '${PASSWORD}' IN ROLE hss_reader`);
      await c.query(`CREATE ROLE ${NOBODY} LOGIN PASSWORD '${PASSWORD}'`);
    });
    sim = createSimulator({
      seed: 4,
      imagesPerScope: 5,
      imageTypes: ['private_image'],
      projects: [{ projectId: 'proj-contract', enterpriseProjects: ['0'] }],
      auth: { tokens: ['contract-token'] },
    });
    owner = {
      DATABASE_URL: t.url,
      HSS_REGION: 'cn-north-4',
      HSS_PROJECT_ID: 'proj-contract',
      HSS_ENDPOINT: (await sim.listen()).url,
      HSS_AUTH_TOKEN: 'contract-token',
      HSS_IMAGE_TYPES: 'private_image',
      HSS_RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    };
    const c = captureIo(owner);
    expect(await main(['sync'], c.io)).toBe(0);
  });

  afterAll(async () => {
    await sim?.close();
    await t?.drop();
    await withAdmin(async (c) => {
      await c.query(`DROP ROLE IF EXISTS ${READER}`);
      await c.query(`DROP ROLE IF EXISTS ${NOBODY}`);
    });
  });

  it('status as a login granted only hss_reader prints what the owner sees, text and JSON', async () => {
    const clock = new FakeClock(FIXED_NOW);
    for (const args of [[], ['--json']]) {
      const mine = captureIo(owner);
      const theirs = captureIo(as(READER));
      expect(await status(mine.io, args, clock)).toBe(0);
      expect(await status(theirs.io, args, clock)).toBe(0);
      expect(theirs.out()).toBe(mine.out());
      expect(theirs.err()).toBe('');
    }
    const json = captureIo(as(READER));
    await status(json.io, ['--json'], clock);
    const report = JSON.parse(json.out()) as { runs: unknown[]; scopes: { images: number }[] };
    expect([report.runs.length, report.scopes.map((s) => s.images)]).toEqual([1, [5]]);
    const viaMain = captureIo(as(READER));
    expect([await main(['status'], viaMain.io), viaMain.err()]).toEqual([0, '']);
  });

  it('migrate as the reader: it must run as the owner', async () => {
    const c = captureIo(as(READER));
    expect(await main(['migrate'], c.io)).toBe(78);
    expect(c.err()).toBe(
      `hss-baseline-sync migrate: login ${READER} may not read the schema version (hss_internal.__drizzle_migrations): ` +
        `migrate must run as the owner of the schemas hss and hss_internal (the login that first migrated), not login ${READER}: ` +
        `set DATABASE_URL to the owner's login (README, "Deployment")\n`,
    );
  });

  const fix = (command: string, role: string, login: string) =>
    `${command} needs a login granted ${role}: as a superuser or a role with CREATEROLE, run GRANT ${role} TO ${login} (README, "Deployment")`;

  it('sync as the reader or a login without roles: it needs hss_writer', async () => {
    const cases: [string, string][] = [
      [READER, `login ${READER} may not read the schema version (hss_internal.__drizzle_migrations)`],
      [NOBODY, 'permission denied for schema hss'],
    ];
    for (const [login, refused] of cases) {
      const c = captureIo(as(login));
      expect([login, await main(['sync'], c.io), c.err()]).toEqual([
        login,
        78,
        `hss-baseline-sync sync: ${refused}: ${fix('sync', 'hss_writer', login)}\n`,
      ]);
    }
  });

  it('status, verify and report as a login without roles: they need hss_reader', async () => {
    const out = join(tmpdir(), `hss-cli-contract-${suffix}`);
    for (const [command, ...args] of [
      ['status'],
      ['verify'],
      ['report', '--as-of', '2026-01-01T00:00:00Z', '--out', out],
    ]) {
      const c = captureIo(as(NOBODY));
      expect([command, await main([command!, ...args], c.io), c.err()]).toEqual([
        command,
        78,
        `hss-baseline-sync ${command}: permission denied for schema hss: ${fix(command!, 'hss_reader', NOBODY)}\n`,
      ]);
    }
  });

  it('an unknown variable far from every known one is a warning line, and the command runs', async () => {
    const c = captureIo({ ...owner, HSS_SOMETHING_ELSE: '1' });
    expect(await main(['status'], c.io)).toBe(0);
    expect(c.err()).toBe(
      'warning: HSS_SOMETHING_ELSE is not a variable hss-baseline-sync reads; it is ignored\n',
    );
  });
});
