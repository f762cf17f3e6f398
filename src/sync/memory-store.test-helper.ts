/**
 * The SyncStore in memory, for run-level unit tests (no PostgreSQL): the ledger, the inventory,
 * the content states, the current summaries and rules (versions counted as the database counts
 * them: one opened per new or changed key, one closed per changed or gone key), the rule
 * descriptions, the per-image rule values, a simple coverage count. Every operation is logged in
 * order; `fault` fails a chosen one.
 */

import { imageRefKey } from '../db/ref-key.js';
import type { RuleValuesCursor } from '../db/rules/values.js';
import {
  COVERAGE_STATES,
  type CoverageCounts,
  type CoverageState,
  type ImageListing,
  type ImageResultItem,
  type ImageRuleRef,
  type ImageRuleValues,
  type RiskConfig,
  type RuleKey,
  type RuleResult,
  type Scope,
} from '../domain.js';
import { DbError } from '../errors.js';
import type { StoredContent } from './plan.js';
import type {
  ImageRulesItem,
  MaintenanceWork,
  RulesDue,
  RunOutcome,
  ScopeOutcome,
  SyncStore,
} from './store.js';

const scopeKey = (s: Scope) => `${s.projectId}/${s.enterpriseProjectId}/${s.imageType}`;
const imageKey = (s: Scope, imageId: string) => `${scopeKey(s)}|${imageId}`;
const ruleKeyId = (k: RuleKey) => JSON.stringify([k.checkName, k.checkType, k.standard, k.checkRuleId]);

export interface MemoryRun {
  runId: string;
  startedAt: Date;
  trigger: string;
  status: string;
  outcome: RunOutcome | null;
}

export interface MemoryScopeRun {
  runId: string;
  scope: string;
  outcome: ScopeOutcome | null;
}

/** Versions opened and closed when `before` is replaced by `after` (keyed, compared by value). */
function diff<T>(before: readonly T[], after: readonly T[], key: (t: T) => string) {
  const old = new Map(before.map((r) => [key(r), JSON.stringify(r)]));
  const now = new Map(after.map((r) => [key(r), JSON.stringify(r)]));
  let versionsOpened = 0;
  let versionsClosed = 0;
  for (const [k, v] of now) if (old.get(k) !== v) versionsOpened++;
  for (const [k, v] of old) if (now.get(k) !== v) versionsClosed++;
  return { versionsOpened, versionsClosed };
}

const resultKey = (r: RiskConfig) => JSON.stringify([r.checkName, r.checkType, r.standard]);
const ruleResultKey = (r: RuleResult) => ruleKeyId(r);

export class MemoryStore implements SyncStore {
  readonly runs = new Map<string, MemoryRun>();
  readonly scopeRuns: MemoryScopeRun[] = [];
  /** Present references per scope, by reference key (imageRefKey), as upserted last. */
  readonly refs = new Map<string, Map<string, ImageListing>>();
  readonly inventories: { scope: string; complete: boolean; imageCount: number }[] = [];
  readonly contents = new Map<string, StoredContent & { scope: Scope; imageId: string }>();
  readonly results = new Map<string, RiskConfig[]>();
  readonly rules = new Map<
    string,
    { signature: string; mode: string; rules: RuleResult[]; source: string; scannedAt: number | null }
  >();
  readonly descriptions = new Map<string, Date>();
  /** When the version in force of each rule of each image opened: `<image key>|<rule key>`. */
  readonly ruleSince = new Map<string, Date>();
  /** Per-image rule values: `<image key>|<rule key>`. */
  readonly values = new Map<string, { at: Date; runId: string; item: ImageRuleValues }>();
  /** The summaries' source of each image (ImageResultItem.source). */
  readonly sources = new Map<string, string>();
  /** Every operation, in order: `startRun`, `startScopeRun <scope>`, `maintain`, ... */
  readonly log: string[] = [];
  /** Fails the operation it returns an error for (its name as logged, without arguments). */
  fault: (op: string) => Error | undefined = () => undefined;
  /** What `maintain` answers. */
  maintenance: MaintenanceWork = { dailyDays: 1, pruned: { facts: 0, posture: 0, runs: 0, versions: 0 } };

  private op(name: string, detail?: string): void {
    this.log.push(detail ? `${name} ${detail}` : name);
    const err = this.fault(name);
    if (err) throw err;
  }

  async reapAbandonedRuns(): Promise<string[]> {
    this.op('reapAbandonedRuns');
    return [];
  }
  async startRun(run: { runId: string; startedAt: Date; trigger: string }): Promise<void> {
    this.op('startRun');
    this.runs.set(run.runId, { ...run, status: 'running', outcome: null });
  }
  async finishRun(runId: string, outcome: RunOutcome): Promise<void> {
    this.op('finishRun', outcome.status);
    const run = this.runs.get(runId);
    if (!run) throw new DbError(`finishRun failed: no run ${runId}`);
    run.status = outcome.status;
    run.outcome = outcome;
  }
  async maintain(): Promise<MaintenanceWork> {
    this.op('maintain');
    return this.maintenance;
  }
  async recordRunProgress(): Promise<void> {
    this.op('recordRunProgress');
  }
  async startScopeRun(runId: string, scope: Scope): Promise<void> {
    this.op('startScopeRun', scopeKey(scope));
    this.scopeRuns.push({ runId, scope: scopeKey(scope), outcome: null });
  }
  async finishScopeRun(runId: string, scope: Scope, outcome: ScopeOutcome): Promise<void> {
    this.op('finishScopeRun', `${scopeKey(scope)} ${outcome.status}`);
    const row = this.scopeRuns.find((r) => r.runId === runId && r.scope === scopeKey(scope));
    if (!row) throw new DbError('finishScopeRun failed: no scope run');
    row.outcome = outcome;
  }
  async recordScopeEtas(runId: string, etas: { scope: Scope; etaSeconds: number }[]): Promise<void> {
    for (const e of etas) {
      const row = this.scopeRuns.find((r) => r.runId === runId && r.scope === scopeKey(e.scope));
      if (row?.outcome) row.outcome = { ...row.outcome, etaSeconds: e.etaSeconds };
    }
  }
  async upsertImageRefs(scope: Scope, refs: ImageListing[]): Promise<void> {
    this.op('upsertImageRefs', scopeKey(scope));
    const present = this.refs.get(scopeKey(scope)) ?? new Map<string, ImageListing>();
    for (const ref of refs) present.set(imageRefKey(ref), ref);
    this.refs.set(scopeKey(scope), present);
  }
  async recordScopeInventory(
    scope: Scope,
    _runId: string,
    _at: Date,
    inv: { complete: boolean; imageCount: number },
  ): Promise<void> {
    this.op('recordScopeInventory', scopeKey(scope));
    this.inventories.push({ scope: scopeKey(scope), ...inv });
  }
  async loadContentStates(scope: Scope): Promise<Map<string, StoredContent>> {
    this.op('loadContentStates', scopeKey(scope));
    const out = new Map<string, StoredContent>();
    for (const c of this.contents.values()) {
      if (scopeKey(c.scope) !== scopeKey(scope)) continue;
      out.set(c.imageId, {
        fetchedSignal: c.fetchedSignal,
        fetchedAt: c.fetchedAt,
        outcome: c.outcome,
        removedAt: c.removedAt,
      });
    }
    return out;
  }
  async writeImageResults(_runId: string, at: Date, items: ImageResultItem[]) {
    this.op('writeImageResults', items.map((i) => i.imageId).join(','));
    const total = { versionsOpened: 0, versionsClosed: 0 };
    for (const item of items) {
      const k = imageKey(item.scope, item.imageId);
      this.contents.set(k, {
        scope: item.scope,
        imageId: item.imageId,
        fetchedSignal: item.signal,
        fetchedAt: at,
        outcome: item.outcome,
        removedAt: null,
      });
      if (item.outcome !== 'fetched') continue;
      this.sources.set(k, item.source);
      const d = diff(this.results.get(k) ?? [], item.results, resultKey);
      total.versionsOpened += d.versionsOpened;
      total.versionsClosed += d.versionsClosed;
      this.results.set(k, item.results);
    }
    return total;
  }
  async retireContents(
    scope: Scope,
    _runId: string,
    at: Date,
    what: { missingImageIds: string[]; presentRefKeys: string[] },
  ): Promise<{ contentsRetired: number; versionsClosed: number }> {
    this.op('retireContents', scopeKey(scope));
    const listed = new Set(what.presentRefKeys);
    const present = this.refs.get(scopeKey(scope)) ?? new Map<string, ImageListing>();
    for (const key of [...present.keys()]) if (!listed.has(key)) present.delete(key);
    let contentsRetired = 0;
    let versionsClosed = 0;
    for (const id of what.missingImageIds) {
      const k = imageKey(scope, id);
      const c = this.contents.get(k);
      if (!c || c.removedAt) continue;
      c.removedAt = at;
      contentsRetired++;
      versionsClosed += this.results.get(k)?.length ?? 0;
      this.results.delete(k);
      // Its rules close and their state goes: when it comes back, its rules are due again.
      this.rules.delete(k);
      for (const id of [...this.ruleSince.keys()]) if (id.startsWith(`${k}|`)) this.ruleSince.delete(id);
    }
    return { contentsRetired, versionsClosed };
  }

  /** The signature of an image's current summaries and its failing baselines (src/db/rules/due.ts). */
  private dueOf(scope: Scope, imageId: string, mode: string): RulesDue | null {
    const k = imageKey(scope, imageId);
    const c = this.contents.get(k);
    if (!c || c.removedAt || c.outcome !== 'fetched') return null;
    const results = [...(this.results.get(k) ?? [])].sort((a, b) => (resultKey(a) < resultKey(b) ? -1 : 1));
    const signature = JSON.stringify(results.map((r) => [resultKey(r), r.checkRuleNum, r.failedRuleNum]));
    const state = this.rules.get(k);
    if (state && state.signature === signature && state.mode === mode) return null;
    const failing = results
      .filter((r) => (r.failedRuleNum ?? 0) > 0)
      .map((r) => ({ checkName: r.checkName, standard: r.standard }));
    return { imageId, signature, failing, scannedAt: c.fetchedSignal.latestScanTime };
  }
  async loadRulesDue(scope: Scope, mode: 'failed' | 'all'): Promise<RulesDue[]> {
    this.op('loadRulesDue', scopeKey(scope));
    const ids = [...this.contents.values()]
      .filter((c) => scopeKey(c.scope) === scopeKey(scope))
      .map((c) => c.imageId);
    return ids.sort().flatMap((id) => this.dueOf(scope, id, mode) ?? []);
  }
  async loadRulesDueFor(
    scope: Scope,
    mode: 'failed' | 'all',
    imageIds: readonly string[],
  ): Promise<RulesDue[]> {
    this.op('loadRulesDueFor', scopeKey(scope));
    return [...imageIds].sort().flatMap((id) => this.dueOf(scope, id, mode) ?? []);
  }
  async writeImageRules(_runId: string, at: Date, items: ImageRulesItem[]) {
    this.op('writeImageRules', items.map((i) => i.imageId).join(','));
    const total = { versionsOpened: 0, versionsClosed: 0 };
    for (const item of items) {
      if (item.rules.some((r) => r.checkRuleId === '')) throw new DbError('a rule without check_rule_id');
      const k = imageKey(item.scope, item.imageId);
      const prior = this.rules.get(k);
      const before = prior?.rules ?? [];
      if (item.complete === false) {
        // Incomplete: open what came, close nothing, leave the image due (as the writer does).
        const merged = new Map(before.map((r) => [ruleResultKey(r), r]));
        for (const r of item.rules) merged.set(ruleResultKey(r), r);
        const d = diff(before, [...merged.values()], ruleResultKey);
        total.versionsOpened += d.versionsOpened;
        // The rule state is not recorded: a prior one stays as it was (due stays due).
        const { source, scannedAt } = item;
        const state = prior ?? { signature: '', mode: item.mode };
        const { signature, mode } = state;
        this.rules.set(k, { signature, mode, rules: [...merged.values()], source, scannedAt });
        continue;
      }
      const d = diff(before, item.rules, ruleResultKey);
      total.versionsOpened += d.versionsOpened;
      total.versionsClosed += d.versionsClosed;
      const old = new Map(before.map((r) => [ruleResultKey(r), JSON.stringify(r)]));
      for (const r of item.rules) {
        if (old.get(ruleResultKey(r)) !== JSON.stringify(r)) this.ruleSince.set(`${k}|${ruleKeyId(r)}`, at);
      }
      const { signature, mode, rules, source, scannedAt } = item;
      this.rules.set(k, { signature, mode, rules, source, scannedAt });
    }
    return total;
  }
  private descriptionDue(k: RuleKey, staleBefore: Date): boolean {
    const at = this.descriptions.get(ruleKeyId(k));
    return at === undefined || at < staleBefore;
  }
  async loadDescriptionsDue(scope: Scope, staleBefore: Date): Promise<RuleKey[]> {
    this.op('loadDescriptionsDue', scopeKey(scope));
    const keys = new Map<string, RuleKey>();
    for (const [k, state] of this.rules) {
      if (!k.startsWith(`${scopeKey(scope)}|`)) continue;
      for (const r of state.rules) if (this.descriptionDue(r, staleBefore)) keys.set(ruleKeyId(r), r);
    }
    return [...keys.values()];
  }
  async filterDescriptionsDue(keys: readonly RuleKey[], staleBefore: Date): Promise<RuleKey[]> {
    this.op('filterDescriptionsDue');
    return keys.filter((k) => this.descriptionDue(k, staleBefore));
  }
  /** A page of the failed rules of the scope's current rules whose values are missing or older than the rule. */
  async loadRuleValuesDue(
    scope: Scope,
    after: RuleValuesCursor | null,
    limit: number,
  ): Promise<ImageRuleRef[]> {
    this.op('loadRuleValuesDue', scopeKey(scope));
    const all = await this.allRuleValuesDue(scope);
    const cmp = (a: string[], b: string[]) => {
      for (let i = 0; i < a.length; i++)
        if (a[i] !== b[i]) return (a[i] as string) < (b[i] as string) ? -1 : 1;
      return 0;
    };
    const row = (imageId: string, k: RuleKey) => [
      imageId,
      k.checkName,
      k.checkType,
      k.standard,
      k.checkRuleId,
    ];
    return all
      .sort((a, b) => cmp(row(a.image.imageId, a.key), row(b.image.imageId, b.key)))
      .filter((r) => after === null || cmp(row(r.image.imageId, r.key), row(after.imageId, after.key)) > 0)
      .slice(0, limit);
  }

  private async allRuleValuesDue(scope: Scope): Promise<ImageRuleRef[]> {
    const refs = [...(this.refs.get(scopeKey(scope))?.values() ?? [])];
    const out: ImageRuleRef[] = [];
    for (const [k, state] of [...this.rules].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!k.startsWith(`${scopeKey(scope)}|`)) continue;
      const imageId = k.slice(scopeKey(scope).length + 1);
      const c = this.contents.get(k);
      if (!c || c.removedAt) continue;
      const ref = refs.find((r) => r.imageId === imageId);
      const image = {
        imageId,
        namespace: ref?.namespace ?? null,
        imageName: ref?.imageName ?? null,
        imageVersion: ref?.imageVersion ?? null,
        instanceId: ref?.instanceId ?? null,
      };
      for (const r of state.rules) {
        if (r.scanResult !== 'failed') continue;
        const id = `${k}|${ruleKeyId(r)}`;
        const v = this.values.get(id);
        const since = this.ruleSince.get(id);
        if (v && since && v.at >= since) continue;
        const key = {
          checkName: r.checkName,
          checkType: r.checkType,
          standard: r.standard,
          checkRuleId: r.checkRuleId,
        };
        out.push({ scope, image, key });
      }
    }
    return out;
  }

  async upsertRuleValues(runId: string, at: Date, items: ImageRuleValues[]): Promise<void> {
    this.op('upsertRuleValues', items.map((i) => `${i.key.checkRuleId}@${i.imageId}`).join(','));
    for (const item of items) {
      this.values.set(`${imageKey(item.scope, item.imageId)}|${ruleKeyId(item.key)}`, { at, runId, item });
    }
  }

  /**
   * The coverage of each listed image of the scopes, as hss.image_coverage decides it
   * (hss_internal.coverage_state) from the reference with the latest scan: the first that holds
   * of scan_failed, not_scanned, pending (not fetched for that scan), no_results, inconsistent
   * (unsafe_setting_num > 0 and no failing summary, or 0 and one), covered.
   */
  async countCoverage(scopes: readonly Scope[]): Promise<CoverageCounts> {
    this.op('countCoverage', scopes.map(scopeKey).join(','));
    const counts = Object.fromEntries(COVERAGE_STATES.map((s) => [s, 0])) as CoverageCounts;
    for (const scope of scopes) {
      const latest = new Map<string, ImageListing>();
      for (const ref of this.refs.get(scopeKey(scope))?.values() ?? []) {
        const seen = latest.get(ref.imageId);
        if (!seen || (ref.latestScanTime ?? -1) > (seen.latestScanTime ?? -1)) latest.set(ref.imageId, ref);
      }
      for (const ref of latest.values()) counts[this.coverageOf(scope, ref)]++;
    }
    return counts;
  }

  private coverageOf(scope: Scope, ref: ImageListing): CoverageState {
    const k = imageKey(scope, ref.imageId);
    const c = this.contents.get(k);
    if (ref.scanStatus === 'failed') return 'scan_failed';
    const unscanned = ['unscan', 'waiting_for_scan', 'scanning'];
    if ((ref.scanStatus !== null && unscanned.includes(ref.scanStatus)) || ref.latestScanTime === null)
      return 'not_scanned';
    const fetchedScan = c?.fetchedSignal.latestScanTime ?? null;
    if (
      !c ||
      c.removedAt ||
      c.outcome !== 'fetched' ||
      fetchedScan === null ||
      fetchedScan < ref.latestScanTime
    )
      return 'pending';
    const results = this.results.get(k) ?? [];
    if (results.length === 0) return 'no_results';
    const failing = results.some((r) => (r.failedRuleNum ?? 0) > 0);
    const unsafe = ref.unsafeSettingNum;
    if ((unsafe !== null && unsafe > 0 && !failing) || (unsafe === 0 && failing)) return 'inconsistent';
    return 'covered';
  }

  async upsertRuleDescription(key: RuleKey, _detail: unknown, at: Date): Promise<void> {
    this.op('upsertRuleDescription', key.checkRuleId);
    this.descriptions.set(ruleKeyId(key), at);
  }
}
