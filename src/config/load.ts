/**
 * The only module that reads the environment and config files. It turns them into a validated
 * AppConfig or throws one ConfigError naming the variable, the problem and what is allowed.
 */
import { readFileSync } from 'node:fs';
import { createTask, validateDetailed } from 'node-cron';
import { z } from 'zod';
import { API_NAMES, type ApiName, IMAGE_TYPES, type ImageType } from '../domain.js';
import { ConfigError } from '../errors.js';
import { hssEndpoint, iamEndpoint } from '../hss/endpoints.js';
import { Secret } from '../secret.js';
import {
  parseBool,
  parseDatabaseUrl,
  parseDuration,
  parseEndpoint,
  parseEnum,
  parseFraction,
  parseIntInRange,
  parseList,
  parseRegion,
} from './parse.js';
import { parseConfigDocument } from './syntax-position.js';
import type { AppConfig, AuthConfig, HttpLimits, TargetConfig } from './types.js';

export type Env = Record<string, string | undefined>;
export type ReadFile = (path: string) => string;

const defaultReadFile: ReadFile = (p) => readFileSync(p, 'utf8');

export const DEFAULT_IMAGE_TYPES: ImageType[] = [
  'private_image',
  'shared_image',
  'local_image',
  'instance_image',
  'cicd',
];
export const DEFAULT_SCHEDULE = '*/30 * * * *';

/** Reads env vars, treating empty strings as unset. */
class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly readFile: ReadFile,
  ) {}

  get(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v;
  }

  /** A secret from NAME or NAME_FILE (exactly one of them). Trailing newlines of files are dropped. */
  secret(name: string): Secret | undefined {
    const direct = this.get(name);
    const file = this.get(`${name}_FILE`);
    if (direct !== undefined && file !== undefined) {
      throw new ConfigError(name, `both ${name} and ${name}_FILE are set`, 'set only one of them');
    }
    if (file !== undefined) return new Secret(readSecretFile(`${name}_FILE`, file, this.readFile));
    return direct === undefined ? undefined : new Secret(direct);
  }
}

function readSecretFile(variable: string, path: string, readFile: ReadFile): string {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      variable,
      `cannot read ${JSON.stringify(path)} (${code})`,
      'a readable file holding the secret',
    );
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.length === 0)
    throw new ConfigError(variable, `${JSON.stringify(path)} is empty`, 'a file holding the secret');
  return value;
}

/** Only DATABASE_URL: enough for `migrate` and `status`. */
export function loadDatabaseUrl(env: Env, readFile: ReadFile = defaultReadFile): string {
  const r = new EnvReader(env, readFile);
  const url = r.secret('DATABASE_URL');
  if (!url) {
    throw new ConfigError(
      'DATABASE_URL',
      'is not set',
      'a PostgreSQL URL such as postgres://user:password@localhost:5432/hss (or DATABASE_URL_FILE)',
    );
  }
  return parseDatabaseUrl('DATABASE_URL', url.reveal());
}

function parseImageTypes(variable: string, items: string[]): ImageType[] {
  if (items.length === 0) throw new ConfigError(variable, 'is empty', IMAGE_TYPES.join(', '));
  return items.map((t) => parseEnum(variable, t, IMAGE_TYPES));
}

function parseEnterpriseProjects(variable: string, items: string[]): string[] {
  if (items.length === 0)
    throw new ConfigError(variable, 'is empty', 'a comma list of enterprise project IDs, e.g. 0');
  for (const id of items) {
    if (id.length > 256)
      throw new ConfigError(
        variable,
        'an enterprise project ID is longer than 256 characters',
        '1–256 characters',
      );
  }
  return items;
}

function parseProjectId(variable: string, raw: string): string {
  const t = raw.trim();
  if (t.length < 1 || t.length > 256 || /[/?#\s]/.test(t)) {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a project ID`,
      '1–256 characters without /, ?, # or spaces',
    );
  }
  return t;
}

function parseRateOverrides(variable: string, raw: string | undefined): Partial<Record<ApiName, number>> {
  const out: Partial<Record<ApiName, number>> = {};
  if (!raw) return out;
  for (const item of parseList(raw)) {
    const [name, value, extra] = item.split('=').map((s) => s.trim());
    if (!name || value === undefined || extra !== undefined) {
      throw new ConfigError(
        variable,
        `${JSON.stringify(item)} is not API=rate`,
        'e.g. ListImageRiskConfigs=4,ListRegistryImages=5',
      );
    }
    const api = parseEnum(variable, name, API_NAMES);
    out[api] = parseIntInRange(variable, value, 1, 100_000);
  }
  return out;
}

function parseSchedule(variable: string, raw: string): string {
  const expr = raw.trim();
  let detail: ReturnType<typeof validateDetailed>;
  try {
    detail = validateDetailed(expr);
  } catch (err) {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a cron expression (${(err as Error).message})`,
      'e.g. */30 * * * * (5 fields) or 0 */30 * * * * (6 fields, with seconds)',
    );
  }
  const fields = expr.split(/\s+/).length;
  if (!detail.valid || fields < 5 || fields > 6) {
    const why = detail.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || `${fields} fields`;
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a valid cron expression (${why})`,
      'e.g. */30 * * * * (5 fields) or 0 */30 * * * * (6 fields, with seconds)',
    );
  }
  return expr;
}

/** A listen address: an IPv4/IPv6 literal or a host name, nothing else. */
function parseHost(variable: string, raw: string): string {
  const host = raw.trim();
  if (!/^[A-Za-z0-9._:-]{1,253}$/.test(host)) {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not an address to listen on`,
      'an IP address or host name such as 0.0.0.0, 127.0.0.1, :: or localhost',
    );
  }
  return host;
}

function parseTimezone(variable: string, raw: string): string {
  const tz = raw.trim();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a time zone`,
      'an IANA name such as UTC, Europe/Berlin, Asia/Shanghai',
    );
  }
  return tz;
}

/** Raw auth inputs, from env or a file target; exactly one method must be complete. */
interface AuthInputs {
  token?: Secret;
  accessKey?: string;
  secretKey?: Secret;
  securityToken?: Secret;
  iamDomain?: string;
  iamUser?: string;
  iamPassword?: Secret;
  agencyDomain?: string;
  agencyName?: string;
}

function resolveAuth(where: string, a: AuthInputs, names: Record<keyof AuthInputs, string>): AuthConfig {
  const methods: string[] = [];
  if (a.token) methods.push(names.token);
  if (a.accessKey || a.secretKey) methods.push(`${names.accessKey}/${names.secretKey}`);
  if (a.iamDomain || a.iamUser || a.iamPassword)
    methods.push(`${names.iamDomain}/${names.iamUser}/${names.iamPassword}`);
  const howTo = `exactly one of: ${names.accessKey} + ${names.secretKey} (AK/SK signing, recommended); ${names.iamDomain} + ${names.iamUser} + ${names.iamPassword} (IAM login); ${names.token} (static token, 24 h)`;
  if (methods.length === 0) throw new ConfigError(where, 'no HSS credentials are configured', howTo);
  if (methods.length > 1)
    throw new ConfigError(
      where,
      `more than one authentication method is configured (${methods.join(' and ')})`,
      howTo,
    );
  if (a.token) return { method: 'token', token: a.token };
  if (a.accessKey || a.secretKey) {
    if (!a.accessKey)
      throw new ConfigError(
        names.accessKey,
        'is not set but a secret key is',
        'set the access key ID with its secret key',
      );
    if (!a.secretKey)
      throw new ConfigError(
        names.secretKey,
        'is not set but an access key is',
        `set the secret key (or ${names.secretKey}_FILE)`,
      );
    return {
      method: 'aksk',
      accessKey: a.accessKey,
      secretKey: a.secretKey,
      securityToken: a.securityToken ?? null,
    };
  }
  if (!a.iamDomain)
    throw new ConfigError(names.iamDomain, 'is not set', 'the account (domain) name for IAM login');
  if (!a.iamUser) throw new ConfigError(names.iamUser, 'is not set', 'the IAM user name');
  if (!a.iamPassword)
    throw new ConfigError(names.iamPassword, 'is not set', `the IAM password (or ${names.iamPassword}_FILE)`);
  if (Boolean(a.agencyDomain) !== Boolean(a.agencyName)) {
    throw new ConfigError(
      a.agencyDomain ? names.agencyName : names.agencyDomain,
      'is not set but its partner is',
      `set both ${names.agencyDomain} and ${names.agencyName}`,
    );
  }
  return {
    method: 'password',
    domain: a.iamDomain,
    user: a.iamUser,
    password: a.iamPassword,
    agency: a.agencyDomain && a.agencyName ? { domain: a.agencyDomain, name: a.agencyName } : null,
  };
}

const ENV_AUTH_NAMES: Record<keyof AuthInputs, string> = {
  token: 'HSS_AUTH_TOKEN',
  accessKey: 'HSS_ACCESS_KEY',
  secretKey: 'HSS_SECRET_KEY',
  securityToken: 'HSS_SECURITY_TOKEN',
  iamDomain: 'HSS_IAM_DOMAIN',
  iamUser: 'HSS_IAM_USER',
  iamPassword: 'HSS_IAM_PASSWORD',
  agencyDomain: 'HSS_IAM_AGENCY_DOMAIN',
  agencyName: 'HSS_IAM_AGENCY_NAME',
};

/** The config file: several targets, each may override defaults taken from the environment. */
const fileAuthSchema = z
  .object({
    token: z.string().min(1).optional(),
    token_file: z.string().min(1).optional(),
    access_key: z.string().min(1).optional(),
    secret_key: z.string().min(1).optional(),
    secret_key_file: z.string().min(1).optional(),
    security_token: z.string().min(1).optional(),
    security_token_file: z.string().min(1).optional(),
    iam_domain: z.string().min(1).optional(),
    iam_user: z.string().min(1).optional(),
    iam_password: z.string().min(1).optional(),
    iam_password_file: z.string().min(1).optional(),
    agency_domain: z.string().min(1).optional(),
    agency_name: z.string().min(1).optional(),
  })
  .strict();

const fileTargetSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    region: z.string().min(1),
    project_id: z.string().min(1),
    endpoint: z.string().min(1).optional(),
    iam_endpoint: z.string().min(1).optional(),
    enterprise_project_ids: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
    image_types: z.array(z.string()).optional(),
    auth: fileAuthSchema,
  })
  .strict();

const fileSchema = z.object({ targets: z.array(fileTargetSchema).min(1) }).strict();

function zodPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

function loadFileTargets(
  path: string,
  readFile: ReadFile,
  defaults: { enterpriseProjectIds: string[]; imageTypes: ImageType[]; allowInsecureHttp: boolean },
): TargetConfig[] {
  const v = 'HSS_SYNC_CONFIG';
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw new ConfigError(
      v,
      `cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'a readable YAML or JSON file',
    );
  }
  let raw: unknown;
  try {
    // By position only: the parsers' messages quote the text, which may hold a secret key.
    raw = parseConfigDocument(text, /\.json$/i.test(path) ? 'json' : 'yaml');
  } catch (err) {
    throw new ConfigError(
      v,
      `${JSON.stringify(path)} is ${(err as Error).message}`,
      'a YAML or JSON document with a targets list',
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(
      `${v} (${path}) at ${zodPath(issue.path) || 'top level'}`,
      issue.message,
      'see "Several targets" in the README',
    );
  }
  const names = new Set<string>();
  return parsed.data.targets.map((t, i) => {
    const at = (field: string) => `${v} targets[${i}].${field}`;
    const region = parseRegion(at('region'), t.region);
    const projectId = parseProjectId(at('project_id'), t.project_id);
    const name = t.name ?? `${region}/${projectId}`;
    if (names.has(name))
      throw new ConfigError(at('name'), `duplicate target name ${JSON.stringify(name)}`, 'unique names');
    names.add(name);
    const secretOf = (field: string, inline?: string, file?: string): Secret | undefined => {
      if (inline && file)
        throw new ConfigError(at(`auth.${field}`), `both ${field} and ${field}_file are set`, 'only one');
      if (file) return new Secret(readSecretFile(at(`auth.${field}_file`), file, readFile));
      return inline ? new Secret(inline) : undefined;
    };
    const a = t.auth;
    const auth = resolveAuth(
      at('auth'),
      {
        token: secretOf('token', a.token, a.token_file),
        accessKey: a.access_key,
        secretKey: secretOf('secret_key', a.secret_key, a.secret_key_file),
        securityToken: secretOf('security_token', a.security_token, a.security_token_file),
        iamDomain: a.iam_domain,
        iamUser: a.iam_user,
        iamPassword: secretOf('iam_password', a.iam_password, a.iam_password_file),
        agencyDomain: a.agency_domain,
        agencyName: a.agency_name,
      },
      {
        token: at('auth.token'),
        accessKey: at('auth.access_key'),
        secretKey: at('auth.secret_key'),
        securityToken: at('auth.security_token'),
        iamDomain: at('auth.iam_domain'),
        iamUser: at('auth.iam_user'),
        iamPassword: at('auth.iam_password'),
        agencyDomain: at('auth.agency_domain'),
        agencyName: at('auth.agency_name'),
      },
    );
    return {
      name,
      region,
      projectId,
      endpoint: t.endpoint
        ? parseEndpoint(at('endpoint'), t.endpoint, defaults.allowInsecureHttp)
        : hssEndpoint(region),
      iamEndpoint: t.iam_endpoint
        ? parseEndpoint(at('iam_endpoint'), t.iam_endpoint, defaults.allowInsecureHttp)
        : iamEndpoint(region),
      auth,
      enterpriseProjectIds: t.enterprise_project_ids
        ? parseEnterpriseProjects(at('enterprise_project_ids'), t.enterprise_project_ids)
        : defaults.enterpriseProjectIds,
      imageTypes: t.image_types ? parseImageTypes(at('image_types'), t.image_types) : defaults.imageTypes,
    };
  });
}

function loadEnvTarget(
  r: EnvReader,
  defaults: { enterpriseProjectIds: string[]; imageTypes: ImageType[]; allowInsecureHttp: boolean },
): TargetConfig {
  const regionRaw = r.get('HSS_REGION');
  if (!regionRaw)
    throw new ConfigError(
      'HSS_REGION',
      'is not set',
      'a Huawei Cloud region such as cn-north-4 (or list targets in HSS_SYNC_CONFIG)',
    );
  const region = parseRegion('HSS_REGION', regionRaw);
  const projectRaw = r.get('HSS_PROJECT_ID');
  if (!projectRaw)
    throw new ConfigError('HSS_PROJECT_ID', 'is not set', 'the project ID of the region (1–256 characters)');
  const projectId = parseProjectId('HSS_PROJECT_ID', projectRaw);
  const auth = resolveAuth(
    'HSS_ACCESS_KEY',
    {
      token: r.secret('HSS_AUTH_TOKEN'),
      accessKey: r.get('HSS_ACCESS_KEY')?.trim(),
      secretKey: r.secret('HSS_SECRET_KEY'),
      securityToken: r.secret('HSS_SECURITY_TOKEN'),
      iamDomain: r.get('HSS_IAM_DOMAIN')?.trim(),
      iamUser: r.get('HSS_IAM_USER')?.trim(),
      iamPassword: r.secret('HSS_IAM_PASSWORD'),
      agencyDomain: r.get('HSS_IAM_AGENCY_DOMAIN')?.trim(),
      agencyName: r.get('HSS_IAM_AGENCY_NAME')?.trim(),
    },
    ENV_AUTH_NAMES,
  );
  const endpoint = r.get('HSS_ENDPOINT');
  const iam = r.get('HSS_IAM_ENDPOINT');
  return {
    name: `${region}/${projectId}`,
    region,
    projectId,
    endpoint: endpoint
      ? parseEndpoint('HSS_ENDPOINT', endpoint, defaults.allowInsecureHttp)
      : hssEndpoint(region),
    iamEndpoint: iam
      ? parseEndpoint('HSS_IAM_ENDPOINT', iam, defaults.allowInsecureHttp)
      : iamEndpoint(region),
    auth,
    enterpriseProjectIds: defaults.enterpriseProjectIds,
    imageTypes: defaults.imageTypes,
  };
}

/**
 * The default run deadline: 90% of the shortest gap between the schedule's next runs (so a run
 * ends before the next is due), at most 6 h.
 */
export function defaultDeadlineMs(schedule: string, timezone = 'UTC'): number {
  const task = createTask(schedule, () => {}, { timezone });
  try {
    const runs = task.getNextRuns(6).map((d) => d.getTime());
    let gap = Number.POSITIVE_INFINITY;
    for (let i = 1; i < runs.length; i++) gap = Math.min(gap, runs[i]! - runs[i - 1]!);
    if (!Number.isFinite(gap)) gap = 6 * 3_600_000;
    return Math.min(Math.floor(gap * 0.9), 6 * 3_600_000);
  } finally {
    void task.destroy();
  }
}

/** Loads and validates the whole configuration. Throws ConfigError on the first problem. */
export function loadConfig(env: Env, readFile: ReadFile = defaultReadFile): AppConfig {
  const r = new EnvReader(env, readFile);
  const databaseUrl = loadDatabaseUrl(env, readFile);
  const allowInsecureHttp = r.get('HSS_ALLOW_INSECURE_HTTP')
    ? parseBool('HSS_ALLOW_INSECURE_HTTP', r.get('HSS_ALLOW_INSECURE_HTTP')!)
    : false;
  const imageTypesRaw = r.get('HSS_IMAGE_TYPES');
  const imageTypes = imageTypesRaw
    ? parseImageTypes('HSS_IMAGE_TYPES', parseList(imageTypesRaw))
    : DEFAULT_IMAGE_TYPES;
  const epsRaw = r.get('HSS_ENTERPRISE_PROJECT_IDS');
  const enterpriseProjectIds = epsRaw
    ? parseEnterpriseProjects('HSS_ENTERPRISE_PROJECT_IDS', parseList(epsRaw))
    : ['0'];
  const defaults = { enterpriseProjectIds, imageTypes, allowInsecureHttp };

  const file = r.get('HSS_SYNC_CONFIG');
  let targets: TargetConfig[];
  if (file) {
    if (r.get('HSS_PROJECT_ID')) {
      throw new ConfigError(
        'HSS_PROJECT_ID',
        'is set together with HSS_SYNC_CONFIG',
        'either one target from HSS_* variables or targets listed in HSS_SYNC_CONFIG',
      );
    }
    targets = loadFileTargets(file, readFile, defaults);
  } else {
    targets = [loadEnvTarget(r, defaults)];
  }

  const num = (name: string, def: number, min: number, max: number) => {
    const v = r.get(name);
    return v === undefined ? def : parseIntInRange(name, v, min, max);
  };
  const dur = (name: string, def: number) => {
    const v = r.get(name);
    return v === undefined ? def : parseDuration(name, v);
  };
  const bool = (name: string, def: boolean) => {
    const v = r.get(name);
    return v === undefined ? def : parseBool(name, v);
  };

  const schedule = parseSchedule('SYNC_SCHEDULE', r.get('SYNC_SCHEDULE') ?? DEFAULT_SCHEDULE);
  const http: HttpLimits = {
    connectTimeoutMs: 10_000,
    headersTimeoutMs: 30_000,
    bodyTimeoutMs: 30_000,
    requestDeadlineMs: dur('HSS_HTTP_TIMEOUT', 60_000),
    maxResponseBytes: 16 * 1024 * 1024,
    maxAttempts: num('HSS_HTTP_MAX_ATTEMPTS', 6, 1, 20),
    backoffBaseMs: 1_000,
    backoffCapMs: 60_000,
  };
  const retire = r.get('HSS_MAX_RETIRE_FRACTION');

  return {
    databaseUrl,
    targets,
    rateLimitPerMinute: num('HSS_RATE_LIMIT_PER_MINUTE', 5, 1, 100_000),
    rateLimitOverrides: parseRateOverrides('HSS_RATE_LIMIT_OVERRIDES', r.get('HSS_RATE_LIMIT_OVERRIDES')),
    schedule,
    timezone: parseTimezone('SYNC_TIMEZONE', r.get('SYNC_TIMEZONE') ?? 'UTC'),
    httpPort: num('HTTP_PORT', 9464, 0, 65_535),
    httpHost: parseHost('HTTP_HOST', r.get('HTTP_HOST') ?? '0.0.0.0'),
    logLevel: parseEnum('LOG_LEVEL', r.get('LOG_LEVEL') ?? 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ] as const),
    logFormat: parseEnum('LOG_FORMAT', r.get('LOG_FORMAT') ?? 'auto', ['auto', 'json', 'pretty'] as const),
    maxResultAgeMs: dur('HSS_MAX_RESULT_AGE', 7 * 86_400_000),
    runDeadlineMs: r.get('HSS_RUN_DEADLINE')
      ? parseDuration('HSS_RUN_DEADLINE', r.get('HSS_RUN_DEADLINE')!)
      : null,
    maxRetireFraction: retire === undefined ? 0.2 : parseFraction('HSS_MAX_RETIRE_FRACTION', retire),
    allowMassRetire: bool('HSS_ALLOW_MASS_RETIRE', false),
    ruleDetail: parseEnum('HSS_RULE_DETAIL', r.get('HSS_RULE_DETAIL') ?? 'failed', [
      'off',
      'failed',
      'all',
    ] as const),
    // 0 = keep for ever; 100 years is the longest a number of days can sensibly mean.
    retentionDays: num('HSS_RETENTION_DAYS', 730, 0, 36_500) || null,
    historyRetentionDays: num('HSS_HISTORY_RETENTION_DAYS', 0, 0, 36_500) || null,
    pageSize: num('HSS_PAGE_SIZE', 200, 10, 200),
    fetchConcurrency: num('HSS_FETCH_CONCURRENCY', 4, 1, 64),
    scopeConcurrency: num('HSS_SCOPE_CONCURRENCY', 4, 1, 32),
    maxQuarantinedItems: num('HSS_MAX_QUARANTINED_ITEMS', 10, 0, 1_000_000),
    retryBudgetRatio: r.get('HSS_RETRY_BUDGET')
      ? parseFraction('HSS_RETRY_BUDGET', r.get('HSS_RETRY_BUDGET')!)
      : 0.5,
    allowInsecureHttp,
    http,
    runOnStart: bool('SYNC_RUN_ON_START', true),
    migrateOnStart: bool('SYNC_MIGRATE_ON_START', true),
  };
}

/** What `status` needs: the database, the schedule (for the next run) and the result age limit. */
export interface StatusConfig {
  databaseUrl: string;
  schedule: string;
  timezone: string;
  maxResultAgeMs: number;
}

/** Loads only what `status` needs, so it works without HSS credentials. */
export function loadStatusConfig(env: Env, readFile: ReadFile = defaultReadFile): StatusConfig {
  const r = new EnvReader(env, readFile);
  const age = r.get('HSS_MAX_RESULT_AGE');
  return {
    databaseUrl: loadDatabaseUrl(env, readFile),
    schedule: parseSchedule('SYNC_SCHEDULE', r.get('SYNC_SCHEDULE') ?? DEFAULT_SCHEDULE),
    timezone: parseTimezone('SYNC_TIMEZONE', r.get('SYNC_TIMEZONE') ?? 'UTC'),
    maxResultAgeMs: age === undefined ? 7 * 86_400_000 : parseDuration('HSS_MAX_RESULT_AGE', age),
  };
}

/** The deadline a run uses: the configured one, or derived from the schedule. */
export function runDeadlineMs(config: Pick<AppConfig, 'runDeadlineMs' | 'schedule' | 'timezone'>): number {
  return config.runDeadlineMs ?? defaultDeadlineMs(config.schedule, config.timezone);
}
