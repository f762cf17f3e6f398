/**
 * The validated configuration the composition root hands down. Only src/config/ reads the
 * environment or files; everything else receives these plain values. Every value is explicit
 * (defaults are applied by the loader from env-spec.ts): no consumer needs a default of its own.
 */
import type { ApiName, ImageType } from '../domain.js';
import type { CicdSummaries } from '../hss/api-matrix.js';
import type { Secret } from '../secret.js';

/** Exactly one authentication method per target. */
export type AuthConfig =
  | { method: 'token'; token: Secret }
  | { method: 'aksk'; accessKey: string; secretKey: Secret; securityToken: Secret | null }
  | {
      method: 'password';
      domain: string;
      user: string;
      password: Secret;
      /** assume_role after the password login (cross-account agency). */
      agency: { domain: string; name: string } | null;
    };

export interface TargetConfig {
  /** Label used in logs and the ledger; defaults to `${region}/${projectId}`. */
  name: string;
  region: string;
  projectId: string;
  /** Base URL of HSS, e.g. https://hss.cn-north-4.myhuaweicloud.com (no trailing slash). */
  endpoint: string;
  /** Base URL of IAM, e.g. https://iam.cn-north-4.myhuaweicloud.com (no trailing slash). */
  iamEndpoint: string;
  auth: AuthConfig;
  enterpriseProjectIds: string[];
  imageTypes: ImageType[];
}

export interface HttpLimits {
  /** ms to establish a TCP/TLS connection. Default 10 000. */
  connectTimeoutMs: number;
  /** ms until response headers arrive. Default 30 000. */
  headersTimeoutMs: number;
  /** ms of silence allowed while reading the body. Default 30 000. */
  bodyTimeoutMs: number;
  /** ms for the whole request including body. Default 60 000. */
  requestDeadlineMs: number;
  /** Largest accepted response body in bytes. Default 16 MiB. */
  maxResponseBytes: number;
  /** Attempts per request for retryable failures (network, 5xx, 429). Default 6. */
  maxAttempts: number;
  /** Backoff base and cap in ms (full jitter). Defaults 1 000 and 60 000. */
  backoffBaseMs: number;
  backoffCapMs: number;
}

export interface AppConfig {
  databaseUrl: string;
  targets: TargetConfig[];
  /** Calls per minute per (credential, API). Default 5. */
  rateLimitPerMinute: number;
  /** Per-API overrides of rateLimitPerMinute. */
  rateLimitOverrides: Partial<Record<ApiName, number>>;
  /** node-cron expression (5 or 6 fields). Default every 30 minutes. */
  schedule: string;
  /** IANA time zone for the schedule. Default UTC. */
  timezone: string;
  /** Port of /healthz, /readyz, /metrics; 0 = off. Default 9464. */
  httpPort: number;
  /** Interface the endpoints listen on. Default 0.0.0.0. */
  httpHost: string;
  logLevel: LogSettings['level'];
  /** `auto` (default): pretty when the log goes to a terminal, else JSON lines. */
  logFormat: LogSettings['format'];
  /** Results older than this are refetched even if the listing did not change. Default 7 days. */
  maxResultAgeMs: number;
  /** A run stops starting new fetches after this long (set, or derived from the schedule). */
  runDeadlineMs: number;
  /** Share of a scope's images that may vanish in one run before retirement needs an operator. */
  maxRetireFraction: number;
  /** Operator permission to retire more than maxRetireFraction. Default false. */
  allowMassRetire: boolean;
  /** Rule-level drill-down: off, failed rules only (default) or all rules. */
  ruleDetail: 'off' | 'failed' | 'all';
  /** HSS_RULE_VALUES: per-image values of failed rules. */
  ruleValues: 'off' | 'all';
  /** Where the summaries of cicd images come from (src/hss/api-matrix.ts). Default derived. */
  cicdSummaries: CicdSummaries;
  /** Days of daily facts and run ledger kept; null = for ever. Default 730. */
  retentionDays: number | null;
  /** Days closed history versions are kept after they ended; null = for ever (default). */
  historyRetentionDays: number | null;
  /** Page size for list APIs (10..200). Default 200. */
  pageSize: number;
  /** HSS calls in flight at once across the run (the pacer still bounds the rate). Default 4. */
  fetchConcurrency: number;
  /** Scopes synced at once. Default 4. */
  scopeConcurrency: number;
  /** Schema-invalid items a scope may quarantine before it fails. Default 10. */
  maxQuarantinedItems: number;
  /** Retries per run: 50 plus this many per first attempt (src/hss/retry-budget.ts). Default 0.5. */
  retryBudgetRatio: number;
  /** Allow http:// endpoints that are not loopback. Default false. */
  allowInsecureHttp: boolean;
  http: HttpLimits;
  /** Run once at daemon start. Default true. */
  runOnStart: boolean;
  /** Migrate at daemon start. Default true. */
  migrateOnStart: boolean;
}

/** LOG_LEVEL and LOG_FORMAT. */
export interface LogSettings {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  format: 'auto' | 'json' | 'pretty';
}
