/**
 * The simulated HSS data and the control methods tests call between syncs. The world is built
 * from the seed alone (never from the clock), so two worlds with one seed are equal; the clock
 * only stamps later rescans and additions.
 */
import type { Clock } from '../clock.js';
import { IMAGE_TYPES, type ImageType, type RuleResult, type ScanStatus } from '../domain.js';
import { makeRows, rescanRows, rowToTruth } from './baseline.js';
import type { CoverageShares } from './coverage.js';
import { refToRow, tagCounts } from './listing-row.js';
import { hashSeed, Rng } from './prng.js';
import { checkRulesOfContent, rulesOfContent } from './rule-gen.js';
import type { RiskConfigTruth, SimImagePartial, SimImageRow, SimScope } from './types.js';
import {
  contentsInOrder,
  dataImageType,
  generateScope,
  makeContent,
  makeRef,
  refKey,
  type ScopeData,
  type SimContent,
} from './world-gen.js';

/**
 * How ListImageRiskConfigs answers image_type=cicd: `empty` (default) as its official definition
 * says of a value outside its range; `seed` with the cicd images' summaries, as the seed's own
 * example (`image_type=cicd`) shows.
 */
export type CicdRiskConfigs = 'empty' | 'seed';

/** The image types whose rule results ListImageRiskConfigRules serves (its SDK definition). */
export const RULES_API_TYPES: readonly ImageType[] = [
  'private_image',
  'shared_image',
  'local_image',
  'instance_image',
];
/** The image types whose rule results ListCheckRulesInfo serves (its SDK definition). */
export const CHECK_RULES_API_TYPES: readonly ImageType[] = ['cicd', 'registry'];

export interface SimWorldOptions {
  /** default 1 */
  seed?: number;
  /** default [{ projectId: 'proj-demo', enterpriseProjects: ['0'] }] */
  projects?: { projectId: string; enterpriseProjects: string[] }[];
  /** default every IMAGE_TYPES entry */
  imageTypes?: ImageType[];
  /** default 40 */
  imagesPerScope?: number;
  /** Shares of the coverage cases (coverage.ts); default DEFAULT_COVERAGE_SHARES. */
  coverage?: CoverageShares;
  /** default 'empty' */
  cicdRiskConfigs?: CicdRiskConfigs;
  clock: Clock;
}

const SEP = '\u0001';

export class SimWorld {
  private readonly data = new Map<string, ScopeData>();
  private readonly scopeList: SimScope[] = [];
  private readonly projects: { projectId: string; enterpriseProjects: string[] }[];
  private readonly clock: Clock;
  /** How ListImageRiskConfigs answers image_type=cicd (see CicdRiskConfigs). */
  cicdRiskConfigs: CicdRiskConfigs;

  constructor(options: SimWorldOptions) {
    const seed = options.seed ?? 1;
    this.clock = options.clock;
    this.cicdRiskConfigs = options.cicdRiskConfigs ?? 'empty';
    this.projects = (options.projects ?? [{ projectId: 'proj-demo', enterpriseProjects: ['0'] }]).map(
      (p) => ({
        projectId: p.projectId,
        enterpriseProjects: [...p.enterpriseProjects],
      }),
    );
    const imageTypes = [...new Set(options.imageTypes ?? IMAGE_TYPES)];
    const perScope = options.imagesPerScope ?? 40;
    for (const p of this.projects) {
      for (const ep of p.enterpriseProjects) {
        for (const imageType of imageTypes) {
          this.scopeList.push({ projectId: p.projectId, enterpriseProjectId: ep, imageType });
          const key = this.key(p.projectId, ep, imageType);
          if (this.data.has(key)) continue;
          // Each scope has its own stream: adding a project or type never changes another scope.
          const rng = new Rng(hashSeed(seed, p.projectId, ep, dataImageType(imageType)));
          const coverageRng = new Rng(hashSeed(seed, p.projectId, ep, dataImageType(imageType), 'coverage'));
          this.data.set(key, generateScope(imageType, perScope, rng, coverageRng, options.coverage));
        }
      }
    }
  }

  private key(projectId: string, ep: string, imageType: ImageType): string {
    return [projectId, ep, dataImageType(imageType)].join(SEP);
  }

  /** The populated scopes, in (project, EP, image type) order. */
  scopes(): SimScope[] {
    return this.scopeList.map((s) => ({ ...s }));
  }

  /** Enterprise projects of a project (undefined for an unknown project). For the API handlers. */
  enterpriseProjects(projectId: string): string[] | undefined {
    return this.projects.find((p) => p.projectId === projectId)?.enterpriseProjects.slice();
  }

  /** The data behind a scope ('local' and 'local_image' share one), or undefined. For the API handlers. */
  scopeData(projectId: string, ep: string, imageType: ImageType): ScopeData | undefined {
    return this.data.get(this.key(projectId, ep, imageType));
  }

  private mustScope(scope: SimScope): ScopeData {
    const d = this.scopeData(scope.projectId, scope.enterpriseProjectId, scope.imageType);
    if (!d) {
      throw new Error(
        `no such simulator scope ${scope.projectId}/${scope.enterpriseProjectId}/${scope.imageType}`,
      );
    }
    return d;
  }

  private mustContent(data: ScopeData, imageId: string): SimContent {
    const c = data.refs.find((r) => r.content.imageId === imageId)?.content;
    if (!c) throw new Error(`no image ${imageId} in the simulator scope`);
    return c;
  }

  /** The image references (list rows) of a scope, in listing order, as the list API serves them. */
  images(scope: SimScope): SimImageRow[] {
    const d = this.mustScope(scope);
    const tags = tagCounts(d);
    return d.refs.map((r) => refToRow(r, d.flavour, tags.get(r.content)));
  }

  /**
   * The baseline summaries per image_id (normalised, see RiskConfigTruth), for every image that
   * has results, in listing order; images without results are absent. What ListImageRiskConfigs
   * returns for the types it serves, and for cicd what its ListCheckRulesInfo rule results add
   * up to (rows, failed rows, worst failed severity; see checkRulesOfRow) — and what
   * ListImageRiskConfigs returns for cicd with cicdRiskConfigs 'seed'.
   */
  groundTruth(scope: SimScope): Map<string, RiskConfigTruth[]> {
    const out = new Map<string, RiskConfigTruth[]>();
    for (const c of contentsInOrder(this.mustScope(scope))) {
      if (c.rows.length > 0) out.set(c.imageId, c.rows.map(rowToTruth));
    }
    return out;
  }

  /**
   * Every rule result per image_id of the scope, for every image that has results, in listing
   * order, as the rule API of the scope's type serves them: ListImageRiskConfigRules (rules.ts)
   * for private_image, shared_image, local_image and instance_image, ListCheckRulesInfo
   * (check-rules.ts: severities in its range, check_type_desc set) for cicd and registry. Empty
   * for `local`: no API documents rule results for it.
   */
  ruleTruth(scope: SimScope): Map<string, RuleResult[]> {
    const out = new Map<string, RuleResult[]>();
    const served = RULES_API_TYPES.includes(scope.imageType);
    const checkRules = CHECK_RULES_API_TYPES.includes(scope.imageType);
    if (!served && !checkRules) return out;
    for (const c of contentsInOrder(this.mustScope(scope))) {
      if (c.rows.length > 0) out.set(c.imageId, served ? rulesOfContent(c) : checkRulesOfContent(c));
    }
    return out;
  }

  /**
   * Rescans images: the given image_ids, or `n` chosen by the scope's seeded PRNG (default 1).
   * Each gets scan_status success and latest_scan_time = clock.now() (at least old + 1), and at
   * least one row changes failed_rule_num and severity (an image without results gets fresh
   * ones). Every tag of the content sees it. Returns the rescanned image_ids in listing order.
   */
  rescan(scope: SimScope, imageIds: string[] | number = 1): string[] {
    const d = this.mustScope(scope);
    const all = contentsInOrder(d);
    let chosen: Set<SimContent>;
    if (typeof imageIds === 'number') {
      chosen = new Set(d.rng.shuffle(all).slice(0, Math.max(0, imageIds)));
    } else {
      chosen = new Set(imageIds.map((id) => this.mustContent(d, id)));
    }
    const now = this.clock.now();
    const done: string[] = [];
    for (const c of all) {
      if (!chosen.has(c)) continue;
      c.latestScanTime = Math.max(now, (c.latestScanTime ?? 0) + 1);
      c.scanStatus = 'success';
      c.scanFailedCode = '';
      // A fresh scan agrees with its listing.
      c.inconsistent = false;
      if (c.rows.length === 0) c.rows = makeRows(d.rng);
      else rescanRows(d.rng, c.rows);
      done.push(c.imageId);
    }
    return done;
  }

  /**
   * Adds an image: a new content (scanned now, with results) and one reference, appended to the
   * listing. With `partial.image_id` of an existing content it adds another tag of that content.
   * Returns the image_id.
   */
  addImage(scope: SimScope, partial: SimImagePartial = {}): string {
    const d = this.mustScope(scope);
    const existing = partial.image_id
      ? d.refs.find((r) => r.content.imageId === partial.image_id)
      : undefined;
    if (existing) {
      const hosts = new Set(d.refs.filter((r) => r.content === existing.content).map((r) => r.hostId));
      d.refs.push(makeRef(d, existing.content, partial, existing, hosts));
      return existing.content.imageId;
    }
    const content = makeContent(d, this.clock.now(), partial);
    d.refs.push(makeRef(d, content, partial));
    return content.imageId;
  }

  /** Removes every reference of the content `imageId`. Returns how many references went. */
  removeImage(scope: SimScope, imageId: string): number {
    const d = this.mustScope(scope);
    const before = d.refs.length;
    const gone = d.refs.filter((r) => r.content.imageId === imageId);
    d.refs = d.refs.filter((r) => r.content.imageId !== imageId);
    for (const r of gone) d.refKeys.delete(refKey(r));
    d.imageIds.delete(imageId);
    return before - d.refs.length;
  }

  /**
   * Sets scan_status of a content. unscan drops its results (latest_scan_time null) and
   * waiting_for_scan too (latest_scan_time 0); success on an image without results scans it now;
   * scanning and failed keep the results of the last scan.
   */
  setScanStatus(scope: SimScope, imageId: string, status: ScanStatus): void {
    const d = this.mustScope(scope);
    const c = this.mustContent(d, imageId);
    c.scanStatus = status;
    if (status === 'unscan' || status === 'waiting_for_scan') {
      c.rows = [];
      c.latestScanTime = status === 'unscan' ? null : 0;
    } else if (status === 'success' && c.rows.length === 0) {
      c.rows = makeRows(d.rng);
      c.latestScanTime = Math.max(this.clock.now(), (c.latestScanTime ?? 0) + 1);
    }
    c.scanFailedCode = status === 'failed' ? 'download_failed' : '';
  }

  /**
   * The coverage cases of a scope (coverage.ts), image_ids in listing order: images scanned
   * `success` without results, and images whose listing contradicts their results.
   */
  coverageCases(scope: SimScope): { noResults: string[]; inconsistent: string[] } {
    const all = contentsInOrder(this.mustScope(scope));
    return {
      noResults: all.filter((c) => c.scanStatus === 'success' && c.rows.length === 0).map((c) => c.imageId),
      inconsistent: all.filter((c) => c.inconsistent).map((c) => c.imageId),
    };
  }

  /**
   * Makes an image a coverage case: `no_results` (scanned success now, no results),
   * `inconsistent` (its listing contradicts its results) or `consistent` (the listing agrees).
   */
  setCoverage(scope: SimScope, imageId: string, state: 'no_results' | 'inconsistent' | 'consistent'): void {
    const c = this.mustContent(this.mustScope(scope), imageId);
    if (state === 'no_results') {
      c.rows = [];
      c.scanStatus = 'success';
      c.scanFailedCode = '';
      c.latestScanTime = Math.max(this.clock.now(), (c.latestScanTime ?? 0) + 1);
    }
    c.inconsistent = state === 'inconsistent';
  }

  /** Hostile kinds planted in a scope at generation (see hostile.ts). */
  hostileKinds(scope: SimScope): string[] {
    return [...this.mustScope(scope).hostileKinds];
  }
}
