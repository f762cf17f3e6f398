/**
 * The only module that turns the environment and config files into configuration: a validated
 * AppConfig (or the part a command needs), or one ConfigError naming the variable, the problem
 * and what is allowed. Every variable, its default and its parser live in env-spec.ts.
 */
import { createTask } from 'node-cron';
import { ConfigError } from '../errors.js';
import { hssEndpoint, iamEndpoint } from '../hss/endpoints.js';
import { ENV_AUTH_NAMES, resolveAuth } from './auth.js';
import type { VarName } from './env-spec.js';
import { loadFileTargets, type TargetDefaults } from './file-targets.js';
import { defaultReadFile, type Env, type ReadFile, readSettings, type Settings } from './read.js';
import type { AppConfig, HttpLimits, LogSettings, TargetConfig } from './types.js';

export { type Env, processEnv, type ReadFile } from './read.js';

function databaseUrl(s: Settings): string {
  const url = s.get('DATABASE_URL');
  if (url === undefined) {
    throw new ConfigError(
      'DATABASE_URL',
      'is not set',
      'a PostgreSQL URL such as postgres://user:password@localhost:5432/hss (or DATABASE_URL_FILE)',
    );
  }
  return url;
}

/** Only DATABASE_URL: enough for `migrate` and `status`. */
export function loadDatabaseUrl(env: Env, readFile: ReadFile = defaultReadFile): string {
  return databaseUrl(readSettings(env, readFile));
}

/** Whether a variable (or its _FILE twin) is set, without reading or validating it. */
export function isSet(env: Env, name: VarName): boolean {
  return readSettings(env).isSet(name);
}

/** LOG_LEVEL and LOG_FORMAT, for commands that need no other setting. */
export function loadLogSettings(env: Env): LogSettings {
  const s = readSettings(env);
  return { level: s.get('LOG_LEVEL'), format: s.get('LOG_FORMAT') };
}

/** LOG_LEVEL, or a command's own default when it is not set (the demo is quieter). */
export function loadLogLevel(env: Env, fallback: LogSettings['level']): LogSettings['level'] {
  const s = readSettings(env);
  return s.isSet('LOG_LEVEL') ? s.get('LOG_LEVEL') : fallback;
}

function loadEnvTarget(s: Settings, defaults: TargetDefaults): TargetConfig {
  const region = s.get('HSS_REGION');
  if (region === undefined)
    throw new ConfigError(
      'HSS_REGION',
      'is not set',
      'a Huawei Cloud region such as cn-north-4 (or list targets in HSS_SYNC_CONFIG)',
    );
  const projectId = s.get('HSS_PROJECT_ID');
  if (projectId === undefined)
    throw new ConfigError('HSS_PROJECT_ID', 'is not set', 'the project ID of the region (1–256 characters)');
  const auth = resolveAuth(
    'HSS_ACCESS_KEY',
    {
      token: s.get('HSS_AUTH_TOKEN'),
      accessKey: s.get('HSS_ACCESS_KEY'),
      secretKey: s.get('HSS_SECRET_KEY'),
      securityToken: s.get('HSS_SECURITY_TOKEN'),
      iamDomain: s.get('HSS_IAM_DOMAIN'),
      iamUser: s.get('HSS_IAM_USER'),
      iamPassword: s.get('HSS_IAM_PASSWORD'),
      agencyDomain: s.get('HSS_IAM_AGENCY_DOMAIN'),
      agencyName: s.get('HSS_IAM_AGENCY_NAME'),
    },
    ENV_AUTH_NAMES,
  );
  return {
    name: `${region}/${projectId}`,
    region,
    projectId,
    endpoint: s.get('HSS_ENDPOINT') ?? hssEndpoint(region),
    iamEndpoint: s.get('HSS_IAM_ENDPOINT') ?? iamEndpoint(region),
    auth,
    enterpriseProjectIds: defaults.enterpriseProjectIds,
    imageTypes: defaults.imageTypes,
  };
}

function loadTargets(s: Settings, readFile: ReadFile): TargetConfig[] {
  const defaults: TargetDefaults = {
    allowInsecureHttp: s.get('HSS_ALLOW_INSECURE_HTTP'),
    imageTypes: s.get('HSS_IMAGE_TYPES'),
    enterpriseProjectIds: s.get('HSS_ENTERPRISE_PROJECT_IDS'),
  };
  const file = s.get('HSS_SYNC_CONFIG');
  if (file === undefined) return [loadEnvTarget(s, defaults)];
  if (s.isSet('HSS_PROJECT_ID')) {
    throw new ConfigError(
      'HSS_PROJECT_ID',
      'is set together with HSS_SYNC_CONFIG',
      'either one target from HSS_* variables or targets listed in HSS_SYNC_CONFIG',
    );
  }
  return loadFileTargets(file, readFile, defaults);
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
  const s = readSettings(env, readFile);
  const url = databaseUrl(s);
  const targets = loadTargets(s, readFile);
  // The order below is the order problems are found in: the first one is reported.
  const schedule = s.get('SYNC_SCHEDULE');
  const http: HttpLimits = {
    connectTimeoutMs: 10_000,
    headersTimeoutMs: 30_000,
    bodyTimeoutMs: 30_000,
    requestDeadlineMs: s.get('HSS_HTTP_TIMEOUT'),
    maxResponseBytes: 16 * 1024 * 1024,
    maxAttempts: s.get('HSS_HTTP_MAX_ATTEMPTS'),
    backoffBaseMs: 1_000,
    backoffCapMs: 60_000,
  };
  const rateLimitPerMinute = s.get('HSS_RATE_LIMIT_PER_MINUTE');
  const rateLimitOverrides = s.get('HSS_RATE_LIMIT_OVERRIDES');
  const timezone = s.get('SYNC_TIMEZONE');
  return {
    databaseUrl: url,
    targets,
    rateLimitPerMinute,
    rateLimitOverrides,
    schedule,
    timezone,
    httpPort: s.get('HTTP_PORT'),
    httpHost: s.get('HTTP_HOST'),
    logLevel: s.get('LOG_LEVEL'),
    logFormat: s.get('LOG_FORMAT'),
    maxResultAgeMs: s.get('HSS_MAX_RESULT_AGE'),
    runDeadlineMs: s.get('HSS_RUN_DEADLINE') ?? defaultDeadlineMs(schedule, timezone),
    maxRetireFraction: s.get('HSS_MAX_RETIRE_FRACTION'),
    allowMassRetire: s.get('HSS_ALLOW_MASS_RETIRE'),
    ruleDetail: s.get('HSS_RULE_DETAIL'),
    ruleValues: s.get('HSS_RULE_VALUES'),
    cicdSummaries: s.get('HSS_CICD_SUMMARIES'),
    retentionDays: s.get('HSS_RETENTION_DAYS'),
    historyRetentionDays: s.get('HSS_HISTORY_RETENTION_DAYS'),
    pageSize: s.get('HSS_PAGE_SIZE'),
    fetchConcurrency: s.get('HSS_FETCH_CONCURRENCY'),
    scopeConcurrency: s.get('HSS_SCOPE_CONCURRENCY'),
    maxQuarantinedItems: s.get('HSS_MAX_QUARANTINED_ITEMS'),
    retryBudgetRatio: s.get('HSS_RETRY_BUDGET'),
    allowInsecureHttp: s.get('HSS_ALLOW_INSECURE_HTTP'),
    http,
    runOnStart: s.get('SYNC_RUN_ON_START'),
    migrateOnStart: s.get('SYNC_MIGRATE_ON_START'),
  };
}

/** What `status` needs: the database, the schedule (for the next run) and the result age limit. */
export interface StatusConfig {
  databaseUrl: string;
  schedule: string;
  timezone: string;
  /** Whether SYNC_SCHEDULE was set (else the schedule the daemon recorded in the ledger is shown). */
  scheduleSet: boolean;
  maxResultAgeMs: number;
}

/** Loads only what `status` needs, so it works without HSS credentials. */
export function loadStatusConfig(env: Env, readFile: ReadFile = defaultReadFile): StatusConfig {
  const s = readSettings(env, readFile);
  return {
    databaseUrl: databaseUrl(s),
    schedule: s.get('SYNC_SCHEDULE'),
    timezone: s.get('SYNC_TIMEZONE'),
    scheduleSet: s.isSet('SYNC_SCHEDULE'),
    maxResultAgeMs: s.get('HSS_MAX_RESULT_AGE'),
  };
}
