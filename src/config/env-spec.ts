/**
 * Every environment variable the product reads, in one table: its meaning, its default and how
 * its value is parsed and validated. The loader (load.ts, through read.ts) reads nothing else,
 * and the configuration table of docs/operations.md is generated from it (`npm run docs:config`), so neither
 * the defaults nor the documentation can drift from the code.
 */
import { CICD_SUMMARIES } from '../hss/api-matrix.js';
import { Secret } from '../secret.js';
import { RULE_VALUES } from '../sync/plan.js';
import {
  parseBool,
  parseDatabaseUrl,
  parseDuration,
  parseEndpoint,
  parseEnterpriseProjects,
  parseEnum,
  parseFraction,
  parseHost,
  parseImageTypes,
  parseIntInRange,
  parseList,
  parseProjectId,
  parseRateOverrides,
  parseRegion,
  parseSchedule,
  parseTimezone,
} from './parse.js';

export type VarGroup = 'database' | 'target' | 'auth' | 'sync' | 'http' | 'daemon' | 'logging';

/** What a parser may consult besides the raw text: settings it depends on. */
export interface ParseContext {
  readonly allowInsecureHttp: boolean;
}

export interface VarSpec<T> {
  group: VarGroup;
  /** Shown in docs: what it does. */
  description: string;
  /** The default, written as an operator would set it and parsed like a set value. */
  default?: string;
  /** Shown in docs instead of the default: 'required…', a derived default, a note. */
  shown?: string;
  /** Secret values are also read from `${name}_FILE` and never logged. */
  secret?: boolean;
  /** Turns the set (or default) text into the value; throws ConfigError naming `name`. */
  parse(raw: string, name: string, ctx: ParseContext): T;
}

type Defaulted<T> = VarSpec<T> & { default: string };

/** A variable without a default: its value is undefined when unset. */
const opt = <T>(spec: VarSpec<T>): VarSpec<T> => spec;
/** A variable with a default: its value is always there. */
const def = <T>(spec: Defaulted<T>): Defaulted<T> => spec;

const int =
  (min: number, max: number) =>
  (raw: string, name: string): number =>
    parseIntInRange(name, raw, min, max);
const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (raw: string, name: string): T =>
    parseEnum(name, raw, allowed);
const bool = (raw: string, name: string) => parseBool(name, raw);
const duration = (raw: string, name: string) => parseDuration(name, raw);
const fraction = (raw: string, name: string) => parseFraction(name, raw);
const trimmed = (raw: string) => raw.trim();
const secret = (raw: string) => new Secret(raw);
const endpoint = (raw: string, name: string, ctx: ParseContext) =>
  parseEndpoint(name, raw, ctx.allowInsecureHttp);
/** 0 = keep for ever (null); 100 years is the longest a number of days can sensibly mean. */
const days = (raw: string, name: string): number | null => parseIntInRange(name, raw, 0, 36_500) || null;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The table of docs/operations.md lists them in this order, grouped by `group`. */
export const SPEC = {
  DATABASE_URL: opt({
    group: 'database',
    shown: 'required',
    secret: true,
    description: 'PostgreSQL connection URL (`postgres://user:pass@host:5432/db`). May hold a password.',
    parse: (raw, name) => parseDatabaseUrl(name, raw),
  }),
  HSS_SYNC_CONFIG: opt({
    group: 'target',
    description:
      'Path of a YAML or JSON file listing several targets (see "Several targets" below). When set, targets come from the file and HSS_PROJECT_ID must not be set.',
    parse: (raw) => raw,
  }),
  HSS_REGION: opt({
    group: 'target',
    shown: 'required without a config file',
    description: 'Huawei Cloud region, e.g. `cn-north-4`, `ap-southeast-1`, `eu-west-101`.',
    parse: (raw, name) => parseRegion(name, raw),
  }),
  HSS_PROJECT_ID: opt({
    group: 'target',
    shown: 'required without a config file',
    description: 'Project ID (1–256 characters) of the region whose images are synced.',
    parse: (raw, name) => parseProjectId(name, raw),
  }),
  HSS_ENDPOINT: opt({
    group: 'target',
    shown: '`https://hss.{region}.myhuaweicloud.com`',
    description: 'Overrides the HSS endpoint (private clouds, proxies, the simulator).',
    parse: endpoint,
  }),
  HSS_IAM_ENDPOINT: opt({
    group: 'auth',
    shown: '`https://iam.{region}.myhuaweicloud.com`',
    description: 'Overrides the IAM endpoint used for password/agency token login.',
    parse: endpoint,
  }),
  HSS_IMAGE_TYPES: def({
    group: 'target',
    default: 'private_image,shared_image,local_image,instance_image,cicd',
    description:
      'Comma list of image types to sync: `private_image`, `shared_image`, `local_image`, `instance_image`, `registry`, `local`, `cicd`.',
    parse: (raw, name) => parseImageTypes(name, parseList(raw)),
  }),
  HSS_ENTERPRISE_PROJECT_IDS: def({
    group: 'target',
    default: '0',
    description:
      'Comma list of enterprise project IDs (`0` = default EP, `all_granted_eps` = all you may see).',
    parse: (raw, name) => parseEnterpriseProjects(name, parseList(raw)),
  }),
  HSS_AUTH_TOKEN: opt({
    group: 'auth',
    secret: true,
    description:
      'A static IAM token (X-Auth-Token). Expires after 24 h and cannot be renewed: prefer AK/SK or IAM login for a daemon.',
    parse: secret,
  }),
  HSS_ACCESS_KEY: opt({
    group: 'auth',
    description: 'Access key ID for AK/SK request signing (SDK-HMAC-SHA256). Needs HSS_SECRET_KEY.',
    parse: trimmed,
  }),
  HSS_SECRET_KEY: opt({
    group: 'auth',
    secret: true,
    description: 'Secret access key for AK/SK signing.',
    parse: secret,
  }),
  HSS_SECURITY_TOKEN: opt({
    group: 'auth',
    secret: true,
    description: 'Security token of temporary AK/SK credentials (sent as X-Security-Token).',
    parse: secret,
  }),
  HSS_IAM_DOMAIN: opt({
    group: 'auth',
    description: 'Account (domain) name for IAM password login. Needs HSS_IAM_USER and HSS_IAM_PASSWORD.',
    parse: trimmed,
  }),
  HSS_IAM_USER: opt({
    group: 'auth',
    description: 'IAM user name for password login.',
    parse: trimmed,
  }),
  HSS_IAM_PASSWORD: opt({
    group: 'auth',
    secret: true,
    description: 'IAM user password for password login.',
    parse: secret,
  }),
  HSS_IAM_AGENCY_DOMAIN: opt({
    group: 'auth',
    description:
      'After password login, assume the agency of this account (cross-account). Needs HSS_IAM_AGENCY_NAME.',
    parse: trimmed,
  }),
  HSS_IAM_AGENCY_NAME: opt({
    group: 'auth',
    description: 'Agency name to assume.',
    parse: trimmed,
  }),
  HSS_ALLOW_INSECURE_HTTP: def({
    group: 'http',
    default: 'false',
    description: 'Allow `http://` endpoints on hosts other than loopback. Never needed against Huawei Cloud.',
    parse: bool,
  }),
  HSS_RATE_LIMIT_PER_MINUTE: def({
    group: 'sync',
    default: '5',
    description: 'Calls per minute per (credential, API). HSS allows 5 per user per API.',
    parse: int(1, 100_000),
  }),
  HSS_RATE_LIMIT_OVERRIDES: def({
    group: 'sync',
    default: '',
    shown: '—',
    description: 'Per-API rates, e.g. `ListImageRiskConfigs=4,ListRegistryImages=5`.',
    parse: (raw, name) => parseRateOverrides(name, raw),
  }),
  HSS_MAX_RESULT_AGE: def({
    group: 'sync',
    default: '7d',
    description:
      'Refetch an image whose listing did not change once its results are this old (`30m`, `12h`, `7d`); spread over runs.',
    parse: duration,
  }),
  HSS_RUN_DEADLINE: opt({
    group: 'sync',
    shown: '90% of the schedule interval (max 6h)',
    description:
      'A run starts no new call after this long (`45m`); a call already sent is answered (within `HSS_HTTP_TIMEOUT`) and its results kept. The rest is first in line next run.',
    parse: duration,
  }),
  HSS_MAX_RETIRE_FRACTION: def({
    group: 'sync',
    default: '0.2',
    description:
      'If more than this share of a scope’s images vanish in one run, nothing is retired (run ends partial).',
    parse: fraction,
  }),
  HSS_ALLOW_MASS_RETIRE: def({
    group: 'sync',
    default: 'false',
    description: 'Operator override: retire even when more than HSS_MAX_RETIRE_FRACTION vanished.',
    parse: bool,
  }),
  HSS_RULE_DETAIL: def({
    group: 'sync',
    default: 'failed',
    description:
      'Rule-level drill-down, beside the summaries: `off`, `failed` (the failed rules of every failing baseline) or `all` (failed and passed rules).',
    parse: oneOf(['off', 'failed', 'all'] as const),
  }),
  HSS_RULE_VALUES: def({
    group: 'sync',
    default: 'off',
    description:
      'Per-image current values of failed rules (one ShowImageCheckRuleDetail call per image and failed rule, beside HSS_RULE_DETAIL): `off` (rule descriptions only) or `all`. At 5 calls/min `all` needs about 26 calls per image: a first backfill of 10,000 images takes weeks (docs/performance.md, "Time to truth").',
    parse: oneOf(RULE_VALUES),
  }),
  HSS_CICD_SUMMARIES: def({
    group: 'sync',
    default: 'derived',
    description:
      'Where the baseline summaries of `cicd` images come from: `derived` (from their rule results, ListCheckRulesInfo, as the official API definitions say) or `risk-configs` (ListImageRiskConfigs with image_type=cicd, as the seed example does; the official definitions say it answers empty).',
    parse: oneOf(CICD_SUMMARIES),
  }),
  HSS_RETENTION_DAYS: def({
    group: 'database',
    default: '730',
    description:
      'Days of daily facts (`hss.image_baseline_daily`) and run ledger (`hss.sync_runs`, `hss.sync_scope_runs`) to keep; older ones are deleted after each run (`0` = keep for ever). The history is not affected.',
    parse: days,
  }),
  HSS_HISTORY_RETENTION_DAYS: def({
    group: 'database',
    default: '0',
    shown: '`0` (keep for ever)',
    description:
      'Delete versions of `hss.image_baseline_history` that ended more than this many days ago. Current versions are always kept; point-in-time questions before the cutoff can no longer be answered.',
    parse: days,
  }),
  HSS_PAGE_SIZE: def({
    group: 'sync',
    default: '200',
    description: 'Page size of the list APIs (10–200).',
    parse: int(10, 200),
  }),
  HSS_FETCH_CONCURRENCY: def({
    group: 'sync',
    default: '4',
    description: 'Result fetches in flight at once (1–64); the pacer still bounds the rate.',
    parse: int(1, 64),
  }),
  HSS_SCOPE_CONCURRENCY: def({
    group: 'sync',
    default: '4',
    description: 'Scopes synced at once (1–32); each holds one database connection for its lock.',
    parse: int(1, 32),
  }),
  HSS_MAX_QUARANTINED_ITEMS: def({
    group: 'sync',
    default: '10',
    description:
      'Schema-invalid items (list rows, result rows) a scope may set aside before it fails; each is logged with its request id. An image with one is left unwritten and stays pending.',
    parse: int(0, 1_000_000),
  }),
  HSS_HTTP_TIMEOUT: def({
    group: 'http',
    default: '60s',
    description: 'Deadline of one HTTP request including its body.',
    parse: duration,
  }),
  HSS_HTTP_MAX_ATTEMPTS: def({
    group: 'http',
    default: '6',
    description: 'Attempts per request for network errors, 5xx and 429 (1–20).',
    parse: int(1, 20),
  }),
  HSS_RETRY_BUDGET: def({
    group: 'http',
    default: '0.5',
    description:
      'Retries allowed per run: 50 plus this share (0–1) of the requests made. Bounds what an outage costs; a circuit per (credential, API) also stops calls after 10 failures in a row for a minute.',
    parse: fraction,
  }),
  SYNC_SCHEDULE: def({
    group: 'daemon',
    default: '*/30 * * * *',
    description: 'Cron expression (5 fields, or 6 with seconds) for `start`.',
    parse: (raw, name) => parseSchedule(name, raw),
  }),
  SYNC_TIMEZONE: def({
    group: 'daemon',
    default: 'UTC',
    description: 'IANA time zone of SYNC_SCHEDULE.',
    parse: (raw, name) => parseTimezone(name, raw),
  }),
  SYNC_RUN_ON_START: def({
    group: 'daemon',
    default: 'true',
    description: '`start` runs one sync immediately after boot.',
    parse: bool,
  }),
  SYNC_MIGRATE_ON_START: def({
    group: 'daemon',
    default: 'true',
    description:
      "`start` applies pending database migrations at boot if its login has the schema owner's rights; nothing pending means no DDL. With `false`, or a login that may not migrate (one granted only `hss_writer`), a pending migration makes `start` exit 78 naming it and whom to run `migrate` as.",
    parse: bool,
  }),
  HTTP_PORT: def({
    group: 'daemon',
    default: '9464',
    description: 'Port of `/healthz`, `/readyz` and `/metrics` for `start` (`0` = off).',
    parse: int(0, 65_535),
  }),
  HTTP_HOST: def({
    group: 'daemon',
    default: '0.0.0.0',
    description: 'Address the endpoints listen on (`127.0.0.1` keeps them on loopback).',
    parse: (raw, name) => parseHost(name, raw),
  }),
  LOG_LEVEL: def({
    group: 'logging',
    default: 'info',
    description: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
    parse: oneOf(LOG_LEVELS),
  }),
  LOG_FORMAT: def({
    group: 'logging',
    default: 'auto',
    description:
      '`json` (one JSON object per line), `pretty` (readable lines for people) or `auto` (`pretty` when the log goes to a terminal, else `json`).',
    parse: oneOf(['auto', 'json', 'pretty'] as const),
  }),
};

export type VarName = keyof typeof SPEC;

/** The value of a variable: its parser's result; undefined only when unset without a default. */
export type VarValue<K extends VarName> =
  (typeof SPEC)[K] extends Defaulted<infer T> ? T : ReturnType<(typeof SPEC)[K]['parse']> | undefined;

/** One documented variable (a row of the table in docs/operations.md). */
export interface EnvVarDoc {
  name: VarName;
  group: VarGroup;
  description: string;
  /** The default as the docs show it. */
  default: string;
  secret: boolean;
}

export const ENV_VARS: readonly EnvVarDoc[] = (Object.keys(SPEC) as VarName[]).map((name) => {
  const spec: VarSpec<unknown> = SPEC[name];
  return {
    name,
    group: spec.group,
    description: spec.description,
    default: spec.shown ?? (spec.default === undefined ? '—' : `\`${spec.default}\``),
    secret: spec.secret === true,
  };
});
