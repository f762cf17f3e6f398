/**
 * The contract between the sync engine and the HSS client. The client knows HTTP, auth, paging,
 * pacing, retries and Huawei errors; it knows nothing of the database.
 */
import type {
  ApiName,
  ImageFilter,
  ImageListing,
  Page,
  RiskConfig,
  RuleDetail,
  RuleKey,
  RuleResult,
  Scope,
} from '../domain.js';
import type { RetryBudget } from './retry-budget.js';

/** What one HTTP exchange looked like; the engine aggregates these per scope and run. */
export interface CallEvent {
  api: ApiName;
  /** HTTP status, or 0 when no answer came (network error, timeout). */
  status: number;
  /** Huawei error_code when the body had one. */
  errorCode: string | null;
  requestId: string | null;
  durationMs: number;
  /** True when this attempt will be retried. */
  willRetry: boolean;
}

/** One schema-invalid item of an otherwise valid answer, set aside instead of failing the page. */
export interface QuarantineEvent {
  api: ApiName;
  requestId: string | null;
  /** Position of the item in the whole listing (offset + index in the page). */
  position: number;
  /** What did not match the schema (field paths and messages, no values). */
  problem: string;
  /** The start of the item as JSON (at most 200 characters), for the log. */
  sample: string;
  /**
   * For the per-image APIs: the image the item belonged to. ListImageRiskConfigs: none of the
   * image's summaries were written because of it; the rule APIs: only this row was set aside.
   */
  imageId?: string;
}

export interface CallOptions {
  /** Stops the call: its waits (turn, token, backoff) and, unless inFlightSignal is given, its attempts. */
  signal?: AbortSignal;
  /**
   * What may abort an attempt already sent; default `signal`. The engine gives the run deadline
   * to `signal` only, so a call sent before the deadline is answered and its results kept: HSS
   * has counted it already, and throwing its answer away would make the next run pay again.
   */
  inFlightSignal?: AbortSignal;
  /** Called once per HTTP attempt (including retries). */
  onCall?: (event: CallEvent) => void;
  /** The run's retry budget, shared by every call of the run; none = only maxAttempts bounds retries. */
  retryBudget?: RetryBudget;
  /** Called for every schema-invalid item the client sets aside. */
  onQuarantine?: (event: QuarantineEvent) => void;
}

export interface HssClient {
  /**
   * One page of the image list API that serves the scope's image type
   * (ListRegistryImages / ListImageLocal / ListCicdImages), validated and normalised. Rows that
   * do not match the schema are left out and reported through `onQuarantine` (the page's
   * total_num still counts them, so the inventory is then incomplete). Each listing keeps its
   * item as received (`raw`). total_num is optional upstream: Page.totalNum is null without it.
   */
  listImagesPage(
    scope: Scope,
    offset: number,
    limit: number,
    options?: CallOptions,
  ): Promise<Page<ImageListing>>;
  /**
   * Every baseline summary of one image (ListImageRiskConfigs filtered by image_id), all pages,
   * validated, normalised, deduplicated by result key (check_name, check_type, standard). When an
   * item does not match the schema the image's results are incomplete: it is reported through
   * `onQuarantine` and ImageQuarantinedError is thrown, so nothing partial is written.
   */
  listRiskConfigs(scope: Scope, imageId: string, options?: CallOptions): Promise<RiskConfig[]>;
  /**
   * Every rule result of one image for one baseline (check_name) and standard
   * (ListImageRiskConfigRules filtered by image_id and result_type), all pages, validated,
   * normalised, deduplicated by (check_type, check_rule_id). A row without check_rule_id is kept
   * with checkRuleId '' (each such row; the rule writer sets it aside). A schema-invalid row is
   * quarantined alone (reported through `onQuarantine`) and the image's other rules are returned.
   */
  listRiskConfigRules(
    scope: Scope,
    imageId: string,
    filter: { checkName: string; standard: string; resultType: 'failed' | 'pass' },
    options?: CallOptions,
  ): Promise<RuleResult[]>;
  /**
   * Every rule result of one CI/CD or registry image (ListCheckRulesInfo, type=image, filtered by
   * image_id and, when given, scan_result), all pages, validated, normalised, deduplicated by
   * (check_name, check_type, standard, check_rule_id). Rows carry checkTypeDesc. A row without
   * check_rule_id is kept with checkRuleId '' (it still counts towards derived summaries; the
   * rule writer sets it aside); only a schema-invalid row is quarantined, and only that row.
   */
  listCheckRules(
    scope: Scope,
    imageId: string,
    filter: { scanResult: 'failed' | 'pass' | null },
    options?: CallOptions,
  ): Promise<RuleResult[]>;
  /**
   * The description of one rule (ShowImageCheckRuleDetail), validated and normalised. With an
   * image, the call carries its filters (image_id, and those of namespace, image_name,
   * image_version, instance_id that are not null) and check_info_list[].current_value is that
   * image's value.
   */
  showCheckRuleDetail(
    scope: Scope,
    key: RuleKey,
    image: ImageFilter | null,
    options?: CallOptions,
  ): Promise<RuleDetail>;
}
