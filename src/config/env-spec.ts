/**
 * Every environment variable the product reads, with its meaning and default, in one table.
 * The loader validates against it and the README configuration table is generated from it
 * (`npm run docs:config`), so the documentation cannot drift from the code.
 */
export interface EnvVarSpec {
  name: string;
  /** Shown in docs: what it does. */
  description: string;
  /** Shown in docs: the default, or 'required' / '—'. */
  default: string;
  /** Secret values are also read from `${name}_FILE` and never logged. */
  secret?: boolean;
  group: 'database' | 'target' | 'auth' | 'sync' | 'http' | 'daemon' | 'logging';
}

export const ENV_VARS: readonly EnvVarSpec[] = [
  {
    name: 'DATABASE_URL',
    group: 'database',
    default: 'required',
    secret: true,
    description: 'PostgreSQL connection URL (`postgres://user:pass@host:5432/db`). May hold a password.',
  },
  {
    name: 'HSS_SYNC_CONFIG',
    group: 'target',
    default: '—',
    description:
      'Path of a YAML or JSON file listing several targets (see "Several targets" below). When set, targets come from the file and HSS_PROJECT_ID must not be set.',
  },
  {
    name: 'HSS_REGION',
    group: 'target',
    default: 'required without a config file',
    description: 'Huawei Cloud region, e.g. `cn-north-4`, `ap-southeast-1`, `eu-west-101`.',
  },
  {
    name: 'HSS_PROJECT_ID',
    group: 'target',
    default: 'required without a config file',
    description: 'Project ID (1–256 characters) of the region whose images are synced.',
  },
  {
    name: 'HSS_ENDPOINT',
    group: 'target',
    default: '`https://hss.{region}.myhuaweicloud.com`',
    description: 'Overrides the HSS endpoint (private clouds, proxies, the simulator).',
  },
  {
    name: 'HSS_IAM_ENDPOINT',
    group: 'auth',
    default: '`https://iam.{region}.myhuaweicloud.com`',
    description: 'Overrides the IAM endpoint used for password/agency token login.',
  },
  {
    name: 'HSS_IMAGE_TYPES',
    group: 'target',
    default: '`private_image,shared_image,local_image,instance_image,cicd`',
    description:
      'Comma list of image types to sync: `private_image`, `shared_image`, `local_image`, `instance_image`, `registry`, `local`, `cicd`.',
  },
  {
    name: 'HSS_ENTERPRISE_PROJECT_IDS',
    group: 'target',
    default: '`0`',
    description:
      'Comma list of enterprise project IDs (`0` = default EP, `all_granted_eps` = all you may see).',
  },
  {
    name: 'HSS_AUTH_TOKEN',
    group: 'auth',
    default: '—',
    secret: true,
    description:
      'A static IAM token (X-Auth-Token). Expires after 24 h and cannot be renewed: prefer AK/SK or IAM login for a daemon.',
  },
  {
    name: 'HSS_ACCESS_KEY',
    group: 'auth',
    default: '—',
    description: 'Access key ID for AK/SK request signing (SDK-HMAC-SHA256). Needs HSS_SECRET_KEY.',
  },
  {
    name: 'HSS_SECRET_KEY',
    group: 'auth',
    default: '—',
    secret: true,
    description: 'Secret access key for AK/SK signing.',
  },
  {
    name: 'HSS_SECURITY_TOKEN',
    group: 'auth',
    default: '—',
    secret: true,
    description: 'Security token of temporary AK/SK credentials (sent as X-Security-Token).',
  },
  {
    name: 'HSS_IAM_DOMAIN',
    group: 'auth',
    default: '—',
    description: 'Account (domain) name for IAM password login. Needs HSS_IAM_USER and HSS_IAM_PASSWORD.',
  },
  { name: 'HSS_IAM_USER', group: 'auth', default: '—', description: 'IAM user name for password login.' },
  {
    name: 'HSS_IAM_PASSWORD',
    group: 'auth',
    default: '—',
    secret: true,
    description: 'IAM user password for password login.',
  },
  {
    name: 'HSS_IAM_AGENCY_DOMAIN',
    group: 'auth',
    default: '—',
    description:
      'After password login, assume the agency of this account (cross-account). Needs HSS_IAM_AGENCY_NAME.',
  },
  { name: 'HSS_IAM_AGENCY_NAME', group: 'auth', default: '—', description: 'Agency name to assume.' },
  {
    name: 'HSS_ALLOW_INSECURE_HTTP',
    group: 'http',
    default: '`false`',
    description: 'Allow `http://` endpoints on hosts other than loopback. Never needed against Huawei Cloud.',
  },
  {
    name: 'HSS_RATE_LIMIT_PER_MINUTE',
    group: 'sync',
    default: '`5`',
    description: 'Calls per minute per (credential, API). HSS allows 5 per user per API.',
  },
  {
    name: 'HSS_RATE_LIMIT_OVERRIDES',
    group: 'sync',
    default: '—',
    description: 'Per-API rates, e.g. `ListImageRiskConfigs=4,ListRegistryImages=5`.',
  },
  {
    name: 'HSS_MAX_RESULT_AGE',
    group: 'sync',
    default: '`7d`',
    description:
      'Refetch an image whose listing did not change once its results are this old (`30m`, `12h`, `7d`); spread over runs.',
  },
  {
    name: 'HSS_RUN_DEADLINE',
    group: 'sync',
    default: '90% of the schedule interval (max 6h)',
    description:
      'A run starts no new call after this long (`45m`); a call already sent is answered (within `HSS_HTTP_TIMEOUT`) and its results kept. The rest is first in line next run.',
  },
  {
    name: 'HSS_MAX_RETIRE_FRACTION',
    group: 'sync',
    default: '`0.2`',
    description:
      'If more than this share of a scope’s images vanish in one run, nothing is retired (run ends partial).',
  },
  {
    name: 'HSS_ALLOW_MASS_RETIRE',
    group: 'sync',
    default: '`false`',
    description: 'Operator override: retire even when more than HSS_MAX_RETIRE_FRACTION vanished.',
  },
  {
    name: 'HSS_RULE_DETAIL',
    group: 'sync',
    default: '`failed`',
    description:
      'Rule-level drill-down, beside the summaries: `off`, `failed` (the failed rules of every failing baseline) or `all` (failed and passed rules).',
  },
  {
    name: 'HSS_RETENTION_DAYS',
    group: 'database',
    default: '`730`',
    description:
      'Days of daily facts (`hss.image_baseline_daily`) and run ledger (`hss.sync_runs`, `hss.sync_scope_runs`) to keep; older ones are deleted after each run (`0` = keep for ever). The history is not affected.',
  },
  {
    name: 'HSS_HISTORY_RETENTION_DAYS',
    group: 'database',
    default: '`0` (keep for ever)',
    description:
      'Delete versions of `hss.image_baseline_history` that ended more than this many days ago. Current versions are always kept; point-in-time questions before the cutoff can no longer be answered.',
  },
  {
    name: 'HSS_PAGE_SIZE',
    group: 'sync',
    default: '`200`',
    description: 'Page size of the list APIs (10–200).',
  },
  {
    name: 'HSS_FETCH_CONCURRENCY',
    group: 'sync',
    default: '`4`',
    description: 'Result fetches in flight at once (1–64); the pacer still bounds the rate.',
  },
  {
    name: 'HSS_SCOPE_CONCURRENCY',
    group: 'sync',
    default: '`4`',
    description: 'Scopes synced at once (1–32); each holds one database connection for its lock.',
  },
  {
    name: 'HSS_MAX_QUARANTINED_ITEMS',
    group: 'sync',
    default: '`10`',
    description:
      'Schema-invalid items (list rows, result rows) a scope may set aside before it fails; each is logged with its request id. An image with one is left unwritten and stays pending.',
  },
  {
    name: 'HSS_HTTP_TIMEOUT',
    group: 'http',
    default: '`60s`',
    description: 'Deadline of one HTTP request including its body.',
  },
  {
    name: 'HSS_HTTP_MAX_ATTEMPTS',
    group: 'http',
    default: '`6`',
    description: 'Attempts per request for network errors, 5xx and 429 (1–20).',
  },
  {
    name: 'HSS_RETRY_BUDGET',
    group: 'http',
    default: '`0.5`',
    description:
      'Retries allowed per run: 50 plus this share (0–1) of the requests made. Bounds what an outage costs; a circuit per (credential, API) also stops calls after 10 failures in a row for a minute.',
  },
  {
    name: 'SYNC_SCHEDULE',
    group: 'daemon',
    default: '`*/30 * * * *`',
    description: 'Cron expression (5 fields, or 6 with seconds) for `start`.',
  },
  {
    name: 'SYNC_TIMEZONE',
    group: 'daemon',
    default: '`UTC`',
    description: 'IANA time zone of SYNC_SCHEDULE.',
  },
  {
    name: 'SYNC_RUN_ON_START',
    group: 'daemon',
    default: '`true`',
    description: '`start` runs one sync immediately after boot.',
  },
  {
    name: 'SYNC_MIGRATE_ON_START',
    group: 'daemon',
    default: '`true`',
    description:
      "`start` applies pending database migrations at boot if its login has the schema owner's rights; nothing pending means no DDL. With `false`, or a login that may not migrate (one granted only `hss_writer`), a pending migration makes `start` exit 1 naming it and whom to run `migrate` as.",
  },
  {
    name: 'HTTP_PORT',
    group: 'daemon',
    default: '`9464`',
    description: 'Port of `/healthz`, `/readyz` and `/metrics` for `start` (`0` = off).',
  },
  {
    name: 'HTTP_HOST',
    group: 'daemon',
    default: '`0.0.0.0`',
    description: 'Address the endpoints listen on (`127.0.0.1` keeps them on loopback).',
  },
  {
    name: 'LOG_LEVEL',
    group: 'logging',
    default: '`info`',
    description: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
  },
  {
    name: 'LOG_FORMAT',
    group: 'logging',
    default: '`auto`',
    description:
      '`json` (one JSON object per line), `pretty` (readable lines for people) or `auto` (`pretty` when the log goes to a terminal, else `json`).',
  },
];
