/**
 * Pure planning: which image contents need a ListImageRiskConfigs call, in what order, and
 * whether a scope's inventory is complete enough to retire what vanished. No I/O here.
 */
import type { ImageListing, ListingSignal } from '../domain.js';

/** What the database remembers of one content (image_id) of a scope. */
export interface StoredContent {
  fetchedSignal: ListingSignal;
  fetchedAt: Date | null;
  outcome: 'fetched' | 'not_scanned';
  removedAt: Date | null;
}

/** One distinct image content of the inventory, with the signal of its freshest reference. */
export interface Content {
  imageId: string;
  signal: ListingSignal;
  references: number;
}

export type FetchReason = 'new' | 'changed' | 'stale';

export interface FetchTask {
  imageId: string;
  signal: ListingSignal;
  reason: FetchReason;
}

export interface Plan {
  contents: Content[];
  /** Calls to make, in priority order: new, then changed, then stalest first. */
  tasks: FetchTask[];
  /** Contents not successfully scanned whose state changed: recorded, no call spent. */
  notScanned: { imageId: string; signal: ListingSignal }[];
  /** Contents whose stored results are current. */
  upToDate: number;
}

export function signalOf(l: ImageListing): ListingSignal {
  return {
    latestScanTime: l.latestScanTime,
    imageDigest: l.imageDigest,
    unsafeSettingNum: l.unsafeSettingNum,
    scanStatus: l.scanStatus,
  };
}

export function sameSignal(a: ListingSignal, b: ListingSignal): boolean {
  return (
    a.latestScanTime === b.latestScanTime &&
    a.imageDigest === b.imageDigest &&
    a.unsafeSettingNum === b.unsafeSettingNum &&
    a.scanStatus === b.scanStatus
  );
}

/**
 * Groups references by image_id. Tags of one content may report different listing values (one
 * tag listed before a rescan finished): the reference with the latest scan time speaks for the
 * content, ties going to the first listed, so the choice is stable from run to run.
 */
export function groupContents(refs: readonly ImageListing[]): Content[] {
  const byId = new Map<string, Content>();
  for (const ref of refs) {
    const existing = byId.get(ref.imageId);
    if (!existing) {
      byId.set(ref.imageId, { imageId: ref.imageId, signal: signalOf(ref), references: 1 });
      continue;
    }
    existing.references++;
    if ((ref.latestScanTime ?? -1) > (existing.signal.latestScanTime ?? -1)) existing.signal = signalOf(ref);
  }
  return [...byId.values()];
}

/**
 * Whether HSS holds baseline results for an image: its scan succeeded, or an earlier scan
 * completed (latest_scan_time set) and the image keeps those results while it is rescanned or
 * after a failed rescan. Never-scanned images (`unscan`, `waiting_for_scan` without a scan time)
 * have none, so no call is spent on them. An absent status is given the benefit of the doubt.
 */
export function hasResults(signal: ListingSignal): boolean {
  if (signal.scanStatus === null || signal.scanStatus === 'success') return true;
  return (signal.latestScanTime ?? 0) > 0;
}

/** A stable number in [0, 1) from an image_id (FNV-1a), to spread age-based refreshes. */
export function spreadOf(imageId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < imageId.length; i++) {
    h ^= imageId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}

/**
 * The age after which this content's unchanged results are refetched: between 75% and 100% of
 * maxAgeMs, fixed per image, so contents fetched together do not all come due in the same run.
 */
export function refreshAgeMs(imageId: string, maxAgeMs: number): number {
  return Math.floor(maxAgeMs * (0.75 + 0.25 * spreadOf(imageId)));
}

export interface PlanInput {
  inventory: readonly ImageListing[];
  stored: ReadonlyMap<string, StoredContent>;
  nowMs: number;
  maxResultAgeMs: number;
}

/** Decides, per content, whether to fetch (and why), record as not scanned, or leave alone. */
export function planFetches(input: PlanInput): Plan {
  const contents = groupContents(input.inventory);
  const fresh: FetchTask[] = [];
  const changed: FetchTask[] = [];
  const stale: { task: FetchTask; fetchedAt: number }[] = [];
  const notScanned: Plan['notScanned'] = [];
  let upToDate = 0;

  for (const c of contents) {
    const s = input.stored.get(c.imageId);
    if (!hasResults(c.signal)) {
      if (!s || s.removedAt !== null || !sameSignal(s.fetchedSignal, c.signal)) {
        notScanned.push({ imageId: c.imageId, signal: c.signal });
      } else upToDate++;
      continue;
    }
    if (!s || s.removedAt !== null || s.fetchedAt === null) {
      fresh.push({ imageId: c.imageId, signal: c.signal, reason: 'new' });
    } else if (s.outcome !== 'fetched' || !sameSignal(s.fetchedSignal, c.signal)) {
      changed.push({ imageId: c.imageId, signal: c.signal, reason: 'changed' });
    } else if (input.nowMs - s.fetchedAt.getTime() >= refreshAgeMs(c.imageId, input.maxResultAgeMs)) {
      stale.push({
        task: { imageId: c.imageId, signal: c.signal, reason: 'stale' },
        fetchedAt: s.fetchedAt.getTime(),
      });
    } else upToDate++;
  }
  stale.sort((a, b) => a.fetchedAt - b.fetchedAt || (a.task.imageId < b.task.imageId ? -1 : 1));
  return { contents, tasks: [...fresh, ...changed, ...stale.map((s) => s.task)], notScanned, upToDate };
}

/** What paging observed, for the completeness verdict. */
export interface InventoryObservation {
  /** total_num of the first and of the last page fetched. */
  firstTotal: number | null;
  lastTotal: number | null;
  /** Every page up to total_num was fetched without error. */
  allPagesFetched: boolean;
  /** Rows received (including duplicates; rows skipped as invalid are not received). */
  rowsReceived: number;
  /** Items set aside (schema-invalid, or without image_id): listed upstream, unknown here. */
  itemsSetAside: number;
  /** Distinct references kept. */
  distinctReferences: number;
  /** Pages that brought fewer rows than asked for although total_num promised more. */
  shortPages: number;
  /** Paging stopped at the API's largest offset (2,000,000) before total_num. */
  hitOffsetCap: boolean;
}

/** An observation before the first page. */
export function emptyObservation(): InventoryObservation {
  return {
    firstTotal: null,
    lastTotal: null,
    allPagesFetched: false,
    rowsReceived: 0,
    itemsSetAside: 0,
    distinctReferences: 0,
    shortPages: 0,
    hitOffsetCap: false,
  };
}

export interface InventoryVerdict {
  complete: boolean;
  /** Why it is not complete (secret-free, for the ledger). */
  reason: string | null;
}

/**
 * Retire on proof only: an inventory is complete when every page came, total_num did not move
 * between the first and the last page, and the distinct references number exactly total_num.
 */
export function judgeInventory(o: InventoryObservation): InventoryVerdict {
  if (!o.allPagesFetched) {
    const why = o.hitOffsetCap
      ? ' (stopped at the largest offset the API accepts)'
      : o.lastTotal !== null && o.rowsReceived < o.lastTotal
        ? ` (paging ended after ${o.rowsReceived} of ${o.lastTotal} rows)`
        : '';
    return { complete: false, reason: `not every page of the image list was fetched${why}` };
  }
  if (o.firstTotal === null || o.lastTotal === null)
    return { complete: false, reason: 'no page was fetched' };
  if (o.firstTotal !== o.lastTotal) {
    return { complete: false, reason: `total_num moved from ${o.firstTotal} to ${o.lastTotal} while paging` };
  }
  if (setAsideExplainsGap(o)) {
    return {
      complete: false,
      reason: `${o.itemsSetAside} listed item(s) set aside (schema-invalid or without image_id): what they list is unknown`,
    };
  }
  if (o.distinctReferences !== o.firstTotal) {
    const dups = o.rowsReceived - o.distinctReferences;
    return {
      complete: false,
      reason: `${o.distinctReferences} distinct images listed but total_num is ${o.firstTotal}${dups > 0 ? ` (${dups} duplicate row(s) across pages)` : ''}`,
    };
  }
  return { complete: true, reason: null };
}

/**
 * Whether paging the scope once more may give a complete inventory: the pages all answered, yet
 * total_num moved, rows repeated, or pages came short, which is what paging looks like while the
 * listing changes underneath. Not after a page error (the error decides) nor at the offset cap
 * (a second pass would stop there too).
 */
export function shouldRepage(o: InventoryObservation, verdict: InventoryVerdict): boolean {
  // Items set aside would be set aside again: another pass would only cost calls.
  return !verdict.complete && o.firstTotal !== null && !o.hitOffsetCap && !setAsideExplainsGap(o);
}

/** Every page came with a stable total, and the items set aside are exactly what is missing. */
function setAsideExplainsGap(o: InventoryObservation): boolean {
  return (
    o.allPagesFetched &&
    o.itemsSetAside > 0 &&
    o.firstTotal !== null &&
    o.firstTotal === o.lastTotal &&
    o.distinctReferences + o.itemsSetAside === o.firstTotal
  );
}

export interface RetireDecision {
  /** Contents to retire now (empty when not allowed). */
  retire: string[];
  /** Contents that vanished (whether or not retired). */
  missing: string[];
  /** Why nothing was retired although something vanished. */
  blockedReason: string | null;
}

/**
 * Contents stored as present but absent from a complete inventory vanished upstream. A large
 * loss at once (more than `maxFraction` of the scope and more than 2 images) looks like an
 * upstream fault rather than deletions: it is held back unless the operator allows it.
 */
export function decideRetirement(input: {
  verdict: InventoryVerdict;
  storedPresent: readonly string[];
  listed: ReadonlySet<string>;
  maxFraction: number;
  allowMassRetire: boolean;
}): RetireDecision {
  const missing = input.storedPresent.filter((id) => !input.listed.has(id));
  if (missing.length === 0) return { retire: [], missing, blockedReason: null };
  if (!input.verdict.complete) {
    return {
      retire: [],
      missing,
      blockedReason: `inventory incomplete (${input.verdict.reason}); nothing retired`,
    };
  }
  const limit = Math.max(2, Math.floor(input.maxFraction * input.storedPresent.length));
  if (missing.length > limit && !input.allowMassRetire) {
    return {
      retire: [],
      missing,
      blockedReason: `${missing.length} of ${input.storedPresent.length} images vanished at once (more than HSS_MAX_RETIRE_FRACTION=${input.maxFraction}); nothing retired; set HSS_ALLOW_MASS_RETIRE=true to retire them`,
    };
  }
  return { retire: missing, missing, blockedReason: null };
}

/** Seconds needed to fetch `pending` images at `perMinute` calls per minute. */
export function etaSeconds(pending: number, perMinute: number): number {
  if (pending <= 0) return 0;
  return Math.ceil((pending * 60) / Math.max(1, perMinute));
}

/** Severities from worst to least; an unknown or absent severity ranks after every known one. */
export const SEVERITY_ORDER = ['Critical', 'High', 'Medium', 'Low', 'Security'] as const;

export function severityRank(severity: string | null | undefined): number {
  const i = SEVERITY_ORDER.indexOf((severity ?? '') as (typeof SEVERITY_ORDER)[number]);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

/** One unit of drill-down work (an image's rules, or a rule's values on one image). */
export interface DrillWork {
  /** Stable tie-break (image id, or image id and rule key). */
  id: string;
  /** Nothing of this kind was ever stored for the image. */
  neverFetched: boolean;
  /** The worst severity at stake (the rule's, or the image's worst failing baseline's). */
  severity: string | null;
  /** When what is stored was fetched (epoch ms); null = never. */
  fetchedAt: number | null;
}

/**
 * The order of a drill-down lane, the most valuable work first: images never fetched, then the
 * worst severities, then the stalest, then by id so the order is stable from run to run.
 */
export function drillWorkOrder(a: DrillWork, b: DrillWork): number {
  if (a.neverFetched !== b.neverFetched) return a.neverFetched ? -1 : 1;
  const s = severityRank(a.severity) - severityRank(b.severity);
  if (s !== 0) return s;
  const f = (a.fetchedAt ?? Number.NEGATIVE_INFINITY) - (b.fetchedAt ?? Number.NEGATIVE_INFINITY);
  if (f !== 0 && !Number.isNaN(f)) return f;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * HSS_RULE_VALUES: whether the failed rules' per-image current values (one
 * ShowImageCheckRuleDetail call per image and failed rule) are fetched.
 */
export const RULE_VALUES = ['off', 'all'] as const;
export type RuleValuesMode = (typeof RULE_VALUES)[number];
