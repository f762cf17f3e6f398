/**
 * The contract between the sync engine and the HSS client. The client knows HTTP, auth, paging,
 * pacing, retries and Huawei errors; it knows nothing of the database.
 */
import type { ApiName, ImageListing, Page, RiskConfig, Scope } from '../domain.js';

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

export interface CallOptions {
  signal?: AbortSignal;
  /** Called once per HTTP attempt (including retries). */
  onCall?: (event: CallEvent) => void;
}

export interface HssClient {
  /**
   * One page of the image list API that serves the scope's image type
   * (ListRegistryImages / ListImageLocal / ListCicdImages), validated and normalised.
   */
  listImagesPage(
    scope: Scope,
    offset: number,
    limit: number,
    options?: CallOptions,
  ): Promise<Page<ImageListing>>;
  /**
   * Every baseline summary of one image (ListImageRiskConfigs filtered by image_id), all pages,
   * validated, normalised, deduplicated by result key (check_name, check_type, standard).
   */
  listRiskConfigs(scope: Scope, imageId: string, options?: CallOptions): Promise<RiskConfig[]>;
}
