import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import {
  defaultDeadlineMs,
  type Env,
  isSet,
  loadConfig,
  loadDatabaseUrl,
  loadLogLevel,
  loadLogSettings,
  type ReadFile,
} from './load.js';

const BASE: Env = {
  DATABASE_URL: 'postgres://u:p@localhost:5432/hss',
  HSS_REGION: 'cn-north-4',
  HSS_PROJECT_ID: 'proj-1',
  HSS_AUTH_TOKEN: 'tok',
};

const noFiles: ReadFile = (p) => {
  throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
};

function fails(env: Env, files: ReadFile = noFiles): ConfigError {
  try {
    loadConfig(env, files);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig(BASE, noFiles);
    expect(c.targets).toHaveLength(1);
    const t = c.targets[0]!;
    expect(t.name).toBe('cn-north-4/proj-1');
    expect(t.endpoint).toBe('https://hss.cn-north-4.myhuaweicloud.com');
    expect(t.iamEndpoint).toBe('https://iam.cn-north-4.myhuaweicloud.com');
    expect(t.enterpriseProjectIds).toEqual(['0']);
    expect(t.imageTypes).toEqual(['private_image', 'shared_image', 'local_image', 'instance_image', 'cicd']);
    expect(t.auth.method).toBe('token');
    expect(c.rateLimitPerMinute).toBe(5);
    expect(c.schedule).toBe('*/30 * * * *');
    expect(c.timezone).toBe('UTC');
    expect(c.maxResultAgeMs).toBe(7 * 86_400_000);
    expect(c.pageSize).toBe(200);
    expect(c.maxRetireFraction).toBe(0.2);
    expect(c.httpPort).toBe(9464);
  });

  it('uses the eu-west-101 endpoint exception', () => {
    const c = loadConfig({ ...BASE, HSS_REGION: 'eu-west-101' }, noFiles);
    expect(c.targets[0]!.endpoint).toBe('https://hss.eu-west-101.myhuaweicloud.eu');
  });

  it('names DATABASE_URL when it is missing', () => {
    const e = fails({ ...BASE, DATABASE_URL: undefined });
    expect(e.message).toBe(
      'DATABASE_URL: is not set (allowed: a PostgreSQL URL such as postgres://user:password@localhost:5432/hss (or DATABASE_URL_FILE))',
    );
  });

  it('rejects an unknown image type and lists the allowed ones', () => {
    const e = fails({ ...BASE, HSS_IMAGE_TYPES: 'private_image,docker' });
    expect(e.message).toBe(
      'HSS_IMAGE_TYPES: unknown value "docker" (allowed: private_image, shared_image, local_image, instance_image, registry, local, cicd)',
    );
  });

  it('rejects a malformed schedule', () => {
    const e = fails({ ...BASE, SYNC_SCHEDULE: 'every five minutes' });
    expect(e.variable).toBe('SYNC_SCHEDULE');
    expect(e.message).toMatch(/^SYNC_SCHEDULE: "every five minutes" is not a valid cron expression/);
    expect(e.message).toContain(
      '(allowed: e.g. */30 * * * * (5 fields) or 0 */30 * * * * (6 fields, with seconds))',
    );
  });

  it('rejects a schedule with a bad field', () => {
    const e = fails({ ...BASE, SYNC_SCHEDULE: '*/5 25 * * *' });
    expect(e.variable).toBe('SYNC_SCHEDULE');
  });

  it('says what to configure when no credentials are set', () => {
    const e = fails({ ...BASE, HSS_AUTH_TOKEN: undefined });
    expect(e.message).toBe(
      'HSS_ACCESS_KEY: no HSS credentials are configured (allowed: exactly one of: HSS_ACCESS_KEY + HSS_SECRET_KEY (AK/SK signing, recommended); HSS_IAM_DOMAIN + HSS_IAM_USER + HSS_IAM_PASSWORD (IAM login); HSS_AUTH_TOKEN (static token, 24 h))',
    );
  });

  it('refuses two authentication methods', () => {
    const e = fails({ ...BASE, HSS_ACCESS_KEY: 'AK', HSS_SECRET_KEY: 'SK' });
    expect(e.message).toMatch(
      /^HSS_ACCESS_KEY: more than one authentication method is configured \(HSS_AUTH_TOKEN and HSS_ACCESS_KEY\/HSS_SECRET_KEY\)/,
    );
  });

  it('requires the secret key with an access key', () => {
    const e = fails({ ...BASE, HSS_AUTH_TOKEN: undefined, HSS_ACCESS_KEY: 'AK' });
    expect(e.message).toBe(
      'HSS_SECRET_KEY: is not set but an access key is (allowed: set the secret key (or HSS_SECRET_KEY_FILE))',
    );
  });

  it('reads secrets from NAME_FILE and never shows them', () => {
    const files: ReadFile = (p) => (p === '/run/secrets/sk' ? 'canary-sk-123\n' : noFiles(p));
    const c = loadConfig(
      { ...BASE, HSS_AUTH_TOKEN: undefined, HSS_ACCESS_KEY: 'AK1', HSS_SECRET_KEY_FILE: '/run/secrets/sk' },
      files,
    );
    const auth = c.targets[0]!.auth;
    expect(auth.method).toBe('aksk');
    if (auth.method !== 'aksk') return;
    expect(auth.secretKey.reveal()).toBe('canary-sk-123');
    expect(JSON.stringify(c)).not.toContain('canary-sk-123');
    expect(String(auth.secretKey)).toBe('[redacted]');
  });

  it('refuses NAME and NAME_FILE together', () => {
    const e = fails({ ...BASE, HSS_AUTH_TOKEN_FILE: '/x' });
    expect(e.message).toBe(
      'HSS_AUTH_TOKEN: both HSS_AUTH_TOKEN and HSS_AUTH_TOKEN_FILE are set (allowed: set only one of them)',
    );
  });

  it('reports an unreadable secret file by variable', () => {
    const e = fails({ ...BASE, HSS_AUTH_TOKEN: undefined, HSS_AUTH_TOKEN_FILE: '/nope' });
    expect(e.message).toBe(
      'HSS_AUTH_TOKEN_FILE: cannot read "/nope" (ENOENT) (allowed: a readable file holding the secret)',
    );
  });

  it('builds IAM password auth with an agency', () => {
    const c = loadConfig(
      {
        ...BASE,
        HSS_AUTH_TOKEN: undefined,
        HSS_IAM_DOMAIN: 'acct',
        HSS_IAM_USER: 'bot',
        HSS_IAM_PASSWORD: 'pw',
        HSS_IAM_AGENCY_DOMAIN: 'other',
        HSS_IAM_AGENCY_NAME: 'audit',
        HSS_IAM_ENDPOINT: 'http://127.0.0.1:9999',
      },
      noFiles,
    );
    const t = c.targets[0]!;
    expect(t.iamEndpoint).toBe('http://127.0.0.1:9999');
    expect(t.auth).toMatchObject({
      method: 'password',
      domain: 'acct',
      user: 'bot',
      agency: { domain: 'other', name: 'audit' },
    });
  });

  it('refuses plain http to a non-loopback host unless allowed', () => {
    const e = fails({ ...BASE, HSS_ENDPOINT: 'http://hss.example.com' });
    expect(e.message).toBe(
      'HSS_ENDPOINT: plain http:// to hss.example.com would send credentials unencrypted (allowed: https://, http:// on a loopback host, or set HSS_ALLOW_INSECURE_HTTP=true)',
    );
    const c = loadConfig(
      { ...BASE, HSS_ENDPOINT: 'http://hss.example.com/', HSS_ALLOW_INSECURE_HTTP: 'true' },
      noFiles,
    );
    expect(c.targets[0]!.endpoint).toBe('http://hss.example.com');
    expect(
      loadConfig({ ...BASE, HSS_ENDPOINT: 'http://127.0.0.1:8080/' }, noFiles).targets[0]!.endpoint,
    ).toBe('http://127.0.0.1:8080');
  });

  it('reads the resilience limits: quarantine threshold and retry budget', () => {
    const d = loadConfig(BASE, noFiles);
    expect([d.maxQuarantinedItems, d.retryBudgetRatio]).toEqual([10, 0.5]);
    const c = loadConfig({ ...BASE, HSS_MAX_QUARANTINED_ITEMS: '0', HSS_RETRY_BUDGET: '0.25' }, noFiles);
    expect([c.maxQuarantinedItems, c.retryBudgetRatio]).toEqual([0, 0.25]);
    expect(fails({ ...BASE, HSS_RETRY_BUDGET: '2' }).message).toBe(
      'HSS_RETRY_BUDGET: "2" is not a fraction (allowed: a number from 0 to 1, e.g. 0.2)',
    );
    expect(fails({ ...BASE, HSS_MAX_QUARANTINED_ITEMS: '-1' }).variable).toBe('HSS_MAX_QUARANTINED_ITEMS');
  });

  it('validates numbers, durations and enums with their ranges', () => {
    expect(fails({ ...BASE, HSS_RATE_LIMIT_PER_MINUTE: '0' }).message).toBe(
      'HSS_RATE_LIMIT_PER_MINUTE: 0 is out of range (allowed: 1–100000)',
    );
    expect(fails({ ...BASE, HSS_PAGE_SIZE: 'ten' }).message).toBe(
      'HSS_PAGE_SIZE: "ten" is not a whole number (allowed: 10–200)',
    );
    expect(fails({ ...BASE, HSS_MAX_RESULT_AGE: '7' }).message).toBe(
      'HSS_MAX_RESULT_AGE: "7" is not a duration (allowed: a number with a unit: ms, s, m, h or d, e.g. 30m, 12h, 7d)',
    );
    expect(fails({ ...BASE, LOG_LEVEL: 'loud' }).message).toBe(
      'LOG_LEVEL: unknown value "loud" (allowed: fatal, error, warn, info, debug, trace, silent)',
    );
    expect(fails({ ...BASE, SYNC_TIMEZONE: 'Mars/Base' }).variable).toBe('SYNC_TIMEZONE');
    expect(fails({ ...BASE, HSS_RATE_LIMIT_OVERRIDES: 'ListImageRiskConfigs' }).variable).toBe(
      'HSS_RATE_LIMIT_OVERRIDES',
    );
    expect(
      loadConfig({ ...BASE, HSS_RATE_LIMIT_OVERRIDES: 'ListImageRiskConfigs=3' }, noFiles).rateLimitOverrides,
    ).toEqual({
      ListImageRiskConfigs: 3,
    });
  });

  it('loads several targets from a YAML file with env defaults', () => {
    const yaml = `targets:
  - name: prod
    region: cn-north-4
    project_id: p1
    auth: { access_key: AK1, secret_key_file: /s/sk }
  - region: ap-southeast-1
    project_id: p2
    enterprise_project_ids: [0, ep-a]
    image_types: [cicd]
    endpoint: https://proxy.example.com/hss
    auth: { token: t2 }
`;
    const files: ReadFile = (p) => (p === '/etc/hss.yaml' ? yaml : p === '/s/sk' ? 'sk1' : noFiles(p));
    const c = loadConfig(
      { DATABASE_URL: BASE.DATABASE_URL, HSS_SYNC_CONFIG: '/etc/hss.yaml', HSS_IMAGE_TYPES: 'private_image' },
      files,
    );
    expect(
      c.targets.map((t) => [
        t.name,
        t.projectId,
        t.endpoint,
        t.enterpriseProjectIds,
        t.imageTypes,
        t.auth.method,
      ]),
    ).toEqual([
      ['prod', 'p1', 'https://hss.cn-north-4.myhuaweicloud.com', ['0'], ['private_image'], 'aksk'],
      ['ap-southeast-1/p2', 'p2', 'https://proxy.example.com/hss', ['0', 'ep-a'], ['cicd'], 'token'],
    ]);
  });

  it('points at the file, the target and the field for bad file content', () => {
    const files: ReadFile = () =>
      'targets:\n  - region: cn-north-4\n    project_id: p\n    auth: {}\n    colour: red\n';
    const e = fails({ DATABASE_URL: BASE.DATABASE_URL, HSS_SYNC_CONFIG: '/c.yaml' }, files);
    expect(e.variable).toBe('HSS_SYNC_CONFIG (/c.yaml) at targets[0]');
    expect(e.message).toContain('colour');
  });

  it('reports a config file that does not parse by position, never by its text', () => {
    const json = '{\n  "targets": [\n    { "auth": { "secret_key": SK-4f9a8b7c6d5e } }\n  ]\n}\n';
    const e = fails({ DATABASE_URL: BASE.DATABASE_URL, HSS_SYNC_CONFIG: '/c.json' }, () => json);
    expect(e.message).toBe(
      `HSS_SYNC_CONFIG: "/c.json" is not valid JSON: unexpected character at line 3, column 31 (allowed: a YAML or JSON document with a targets list)`,
    );
    const yaml = 'targets:\n  - auth: { secret_key: "SK-4f9a8b7c6d5e }\n';
    const y = fails({ DATABASE_URL: BASE.DATABASE_URL, HSS_SYNC_CONFIG: '/c.yaml' }, () => yaml);
    expect(y.message).toBe(
      `HSS_SYNC_CONFIG: "/c.yaml" is not valid YAML: MISSING_CHAR at line 3, column 1 (allowed: a YAML or JSON document with a targets list)`,
    );
  });

  it('refuses HSS_PROJECT_ID together with a config file', () => {
    const e = fails({ ...BASE, HSS_SYNC_CONFIG: '/c.yaml' });
    expect(e.variable).toBe('HSS_PROJECT_ID');
  });
});

describe('loadDatabaseUrl', () => {
  it('never echoes the URL (it may hold a password)', () => {
    try {
      loadDatabaseUrl({ DATABASE_URL: 'mysql://u:secretpw@h/db' });
      throw new Error('expected failure');
    } catch (err) {
      expect((err as Error).message).toBe(
        'DATABASE_URL: protocol mysql: is not PostgreSQL (allowed: postgres:// or postgresql://)',
      );
      expect((err as Error).message).not.toContain('secretpw');
    }
  });
});

describe('defaultDeadlineMs', () => {
  it('is 90% of the shortest gap between runs, capped at 6 h', () => {
    expect(defaultDeadlineMs('*/30 * * * *')).toBe(27 * 60_000);
    expect(defaultDeadlineMs('*/5 * * * * *')).toBe(4_500);
    expect(defaultDeadlineMs('0 3 * * *')).toBe(6 * 3_600_000);
    expect(defaultDeadlineMs('0 */2 * * *')).toBe(108 * 60_000);
    expect(defaultDeadlineMs('* * * * *')).toBe(54_000);
  });
});

describe('every configured value is explicit', () => {
  it('the run deadline: the set one, else derived from the schedule in its time zone', () => {
    expect(loadConfig(BASE, noFiles).runDeadlineMs).toBe(27 * 60_000);
    expect(loadConfig({ ...BASE, SYNC_SCHEDULE: '*/5 * * * * *' }, noFiles).runDeadlineMs).toBe(4_500);
    expect(loadConfig({ ...BASE, HSS_RUN_DEADLINE: '45m' }, noFiles).runDeadlineMs).toBe(45 * 60_000);
  });

  it('the rule drill-down, retention and the rate overrides have their documented defaults', () => {
    const c = loadConfig(BASE, noFiles);
    expect([c.ruleDetail, c.retentionDays, c.historyRetentionDays, c.rateLimitOverrides]).toEqual([
      'failed',
      730,
      null,
      {},
    ]);
    expect([c.runOnStart, c.migrateOnStart, c.allowMassRetire, c.allowInsecureHttp]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('HSS_CICD_SUMMARIES', () => {
  it('defaults to derived, takes risk-configs, and names the variable and the allowed values otherwise', () => {
    expect(loadConfig(BASE, noFiles).cicdSummaries).toBe('derived');
    expect(loadConfig({ ...BASE, HSS_CICD_SUMMARIES: 'risk-configs' }, noFiles).cicdSummaries).toBe(
      'risk-configs',
    );
    expect(() => loadConfig({ ...BASE, HSS_CICD_SUMMARIES: 'seed' }, noFiles)).toThrow(
      'HSS_CICD_SUMMARIES: unknown value "seed" (allowed: derived, risk-configs)',
    );
  });
});

describe('HSS_RULE_VALUES', () => {
  it('defaults to off, takes all, and names the variable and the allowed values otherwise', () => {
    expect(loadConfig(BASE, noFiles).ruleValues).toBe('off');
    expect(loadConfig({ ...BASE, HSS_RULE_VALUES: 'all' }, noFiles).ruleValues).toBe('all');
    expect(() => loadConfig({ ...BASE, HSS_RULE_VALUES: 'failed' }, noFiles)).toThrow(
      'HSS_RULE_VALUES: unknown value "failed" (allowed: off, all)',
    );
  });
});

describe('the small loaders other commands use', () => {
  it('loadLogSettings validates LOG_LEVEL and LOG_FORMAT; loadLogLevel takes a command default', () => {
    expect(loadLogSettings({})).toEqual({ level: 'info', format: 'auto' });
    expect(loadLogSettings({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' })).toEqual({
      level: 'debug',
      format: 'json',
    });
    expect(() => loadLogSettings({ LOG_LEVEL: 'loud' })).toThrow(
      'LOG_LEVEL: unknown value "loud" (allowed: fatal, error, warn, info, debug, trace, silent)',
    );
    expect(loadLogLevel({}, 'warn')).toBe('warn');
    expect(loadLogLevel({ LOG_LEVEL: ' ' }, 'warn')).toBe('warn');
    expect(loadLogLevel({ LOG_LEVEL: 'error' }, 'warn')).toBe('error');
  });

  it('isSet sees NAME or NAME_FILE without reading the file', () => {
    expect(isSet({}, 'DATABASE_URL')).toBe(false);
    expect(isSet({ DATABASE_URL: '  ' }, 'DATABASE_URL')).toBe(false);
    expect(isSet({ DATABASE_URL_FILE: '/nowhere/at/all' }, 'DATABASE_URL')).toBe(true);
    expect(isSet({ HSS_REGION_FILE: 'x' }, 'HSS_REGION')).toBe(false);
  });
});
