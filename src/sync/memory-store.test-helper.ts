/**
 * The SyncStore in memory, for run-level unit tests (no PostgreSQL): the ledger, the inventory,
 * the content states, the current summaries and rules (versions counted as the database counts
 * them: one opened per new or changed key, one closed per changed or gone key), the rule
 * descriptions. Every operation is logged in order; `fault` fails a chosen one.
 */
import type { ImageListing, ImageResultItem, RiskConfig, RuleKey, RuleResult, Scope } from '../domain.js';
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
  readonly refs = new Map<string, ImageListing[]>();
  readonly inventories: { scope: string; complete: boolean; imageCount: number }[] = [];
  readonly contents = new Map<string, StoredContent & { scope: Scope; imageId: string }>();
  readonly results = new Map<string, RiskConfig[]>();
  readonly rules = new Map<string, { signature: string; mode: string; rules: RuleResult[] }>();
  readonly descriptions = new Map<string, Date>();
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
  async upsertImageRefs(scope: Scope, refs: ImageListing[]): Promise<void> {
    this.op('upsertImageRefs', scopeKey(scope));
    this.refs.set(scopeKey(scope), refs);
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
    what: { missingImageIds: string[] },
  ): Promise<{ contentsRetired: number; versionsClosed: number }> {
    this.op('retireContents', scopeKey(scope));
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
    return { imageId, signature, failing };
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
  async writeImageRules(_runId: string, _at: Date, items: ImageRulesItem[]) {
    this.op('writeImageRules', items.map((i) => i.imageId).join(','));
    const total = { versionsOpened: 0, versionsClosed: 0 };
    for (const item of items) {
      const k = imageKey(item.scope, item.imageId);
      const d = diff(this.rules.get(k)?.rules ?? [], item.rules, ruleResultKey);
      total.versionsOpened += d.versionsOpened;
      total.versionsClosed += d.versionsClosed;
      this.rules.set(k, { signature: item.signature, mode: item.mode, rules: item.rules });
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
  async loadRuleValuesDue(): Promise<never[]> {
    throw new Error('loadRuleValuesDue: not implemented yet (issue 14)');
  }

  async upsertRuleValues(): Promise<void> {
    throw new Error('upsertRuleValues: not implemented yet (issue 14)');
  }

  async countCoverage(): Promise<never> {
    throw new Error('countCoverage: not implemented yet (issue 14)');
  }

  async upsertRuleDescription(key: RuleKey, _detail: unknown, at: Date): Promise<void> {
    this.op('upsertRuleDescription', key.checkRuleId);
    this.descriptions.set(ruleKeyId(key), at);
  }
}
