/**
 * Public types of the HSS simulator: its options, the world's data shapes and its statistics.
 */
import type { Clock } from '../clock.js';
import { API_NAMES, type ApiName, type ImageType, type RiskConfig, type ScanStatus } from '../domain.js';

/** The HSS APIs the simulator serves: every /v5 API of src/domain.ts (IAM is not one). */
export type SimApi = Exclude<ApiName, 'KeystoneCreateToken'>;
export const SIM_APIS: readonly SimApi[] = API_NAMES.filter((a): a is SimApi => a !== 'KeystoneCreateToken');

/** Seeded, switchable misbehaviour of the /v5 APIs. Every field is optional; none means no faults. */
export interface FaultOptions {
  /** Seed of the fault PRNG (default 1). setFaults() restarts the sequence. */
  seed?: number;
  /**
   * Per API name (or '*'): answer this share of calls with this status. Bodies per status:
   * 503 → APIGW.0201 "Backend unavailable", 500 → HSS.0004, 504 → APIGW.0201 timeout, 429 →
   * APIGW.0308, 401 → APIGW.0301, 403 → HSS.0010, 400 → HSS.0001, others → a generic body.
   */
  errorRates?: { api: string; status: number; rate: number }[];
  /**
   * The rate-based faults (html, truncated JSON, reset, slow body, oversized, invalid items)
   * apply only to these APIs; default every /v5 API.
   */
  onlyApis?: string[];
  /** Real-timer delay in ms before answering every /v5 call (tests keep it small). */
  latencyMs?: number;
  /** latencyMs applies only to these APIs; default every /v5 API. */
  latencyApis?: string[];
  /** Share of /v5 calls answered 200 text/html. */
  htmlRate?: number;
  /** Share of /v5 calls answered 200 with JSON cut off half way (Content-Length matches the cut). */
  truncatedJsonRate?: number;
  /** Share of /v5 calls whose socket is destroyed after half the body was sent. */
  resetRate?: number;
  /** The image list APIs report total_num + 1 on every other call (1st, 3rd, … per API). */
  totalNumDrift?: boolean;
  /** With totalNumDrift: how many answers drift in all (default unlimited). */
  totalNumDriftTimes?: number;
  /**
   * One specific page fails: calls to `api` with this `offset` get `status`.
   * `times` (default unlimited) bounds how many calls fail before the page recovers.
   */
  failPage?: { api: string; offset: number; status: number; times?: number } | null;
  /** Share of /v5 calls whose 200 body trickles out in 10 pieces over `slowBodyMs` (real time). */
  slowBodyRate?: number;
  /** How long a slow body takes in ms; default 2 000. */
  slowBodyMs?: number;
  /** Share of /v5 calls whose 200 answer is padded (valid JSON, trailing spaces) to `oversizedBytes`. */
  oversizedRate?: number;
  /** Size of an oversized answer in bytes; default 2 MiB. */
  oversizedBytes?: number;
  /**
   * Share of data_list items of 200 answers made schema-invalid: list rows get
   * `latest_scan_time: "not-a-time"`, ListImageRiskConfigs rows `check_rule_num: "many"`,
   * ListImageRiskConfigRules and ListCheckRulesInfo rows `check_rule_id: true` (an empty one is
   * valid: use HostileValue for a rule row without its id).
   */
  invalidItemRate?: number;
  /**
   * APIs (names, or '*' for every /v5 API) whose 200 pages come without total_num, which every
   * official response model marks optional.
   */
  omitTotalNum?: string[];
  /**
   * Error answers of the /v5 APIs (validation, auth, throttling, injected statuses) in the nested
   * form `{"error":{"code":…,"message":…}}` instead of `{"error_code":…,"error_msg":…}`.
   * errorReply bodies are sent as given.
   */
  nestedErrors?: boolean;
  /**
   * List pages after the first are served from offset + `rows` (the listing moved while paging):
   * negative repeats rows of the previous page, positive skips rows. `times` (default unlimited)
   * bounds how many answers are shifted.
   */
  pageShift?: { rows: number; times?: number } | null;
  /** List pages bring at most half the rows asked for (rounded up), as a server capping limit does. */
  shortPages?: boolean;
  /** After this many /v5 calls (counted from setFaults), every IAM-issued token expires, once. */
  tokenExpiry?: { afterCalls: number } | null;
  /** List pages bring this many rows more than the limit asked for (a server ignoring limit). */
  longPages?: number;
  /** Values no valid answer holds, planted in 200 answers (see HostileValue). */
  hostileValues?: HostileValue[];
  /**
   * Calls to `api` are answered `status` with exactly `body` (a hostile error answer) and no
   * X-Request-Id header, so the body's request_id is the one a client keeps. `times` (default
   * unlimited) bounds how many calls get it.
   */
  errorReply?: { api: string; status: number; body: unknown; times?: number } | null;
}

/**
 * A hostile value planted in the 200 answers of `api` (src/simulator/hostile.ts): on the answer
 * itself (`at: 'page'`: total_num…), or on items (`at: 'item'`): for a list API the rows whose
 * image_id is `imageId`; for a per-image API every row (or the `index`-th) of answers filtered
 * on `imageId`.
 */
export interface HostileValue {
  api: string;
  at: 'page' | 'item';
  imageId?: string;
  /** Per-image APIs: only the item at this index of the answer; default every item. */
  index?: number;
  /** Fields set to these JSON values. */
  set?: Record<string, unknown>;
  /**
   * Fields set to these JSON texts, sent verbatim: what JSON.stringify cannot write, such as a
   * 400-digit number or an array nested 200,000 deep.
   */
  raw?: Record<string, string>;
  /**
   * Fields removed (absent from the answer): e.g. `{ api: 'ListCheckRulesInfo', at: 'item',
   * imageId, index: 2, unset: ['check_rule_id'] }` for a rule row without its id, or
   * `{ api, at: 'page', unset: ['total_num'] }`.
   */
  unset?: string[];
}

/** Options of createSimulator(). Every default is documented on the field. */
export interface SimulatorOptions {
  /** World seed; default 1. Same seed (and options) => same world, byte for byte. */
  seed?: number;
  /** Projects and their enterprise projects; default one project 'proj-demo' with EP '0'. */
  projects?: { projectId: string; enterpriseProjects: string[] }[];
  /** Scopes to populate; default every IMAGE_TYPES entry. 'local' serves the local_image data. */
  imageTypes?: ImageType[];
  /** Distinct image contents per (project, EP, image type); default 40. */
  imagesPerScope?: number;
  /** Per (caller identity, API) sliding 60 s window; null or 0 = off; default null. */
  rateLimitPerMinute?: number | null;
  /** Send Retry-After (integer seconds, rounded up) on 429; default true. */
  retryAfter?: boolean;
  /** Accepted credentials; see SimAuthOptions for the defaults. */
  auth?: SimAuthOptions;
  /** Lifetime of IAM-issued tokens; default 24 h. */
  tokenLifetimeMs?: number;
  /** Accepted X-Sdk-Date skew for AK/SK signatures; default 15 min. */
  maxClockSkewMs?: number;
  /** Time source for token expiry, rate windows, X-Sdk-Date checks and scan times; default systemClock. */
  clock?: Clock;
  /**
   * How ListImageRiskConfigs answers image_type=cicd: 'empty' (default; the official definition:
   * a value outside its range gives an empty result) or 'seed' (the cicd images' summaries, as
   * the seed's example shows). ListCheckRulesInfo serves cicd images either way.
   */
  cicdRiskConfigs?: 'empty' | 'seed';
  /**
   * Shares (0–1, of each scope's successfully scanned images with results) turned into coverage
   * cases at generation, from a PRNG stream of their own: `noResults` scanned success without
   * results, `inconsistent` listing unsafe_setting_num contradicting the results. Default 0.025
   * each (at least one image per scope when the share is above 0); 0 switches a case off.
   */
  coverage?: { noResults?: number; inconsistent?: number };
  /** Faults to inject from the start; default none. */
  faults?: FaultOptions;
}

/**
 * Credentials the simulator accepts. Each omitted field takes its default: tokens ['sim-token'],
 * no AK/SK, users [{ domain: 'sim-domain', user: 'sim-user', password: 'sim-password' }],
 * no agencies. Pass an empty list to switch a kind off.
 */
export interface SimAuthOptions {
  /** Static tokens accepted as X-Auth-Token; they never expire. */
  tokens?: string[];
  accessKeys?: { ak: string; sk: string; securityToken?: string }[];
  /** Users that may log in with POST /v3/auth/tokens (password method). */
  users?: { domain: string; user: string; password: string }[];
  /** Agencies an authenticated user may assume (assume_role). */
  agencies?: { domain: string; name: string }[];
}

/** A scope of the simulated world. A domain `Scope` (with `target`) fits too. */
export interface SimScope {
  projectId: string;
  enterpriseProjectId: string;
  imageType: ImageType;
}

/**
 * One image reference (tag) exactly as the list API of its scope serialises it (snake_case).
 * Registry rows carry namespace/registry fields, local rows host fields, cicd rows registry_name.
 * The optional fields follow the official response models (huaweicloud-sdk-go-v3 services/hss/v5:
 * RegistryImagesInfo for ListRegistryImages, ImageLocalInfo for ListImageLocal,
 * CicdImageResponseInfo for ListCicdImages), each only on the APIs whose model has it, with the
 * model's type; see listing-row.ts for when each is sent.
 */
export interface SimImageRow {
  image_id: string;
  image_digest: string;
  namespace?: string;
  image_name: string;
  image_version: string;
  /**
   * Registry APIs: the row's kind (private_image, shared_image, instance_image; in the
   * `registry` scope harbor or jfrog); cicd rows `cicd`. Absent on local rows.
   */
  image_type?: string;
  instance_id?: string;
  registry_name?: string;
  /** SwrPrivate, SwrShared, SwrEnterprise, Harbor, Jfrog; `cicd` on cicd rows. */
  registry_type?: string;
  host_id?: string;
  host_name?: string;
  scan_status: ScanStatus;
  /** epoch ms; null when never scanned (unscan), 0 while waiting for a first scan. */
  latest_scan_time: number | null;
  unsafe_setting_num: number;
  image_size: number;
  latest_update_time: number;
  /** Extra fields real HSS sends and clients must tolerate. */
  vul_num: number;
  /** Registry and cicd rows: failed scans only. Local rows: the failure code when failed, else ''. */
  scan_failed_desc?: string;
  /** Registry and cicd rows, failed scans only. */
  scan_failed_code?: string;
  /** Local rows of unscan images only. */
  non_scan_reason?: string;
  /** Security, Low, Medium or High once the image was scanned (it has results or scanned success). */
  severity_level?: string;
  /** Registry and cicd rows. */
  latest_version?: boolean;
  /** Registry rows (epoch ms). */
  latest_sync_time?: number;
  /** instance_image rows. */
  instance_name?: string;
  /** Registry rows. */
  is_multiple_arch?: boolean;
  /** cicd rows. */
  cicd_name?: string;
  /** cicd rows: jenkins or codearts. */
  pipeline_type?: string;
  /** Local rows: swr_image or other_image. */
  local_image_type?: string;
  /** Local rows: the HSS agent of the row's host. */
  agent_id?: string;
  /** Local rows: the hosts holding the image (its tags in the scope). */
  host_num?: number;
}

/**
 * What ListImageRiskConfigs returns for one row, normalised the way the client does it:
 * check_type as text (even when served as a JSON number), NUL and all other characters kept,
 * an omitted check_type_desc as null.
 */
export type RiskConfigTruth = RiskConfig;

/** Fields addImage() accepts; omitted ones are generated. An existing image_id adds a tag to it. */
export type SimImagePartial = Partial<
  Pick<
    SimImageRow,
    | 'image_id'
    | 'image_digest'
    | 'namespace'
    | 'image_name'
    | 'image_version'
    | 'instance_id'
    | 'registry_name'
    | 'registry_type'
    | 'host_id'
    | 'host_name'
  >
>;

/** Counters since start or the last resetStats(). */
export interface SimStats {
  /** api → HTTP status (as text; '0' = socket reset by a fault) → calls. IAM is 'KeystoneCreateToken'. */
  calls: Record<string, Record<string, number>>;
  /** api → calls, any status. */
  callsByApi: Record<string, number>;
  /** api → /v5 calls received, counted on arrival (before latency, auth and faults). */
  arrivedByApi: Record<string, number>;
  /** Calls answered 429 by the rate limiter (not by injected faults). */
  throttled: number;
  /** AK/SK requests rejected (bad or missing signature parts, unknown AK, skew, security token). */
  rejectedSignatures: number;
  /** X-Auth-Token requests rejected (unknown or expired token, or no credentials at all). */
  rejectedTokens: number;
  /** Tokens issued by POST /v3/auth/tokens. */
  tokensIssued: number;
  /**
   * Fault kind ('error', 'html', 'truncated', 'reset', 'failPage', 'drift', 'slowBody', 'oversized',
   * 'invalidItem', 'pageShift', 'shortPage', 'longPage', 'hostileValue', 'errorReply', 'tokenExpiry',
   * 'omitTotalNum')
   * → injections.
   */
  faultsInjected: Record<string, number>;
  /** ListImageRiskConfigs calls answered 200 with an image_id filter, per image_id. */
  riskConfigCallsByImageId: Record<string, number>;
  /** ListImageRiskConfigRules calls answered 200 with an image_id filter, per image_id. */
  ruleCallsByImageId: Record<string, number>;
  /** ListCheckRulesInfo calls answered 200 with an image_id filter, per image_id. */
  checkRuleCallsByImageId: Record<string, number>;
  /** ShowImageCheckRuleDetail calls answered 200 with an image_id filter, per image_id. */
  ruleDetailCallsByImageId: Record<string, number>;
}
