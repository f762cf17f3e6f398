/**
 * Pure: turns a batch of fetched images into the jsonb rows the results writer sends.
 * Keys are deduplicated here because one INSERT ... ON CONFLICT cannot touch a row twice and the
 * history allows one open version per result key.
 */
import type { ImageResultItem, RiskConfig } from '../../domain.js';
import { dedupeLast, msToIso, tupleKey } from '../rows.js';
import type { ContentOutcome } from './contents.js';

export type { ImageResultItem };

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

/** A result's key and the values that decide whether a version opens. */
export interface ResultValuesRow extends ImageKeyRow {
  check_name: string;
  check_type: string;
  standard: string;
  severity: string | null;
  check_rule_num: number | null;
  failed_rule_num: number | null;
  check_type_desc: string | null;
}

export interface ResultRow extends ResultValuesRow {
  /** Provenance of the version it opens (not compared: a new scan alone opens no version). */
  scanned_at: string | null;
  source_api: string | null;
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
/** A version's scanned_at: the HSS scan time (epoch ms); 0 (sent for waiting_for_scan) is never, NULL. */
export function scanTimeIso(ms: number | null): string | null {
  return ms === 0 ? null : msToIso(ms);
}

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
    const scannedAt = scanTimeIso(item.signal.latestScanTime);
    const rows =
      item.outcome === 'fetched'
        ? dedupeLast(
            item.results.map((r) => resultRow(key, r, scannedAt, item.source)),
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

// Properties spelled out: a spread here cost more than the rest of the batch's planning.
function resultRow(
  key: ImageKeyRow,
  r: RiskConfig,
  scannedAt: string | null,
  sourceApi: string | null,
): ResultRow {
  return {
    project_id: key.project_id,
    enterprise_project_id: key.enterprise_project_id,
    image_type: key.image_type,
    image_id: key.image_id,
    check_name: r.checkName,
    check_type: r.checkType,
    standard: r.standard,
    severity: r.severity,
    check_rule_num: r.checkRuleNum,
    failed_rule_num: r.failedRuleNum,
    check_type_desc: r.checkTypeDesc,
    scanned_at: scannedAt,
    source_api: sourceApi,
  };
}

/** An open version of a fetched image, as openVersionsSql reads it. */
export interface OpenVersionRow extends ResultValuesRow {
  /** bigint, as text. */
  version_id: string;
  /** valid_from + 1 ms, UTC text to the microsecond: the earliest instant it may close at. */
  floor: string;
}

/** What the history of a batch needs: versions to close (by instant) and rows to open. */
export interface VersionsPlan {
  close: { at: string; versionIds: string[] }[];
  /** In the order of the incoming results; `at` is the instant the version opens at. */
  open: { row: ResultRow; at: string }[];
}

const resultKeyOf = (r: ResultValuesRow) => tupleKey(imageKeyOf(r), r.check_name, r.check_type, r.standard);
const sameValues = (a: ResultValuesRow, b: ResultValuesRow) =>
  a.severity === b.severity &&
  a.check_rule_num === b.check_rule_num &&
  a.failed_rule_num === b.failed_rule_num &&
  a.check_type_desc === b.check_type_desc;

/** An instant as fixed-width UTC text to the microsecond, ordered like the instants it names. */
export function microsIso(at: Date): string {
  return at.toISOString().replace(/Z$/, '000Z');
}

/**
 * Pure: which open versions of the fetched images close and which results open a version. An
 * incoming result identical to its key's open version (same values, NULL equal to NULL) keeps it;
 * every other open version closes and every other result opens. An image's versions open and
 * close at `at`, or at `floors` of the image when given, or just after its latest open version
 * began when that is later (the clock went back or stood still: CHECK valid_to > valid_from).
 */
export function planVersions(
  results: readonly ResultRow[],
  open: readonly OpenVersionRow[],
  at: Date,
  floors: ReadonlyMap<string, string> = new Map(),
): VersionsPlan {
  // Only the images whose time is not `at` are in the map (none on a first write).
  const atMicros = microsIso(at);
  const later = new Map([...floors].filter(([, t]) => t > atMicros));
  for (const o of open) {
    const image = imageKeyOf(o);
    if (o.floor > atMicros && o.floor > (later.get(image) ?? '') && !floors.has(image))
      later.set(image, o.floor);
  }
  const atIso = at.toISOString();
  const timeOf = (r: ImageKeyRow) => (later.size === 0 ? atIso : (later.get(imageKeyOf(r)) ?? atIso));
  if (open.length === 0) return { close: [], open: results.map((row) => ({ row, at: timeOf(row) })) };

  const openByKey = new Map(open.map((o) => [resultKeyOf(o), o]));
  const kept = new Set<string>();
  const toOpen: VersionsPlan['open'] = [];
  for (const row of results) {
    const key = resultKeyOf(row);
    const current = openByKey.get(key);
    if (current && sameValues(current, row)) kept.add(key);
    else toOpen.push({ row, at: timeOf(row) });
  }
  const closeByTime = new Map<string, string[]>();
  for (const o of open) {
    if (kept.has(resultKeyOf(o))) continue;
    const t = timeOf(o);
    const ids = closeByTime.get(t) ?? [];
    ids.push(o.version_id);
    closeByTime.set(t, ids);
  }
  return { close: [...closeByTime].map(([t, versionIds]) => ({ at: t, versionIds })), open: toOpen };
}
