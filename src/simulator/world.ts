/**
 * The simulated HSS data and the control methods tests call between syncs. The world is built
 * from the seed alone (never from the clock), so two worlds with one seed are equal; the clock
 * only stamps later rescans and additions.
 */
import type { Clock } from '../clock.js';
import { IMAGE_TYPES, type ImageType, type RuleResult, type ScanStatus } from '../domain.js';
import { makeRows, rescanRows, rowToTruth } from './baseline.js';
import { hashSeed, Rng } from './prng.js';
import { rulesOfContent } from './rule-gen.js';
import type { RiskConfigTruth, SimImagePartial, SimImageRow, SimScope } from './types.js';
import {
  contentsInOrder,
  dataImageType,
  generateScope,
  makeContent,
  makeRef,
  refKey,
  refToRow,
  type ScopeData,
  type SimContent,
} from './world-gen.js';

export interface SimWorldOptions {
  /** default 1 */
  seed?: number;
  /** default [{ projectId: 'proj-demo', enterpriseProjects: ['0'] }] */
  projects?: { projectId: string; enterpriseProjects: string[] }[];
  /** default every IMAGE_TYPES entry */
  imageTypes?: ImageType[];
  /** default 40 */
  imagesPerScope?: number;
  clock: Clock;
}

const SEP = '\u0001';

export class SimWorld {
  private readonly data = new Map<string, ScopeData>();
  private readonly scopeList: SimScope[] = [];
  private readonly projects: { projectId: string; enterpriseProjects: string[] }[];
  private readonly clock: Clock;

  constructor(options: SimWorldOptions) {
    const seed = options.seed ?? 1;
    this.clock = options.clock;
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
          this.data.set(key, generateScope(imageType, perScope, rng));
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
    return d.refs.map((r) => refToRow(r, d.flavour));
  }

  /**
   * What ListImageRiskConfigs returns per image_id (normalised, see RiskConfigTruth), for every
   * image that has results, in listing order. Images without results are absent.
   */
  groundTruth(scope: SimScope): Map<string, RiskConfigTruth[]> {
    const out = new Map<string, RiskConfigTruth[]>();
    for (const c of contentsInOrder(this.mustScope(scope))) {
      if (c.rows.length > 0) out.set(c.imageId, c.rows.map(rowToTruth));
    }
    return out;
  }

  /**
   * Every rule result (ListImageRiskConfigRules, see rules.ts) per image_id of the scope, for
   * every image that has results, in listing order.
   */
  ruleTruth(scope: SimScope): Map<string, RuleResult[]> {
    const out = new Map<string, RuleResult[]>();
    for (const c of contentsInOrder(this.mustScope(scope))) {
      if (c.rows.length > 0) out.set(c.imageId, rulesOfContent(c));
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
      c.scanFailedDesc = '';
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
    c.scanFailedDesc = status === 'failed' ? 'image layer download timed out' : '';
  }

  /** Hostile kinds planted in a scope at generation (see hostile.ts). */
  hostileKinds(scope: SimScope): string[] {
    return [...this.mustScope(scope).hostileKinds];
  }
}
