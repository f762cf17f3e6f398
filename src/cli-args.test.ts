import { describe, expect, it } from 'vitest';
import {
  defineCommand,
  helpOrVersion,
  instant,
  intIn,
  oneOf,
  parseCommandArgs,
  UsageError,
} from './cli-args.js';
import { checkVariableNames, KNOWN_VARIABLES } from './config/env-check.js';
import { ConfigError } from './errors.js';
import { closest, editDistance } from './suggest.js';

const SPEC = defineCommand({
  name: 'try',
  synopsis: '',
  summary: '',
  details: '',
  readsEnv: false,
  options: {
    json: { type: 'boolean', help: '' },
    runs: { type: 'string', value: 'N', help: '', parse: intIn(1, 200) },
    mode: { type: 'string', help: '', parse: oneOf(['empty', 'seed']) },
    at: { type: 'string', help: '', parse: instant },
    tag: { type: 'string', multiple: true, help: '' },
  },
});

const problem = (args: string[]) => {
  try {
    parseCommandArgs(SPEC, args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${args.join(' ')}`);
};

describe('parseCommandArgs', () => {
  it('parses each value by its parser; absent options stay undefined', () => {
    expect(
      parseCommandArgs(SPEC, [
        '--json',
        '--runs',
        '12',
        '--mode=seed',
        '--at',
        '2026-03-01T08:00:00+08:00',
        '--tag',
        'a',
        '--tag',
        'b',
      ]),
    ).toEqual({ json: true, runs: 12, mode: 'seed', at: new Date('2026-03-01T00:00:00Z'), tag: ['a', 'b'] });
    expect(parseCommandArgs(SPEC, [])).toEqual({});
  });

  it('one line per mistake, with the option meant', () => {
    expect(problem(['--jsn'])).toBe('unknown option --jsn (did you mean --json?)');
    expect(problem(['--verbose'])).toBe(
      'unknown option --verbose (try takes --json, --runs, --mode, --at, --tag, --help, --version)',
    );
    expect(problem(['-x'])).toBe(
      'unknown option -x (try takes --json, --runs, --mode, --at, --tag, --help, --version)',
    );
    expect(problem(['--runs', 'abc'])).toBe('--runs "abc" is not a whole number from 1 to 200');
    expect(problem(['--runs', '201'])).toBe('--runs "201" is not a whole number from 1 to 200');
    expect(problem(['--runs', '-1'])).toBe(
      '--runs needs a value; one starting with "-" is given as --runs=VALUE',
    );
    expect(problem(['--runs=-1'])).toBe('--runs "-1" is not a whole number from 1 to 200');
    expect(problem(['--runs', '1.5'])).toBe('--runs "1.5" is not a whole number from 1 to 200');
    expect(problem(['--runs'])).toBe('--runs needs a value (N)');
    expect(problem(['--mode', 'sed'])).toBe('--mode "sed" is not one of empty, seed (did you mean seed?)');
    expect(problem(['--at', '2026-03-01T00:00:00'])).toMatch(
      /^--at "2026-03-01T00:00:00" is not an ISO 8601 instant with a zone/,
    );
    expect(problem(['--json=yes'])).toBe('--json takes no value');
    expect(problem(['json'])).toBe(
      'unexpected argument "json": try takes no arguments, only options (did you mean --json?)',
    );
  });
});

describe('helpOrVersion', () => {
  it('help wins wherever it stands (before --), then version', () => {
    expect(helpOrVersion(['--bogus', '-h'])).toBe('help');
    expect(helpOrVersion(['--version', '--help'])).toBe('help');
    expect(helpOrVersion(['--version'])).toBe('version');
    expect(helpOrVersion(['--', '--help'])).toBeNull();
    expect(helpOrVersion(['--json'])).toBeNull();
  });
});

describe('suggestions', () => {
  it('edit distance and the closest word within 2 edits', () => {
    expect(editDistance('sycn', 'sync')).toBe(2);
    expect(closest('sycn', ['migrate', 'sync', 'start', 'status'])).toBe('sync');
    expect(closest('report', ['migrate', 'sync'])).toBeNull();
  });

  it('an HSS_/SYNC_ variable close to a known one is a ConfigError; a far one a warning', () => {
    expect(KNOWN_VARIABLES).toContain('HSS_SECRET_KEY_FILE');
    expect(() => checkVariableNames({ HSS_REGON: 'cn-north-4' })).toThrow(
      new ConfigError('HSS_REGON', 'is not a known variable (did you mean HSS_REGION?)'),
    );
    expect(checkVariableNames({ HSS_SCALE_TEST: '1', HSS_REGION: 'x', PATH: '/bin', HSS_REGON: '' })).toEqual(
      ['warning: HSS_SCALE_TEST is not a variable hss-baseline-sync reads; it is ignored'],
    );
    expect(checkVariableNames({ HSS_AUTH_TOKEN_FILE: '/run/secrets/t', LOG_LEVLE: 'x' })).toEqual([]);
  });
});
