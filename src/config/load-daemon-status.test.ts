/** The operational options: HTTP_HOST, LOG_FORMAT and what `status` loads. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { type Env, loadConfig, loadStatusConfig } from './load.js';

const BASE: Env = {
  DATABASE_URL: 'postgres://u:p@localhost:5432/hss',
  HSS_REGION: 'cn-north-4',
  HSS_PROJECT_ID: 'proj-1',
  HSS_AUTH_TOKEN: 'tok',
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('daemon and logging options', () => {
  it('defaults: endpoints on every interface, log format chosen by the terminal', () => {
    const c = loadConfig(BASE);
    expect(c.httpHost).toBe('0.0.0.0');
    expect(c.logFormat).toBe('auto');
  });

  it('takes HTTP_HOST and an explicit LOG_FORMAT', () => {
    const c = loadConfig({ ...BASE, HTTP_HOST: '127.0.0.1', LOG_FORMAT: 'pretty' });
    expect(c.httpHost).toBe('127.0.0.1');
    expect(c.logFormat).toBe('pretty');
    expect(loadConfig({ ...BASE, HTTP_HOST: '::' }).httpHost).toBe('::');
  });

  it('rejects a listen address that is not one', () => {
    const e = configError(() => loadConfig({ ...BASE, HTTP_HOST: 'http://0.0.0.0/' }));
    expect(e.message).toBe(
      'HTTP_HOST: "http://0.0.0.0/" is not an address to listen on (allowed: an IP address or host name such as 0.0.0.0, 127.0.0.1, :: or localhost)',
    );
  });

  it('rejects an unknown LOG_FORMAT naming the allowed values', () => {
    const e = configError(() => loadConfig({ ...BASE, LOG_FORMAT: 'text' }));
    expect(e.variable).toBe('LOG_FORMAT');
    expect(e.message).toContain('auto, json, pretty');
  });
});

describe('loadStatusConfig', () => {
  it('needs only DATABASE_URL and applies the documented defaults', () => {
    expect(loadStatusConfig({ DATABASE_URL: BASE.DATABASE_URL })).toEqual({
      databaseUrl: 'postgres://u:p@localhost:5432/hss',
      schedule: '*/30 * * * *',
      timezone: 'UTC',
      scheduleSet: false,
      maxResultAgeMs: 7 * 86_400_000,
    });
  });

  it('reads the schedule, time zone and result age the daemon uses', () => {
    const c = loadStatusConfig({
      DATABASE_URL: BASE.DATABASE_URL,
      SYNC_SCHEDULE: '0 */2 * * *',
      SYNC_TIMEZONE: 'Asia/Shanghai',
      HSS_MAX_RESULT_AGE: '12h',
    });
    expect(c).toMatchObject({
      schedule: '0 */2 * * *',
      timezone: 'Asia/Shanghai',
      scheduleSet: true,
      maxResultAgeMs: 43_200_000,
    });
  });

  it('rejects a bad schedule the same way as the daemon', () => {
    const e = configError(() =>
      loadStatusConfig({ DATABASE_URL: BASE.DATABASE_URL, SYNC_SCHEDULE: 'hourly' }),
    );
    expect(e.variable).toBe('SYNC_SCHEDULE');
  });
});
