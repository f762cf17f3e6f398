import { describe, expect, it } from 'vitest';
import { ConfigError, DbError } from '../errors.js';
import { explainConnectError, urlLooksMisparsed } from './connect-error.js';

const target = { host: 'db', port: 5432, database: 'hss', user: 'hss', hasPassword: true };
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('urlLooksMisparsed', () => {
  it('flags user info holding an unencoded @, #, / or ?', () => {
    expect(urlLooksMisparsed('postgres://hss:p@ss#w/rd@db:5432/hss')).toBe(true);
    expect(urlLooksMisparsed('postgres://hss:a/b@db/hss')).toBe(true);
    expect(urlLooksMisparsed('postgres://hss:a?b@db/hss')).toBe(true);
    expect(urlLooksMisparsed('postgres://hss:p%40ss%23w%2Frd@db:5432/hss')).toBe(false);
    expect(urlLooksMisparsed('postgres://hss@db/hss')).toBe(false);
    expect(urlLooksMisparsed('postgres://db/hss?sslmode=require')).toBe(false);
  });
});

describe('explainConnectError', () => {
  it('a refused login with a password is a configuration error with the server message', () => {
    const e = explainConnectError(
      'postgres://hss:x@db/hss',
      target,
      withCode('password authentication failed for user "hss"', '28P01'),
      10_000,
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe(
      'DATABASE_URL: the server refused the login (database "hss" on db:5432 as user "hss"): password authentication failed for user "hss" (SQLSTATE 28P01)',
    );
  });

  it('a timeout says how long it waited; other failures are DbErrors that keep their cause', () => {
    const cause = new Error('timeout expired');
    const e = explainConnectError('postgres://hss:x@db/hss', target, cause, 10_000);
    expect(e).toBeInstanceOf(DbError);
    expect(e.message).toBe(
      'cannot connect to the database "hss" on db:5432 as user "hss": no answer within 10 s (timeout expired)',
    );
    expect(e.cause).toBe(cause);
  });
});
