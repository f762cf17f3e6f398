import { describe, expect, it } from 'vitest';
import { captureIo } from '../test/helpers/capture-io.js';
import { EXIT, main, reportError } from './cli.js';
import { ConfigError, DbError } from './errors.js';

const capture = () => captureIo({});

describe('main: the dispatcher', () => {
  it('prints the usage: 0 when asked, 64 without a command or with an unknown one', async () => {
    const help = capture();
    expect(await main(['help'], help.io)).toBe(EXIT.ok);
    expect(help.out()).toMatch(
      /^Usage: hss-baseline-sync <command> \[options\]\n\nCommands:\n {2}migrate {12}apply/,
    );
    for (const name of ['migrate', 'sync', 'start', 'status', 'simulate', 'demo']) {
      expect(help.out()).toContain(`\n  ${name} `);
    }
    expect(await main([], capture().io)).toBe(EXIT.usage);
    const unknown = capture();
    expect(await main(['sink'], unknown.io)).toBe(EXIT.usage);
    expect(unknown.err()).toBe(
      'hss-baseline-sync: unknown command "sink" (did you mean sync?); see hss-baseline-sync --help\n',
    );
  });

  it('an option a command does not take is a usage error (64), one line, no stack', async () => {
    const c = capture();
    expect(await main(['status', '--bogus'], c.io)).toBe(EXIT.usage);
    expect(c.err()).toBe(
      'hss-baseline-sync status: unknown option --bogus (status takes --json, --runs, --help, --version)\n',
    );
  });

  it('a configuration error is 78 with one line naming the variable', async () => {
    const c = capture();
    expect(await main(['status'], c.io)).toBe(EXIT.config);
    expect(c.err()).toBe(
      'configuration error: DATABASE_URL: is not set (allowed: a PostgreSQL URL such as postgres://user:password@localhost:5432/hss (or DATABASE_URL_FILE))\n',
    );
  });
});

describe('reportError', () => {
  it('an error of the product: its one-line summary only', async () => {
    const c = capture();
    await reportError(c.io, 'sync', new DbError('the database is gone'));
    expect(c.err()).toBe('hss-baseline-sync sync: DB_ERROR: the database is gone\n');
  });

  it('an unexpected error: the summary, then a log line with its stack', async () => {
    const c = capture();
    await reportError(c.io, 'sync', new TypeError('x is not a function'));
    const [summary, log, rest] = c.err().split('\n');
    expect(summary).toBe('hss-baseline-sync sync: TypeError: x is not a function');
    const line = JSON.parse(log!) as { level: string; msg: string; err: { type: string; stack: string } };
    expect(line).toMatchObject({ level: 'error', msg: 'unexpected error', err: { type: 'TypeError' } });
    expect(line.err.stack).toMatch(/^TypeError: x is not a function\n {4}at /);
    expect(rest).toBe('');
  });

  it('a wrapped configuration error is reported as the configuration error', async () => {
    const c = capture();
    const wrapped = new DbError('migrate failed', { cause: new ConfigError('DATABASE_URL', 'is wrong') });
    await reportError(c.io, 'migrate', wrapped);
    expect(c.err()).toBe('configuration error: DATABASE_URL: is wrong\n');
  });
});
