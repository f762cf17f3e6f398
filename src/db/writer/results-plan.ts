/**
 * Pure: turns a batch of fetched images into the jsonb rows the results writer sends.
 * Keys are deduplicated here because one INSERT ... ON CONFLICT cannot touch a row twice and the
 * history allows one open version per result key.
 */
import type { ListingSignal, RiskConfig, Scope } from '../../domain.js';
import { dedupeLast, msToIso, tupleKey } from '../rows.js';
import type { ContentOutcome } from './contents.js';

/** The results of one image as fetched (or its not_scanned record). */
export interface ImageResultItem {
  scope: Scope;
  imageId: string;
  /** The listing signal the fetch answered to; stored so the planner can tell a rescan. */
  signal: ListingSignal;
  outcome: ContentOutcome;
  /** Every result of the image ('fetched'); ignored for 'not_scanned'. */
  results: RiskConfig[];
}

export interface ImageKeyRow {
  project_id: string;
  enterprise_project_id: string;
  image_type: string;
  image_id: string;
}

export interface ContentRow extends ImageKeyRow {
  fetched_scan_time: string | null;
  fetched_digest: string | null;
  fetched_unsafe_num: number | null;
  fetched_scan_status: string | null;
  outcome: ContentOutcome;
  result_count: number;
}

export interface ResultRow extends ImageKeyRow {
  check_name: string;
  check_type: string;
  standard: string;
  severity: string | null;
  check_rule_num: number | null;
  failed_rule_num: number | null;
  check_type_desc: string | null;
}

export interface ResultsPlan {
  /** One per distinct image: the image_contents upsert. */
  contents: ContentRow[];
  /** The images whose history is rewritten (outcome 'fetched'). */
  fetchedImages: ImageKeyRow[];
  /** Every incoming result of the fetched images, one per result key. */
  results: ResultRow[];
}

/** The identity of an image row as a string. */
export function imageKeyOf(r: ImageKeyRow): string {
  return tupleKey(r.project_id, r.enterprise_project_id, r.image_type, r.image_id);
}

/**
 * Shapes `items` into rows. An image listed twice keeps its last item; a result key listed twice
 * within an image keeps its last values.
 */
export function planResults(items: readonly ImageResultItem[]): ResultsPlan {
  const latest = dedupeLast(items, (i) =>
    tupleKey(i.scope.projectId, i.scope.enterpriseProjectId, i.scope.imageType, i.imageId),
  );
  const contents: ContentRow[] = [];
  const fetchedImages: ImageKeyRow[] = [];
  const results: ResultRow[] = [];
  for (const item of latest) {
    const key: ImageKeyRow = {
      project_id: item.scope.projectId,
      enterprise_project_id: item.scope.enterpriseProjectId,
      image_type: item.scope.imageType,
      image_id: item.imageId,
    };
    const rows =
      item.outcome === 'fetched'
        ? dedupeLast(
            item.results.map((r) => resultRow(key, r)),
            (r) => tupleKey(r.check_name, r.check_type, r.standard),
          )
        : [];
    contents.push({
      ...key,
      fetched_scan_time: msToIso(item.signal.latestScanTime),
      fetched_digest: item.signal.imageDigest,
      fetched_unsafe_num: item.signal.unsafeSettingNum,
      fetched_scan_status: item.signal.scanStatus,
      outcome: item.outcome,
      result_count: rows.length,
    });
    if (item.outcome === 'fetched') {
      fetchedImages.push(key);
      results.push(...rows);
    }
  }
  return { contents, fetchedImages, results };
}

function resultRow(key: ImageKeyRow, r: RiskConfig): ResultRow {
  return {
    ...key,
    check_name: r.checkName,
    check_type: r.checkType,
    standard: r.standard,
    severity: r.severity,
    check_rule_num: r.checkRuleNum,
    failed_rule_num: r.failedRuleNum,
    check_type_desc: r.checkTypeDesc,
  };
}
