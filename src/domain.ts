/**
 * Domain vocabulary shared by every part: the client, the planner, the writer and the simulator.
 * Plain data only; no behaviour that needs I/O.
 */

/** Every image_type the ListImageRiskConfigs API documents, plus `cicd` (seen in its examples). */
export const IMAGE_TYPES = [
  'private_image',
  'shared_image',
  'local_image',
  'instance_image',
  'registry',
  'local',
  'cicd',
] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** The HSS APIs this product calls. Each has its own rate budget per credential. */
export const API_NAMES = [
  'ListRegistryImages',
  'ListImageLocal',
  'ListCicdImages',
  'ListImageRiskConfigs',
  'ListImageRiskConfigRules',
  'ShowImageCheckRuleDetail',
  'ListCheckRulesInfo',
  'KeystoneCreateToken',
] as const;
export type ApiName = (typeof API_NAMES)[number];

/** The image list API that inventories each image type (docs/hss-api.md section 2). */
export function listApiFor(imageType: ImageType): ApiName {
  switch (imageType) {
    case 'private_image':
    case 'shared_image':
    case 'instance_image':
    case 'registry':
      return 'ListRegistryImages';
    case 'local_image':
    case 'local':
      return 'ListImageLocal';
    case 'cicd':
      return 'ListCicdImages';
  }
}

/**
 * A scope: the unit of inventory, isolation, locking and retirement.
 * `target` names the configured target (region + project + credentials) it belongs to.
 */
export interface Scope {
  target: string;
  projectId: string;
  enterpriseProjectId: string;
  imageType: ImageType;
}

export function scopeLabel(s: Scope): string {
  return `${s.projectId}/${s.enterpriseProjectId}/${s.imageType}`;
}

/** Image scan states the list APIs report. Other strings are kept as they come. */
export type ScanStatus = 'unscan' | 'success' | 'scanning' | 'failed' | 'waiting_for_scan' | (string & {});

/**
 * One row of an image list API, normalised (strings cleaned, numbers parsed).
 * An image reference is a tag; several references may share one image_id (same content).
 */
export interface ImageListing extends ListingExtras {
  imageId: string;
  imageDigest: string | null;
  namespace: string | null;
  imageName: string | null;
  imageVersion: string | null;
  instanceId: string | null;
  registryName: string | null;
  registryType: string | null;
  hostId: string | null;
  hostName: string | null;
  scanStatus: ScanStatus | null;
  /** epoch milliseconds, as HSS sends it; 0 (sent while an image waits for its first scan) is null. */
  latestScanTime: number | null;
  unsafeSettingNum: number | null;
  imageSize: number | null;
  latestUpdateTime: number | null;
}

/** The listing fields auditors need beyond identity and change signal (all optional upstream). */
export interface ListingExtras {
  /**
   * The row's own image_type as listed. In the `registry` scope it names the registry kind
   * (SWR, Harbor, JFrog...); elsewhere it repeats the scope's type or is absent.
   */
  listedImageType: string | null;
  severityLevel: string | null;
  scanFailedDesc: string | null;
  scanFailedCode: string | null;
  nonScanReason: string | null;
  latestVersion: string | null;
  /** epoch milliseconds */
  latestSyncTime: number | null;
  instanceName: string | null;
  isMultipleArch: boolean | null;
  cicdName: string | null;
  pipelineType: string | null;
  localImageType: string | null;
  agentId: string | null;
  hostNum: number | null;
  /** The whole listing item as received (NUL policy applied to its strings), so nothing is lost. */
  raw: Record<string, unknown>;
}

/** ListingExtras with nothing known (fixtures, and listings built without an answer). */
export function noListingExtras(): ListingExtras {
  return {
    listedImageType: null,
    severityLevel: null,
    scanFailedDesc: null,
    scanFailedCode: null,
    nonScanReason: null,
    latestVersion: null,
    latestSyncTime: null,
    instanceName: null,
    isMultipleArch: null,
    cicdName: null,
    pipelineType: null,
    localImageType: null,
    agentId: null,
    hostNum: null,
    raw: {},
  };
}

/**
 * Where a stored result came from (history column source_api): the API that answered it, or for
 * summaries derived from rule results (image types ListImageRiskConfigs does not serve), the rule
 * API they were derived from. See src/hss/api-matrix.ts.
 */
export type SummarySource = 'ListImageRiskConfigs' | 'ListCheckRulesInfo';
export type RuleSource = 'ListImageRiskConfigRules' | 'ListCheckRulesInfo';

/**
 * Why a current image has (or has no) results: hss.image_coverage.coverage and
 * hss.image_posture.coverage. `pending` (listed as scanned, results not fetched yet: the budget
 * has not reached it) is this project's addition to the five coverage states (covered, not scanned, scan failed,
 * no results, inconsistent).
 */
export const COVERAGE_STATES = [
  'covered',
  'not_scanned',
  'scan_failed',
  'no_results',
  'inconsistent',
  'pending',
] as const;
export type CoverageState = (typeof COVERAGE_STATES)[number];
export type CoverageCounts = Record<CoverageState, number>;

/**
 * One row of ListImageRiskConfigs: a baseline summary of one image, normalised.
 * check_type may arrive as a number upstream; it is always text here.
 * Absent strings become '' (they are part of the result key, which must not hold NULL).
 */
export interface RiskConfig {
  checkName: string;
  checkType: string;
  standard: string;
  severity: string | null;
  checkRuleNum: number | null;
  failedRuleNum: number | null;
  checkTypeDesc: string | null;
}

/** The fields of a listing that change when an image is rescanned (the change-detection signal). */
export interface ListingSignal {
  latestScanTime: number | null;
  imageDigest: string | null;
  unsafeSettingNum: number | null;
  scanStatus: string | null;
}

/** A page of any list API. */
export interface Page<T> {
  /**
   * total_num as answered; null when the answer had none (it is optional in the official
   * models): the listing then ends at the first page shorter than the limit.
   */
  totalNum: number | null;
  rows: T[];
  /**
   * Items the answer held, those set aside included (schema-invalid, no image_id): the next page
   * starts this many items on, so an item set aside is neither read again nor skipped over.
   */
  itemsReceived: number;
  requestId: string | null;
}

/**
 * What a scope run counted (and, summed, a run): the count columns of hss_internal.sync_scope_runs and
 * hss_internal.sync_runs in camelCase.
 */
export interface ScopeCounts {
  imagesListed: number;
  imagesDistinct: number;
  imagesDue: number;
  imagesFetched: number;
  imagesNotScanned: number;
  imagesPending: number;
  imagesRetired: number;
  versionsOpened: number;
  versionsClosed: number;
  apiCalls: number;
  throttled: number;
  retries: number;
  /** Schema-invalid items set aside: list rows, and items of images left unwritten. */
  itemsQuarantined: number;
}

/** What the rule drill-down did (per scope, summed per run; hss_internal.sync_runs only). */
export interface RuleCounts {
  ruleImagesDue: number;
  ruleImagesFetched: number;
  ruleImagesPending: number;
  ruleVersionsOpened: number;
  ruleVersionsClosed: number;
  ruleDescriptionsFetched: number;
}

/** The results of one image as fetched, or its not_scanned record: what the results writer stores. */
export interface ImageResultItem {
  scope: Scope;
  imageId: string;
  /** The listing signal the fetch answered to; stored so the planner can tell a rescan. */
  signal: ListingSignal;
  outcome: 'fetched' | 'not_scanned';
  /** Every result of the image ('fetched'); ignored for 'not_scanned'. */
  results: RiskConfig[];
  /** The API the results came from (derived from rule results for ListCheckRulesInfo). */
  source: SummarySource;
}

/** What started a run (hss_internal.sync_runs.trigger). */
export type RunTrigger = 'cli' | 'schedule' | 'demo' | 'test';

/**
 * What the end-of-run maintenance did (hss_internal.sync_runs.maintenance): the daily facts
 * brought up to date, then the retention policy applied. Its failure leaves the run's status as
 * it is (the next run repairs the facts) and is kept in `error`.
 */
export interface MaintenanceReport {
  startedAt: Date;
  durationMs: number;
  /** Days of daily facts rebuilt. */
  dailyDays: number;
  /** Rows each retention prune deleted (0 for prunes not configured). */
  pruned: { facts: number; posture: number; runs: number; versions: number };
  error: string | null;
}

/** Terminal and in-flight states of a run or a scope, as stored in the ledger. */
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'aborted';

/** Which rule results the drill-down fetches (HSS_RULE_DETAIL). */
export type RuleDetailMode = 'off' | 'failed' | 'all';

/** One row of ListImageRiskConfigRules: one check item (rule) of one baseline of one image. */
export interface RuleResult {
  checkName: string;
  checkType: string;
  standard: string;
  checkRuleId: string;
  checkRuleName: string | null;
  severity: string | null;
  /** `pass` or `failed` as HSS sends it; other strings are kept. */
  scanResult: string;
  /** ListCheckRulesInfo only: the baseline's description as the row carries it. */
  checkTypeDesc?: string | null;
}

/**
 * The image a per-image call is about (ShowImageCheckRuleDetail's optional image filters:
 * current_value is then that image's value).
 */
export interface ImageFilter {
  imageId: string;
  namespace: string | null;
  imageName: string | null;
  imageVersion: string | null;
  instanceId: string | null;
}

/** A rule of one image whose current values (check_info_list[].current_value) are to be fetched. */
export interface ImageRuleRef {
  scope: Scope;
  image: ImageFilter;
  key: RuleKey;
}

/** The current values of one rule on one image, as ShowImageCheckRuleDetail answered them. */
export interface ImageRuleValues {
  scope: Scope;
  imageId: string;
  key: RuleKey;
  checkInfoList: RuleCheckInfo[];
}

/** What identifies a rule's description: the same text for every image. */
export interface RuleKey {
  checkName: string;
  checkType: string;
  standard: string;
  checkRuleId: string;
}

/** One entry of a rule description's check_info_list. */
export interface RuleCheckInfo {
  checkDescription: string | null;
  currentValue: string | null;
  suggestValue: string | null;
}

/** ShowImageCheckRuleDetail, normalised. */
export interface RuleDetail {
  description: string | null;
  reference: string | null;
  audit: string | null;
  remediation: string | null;
  checkInfoList: RuleCheckInfo[];
}
