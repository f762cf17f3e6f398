/**
 * The rule drill-down of one scope, run beside its summaries. An image becomes due for its rules
 * the moment its summaries are written (`feed`), and the images whose rules were left due by an
 * earlier run are due from the start. Three lanes, each paced by its own API's budget, work at
 * once: `resolve` reads from the database what each fed image needs, `rules` lists the image's
 * rules through the API the image type × API matrix names (rule-fetch.ts), and `descriptions`
 * (rule-descriptions.ts) fetches ShowImageCheckRuleDetail per image for the failed rules just
 * written whose current values are due, and the descriptions missing or old. Rule rows the
 * summaries were derived from (fetch.ts) are handed over (`prefetched`) and written with no call.
 * The drill-down never takes what the summaries need: its HTTP
 * calls have a limiter of their own, and its database work goes through a narrow gate of its
 * own. What a deadline, SIGTERM or `stop()` leaves undone stays due (the stored signature still
 * differs, the description is still missing) and comes first next run.
 */

import type { Logger } from 'pino';
import type { RuleResult, RuleSource, Scope } from '../../domain.js';
import { errorSummary } from '../../errors.js';
import type { CallOptions, HssClient, QuarantineEvent } from '../../hss/types.js';
import { classifyFailure, FailureStreak, stopReason } from '../failure-policy.js';
import { GroupCommit } from '../group-commit.js';
import { Lane } from '../lane.js';
import type { Limiter } from '../limiter.js';
import type { RuleValuesMode } from '../plan.js';
import type { DrillStore, ImageRulesItem, RulesDue } from '../store.js';
import { type DrillClaims, RuleDescriptions } from './rule-descriptions.js';
import { fetchImageRules, ruleCallsOf } from './rule-fetch.js';
import { ruleSetOf } from './rule-set.js';
import { type DrillDue, type DrillResult, zeroDrillCounts } from './rules-counts.js';

/** Most fed images looked up in one query. */
const RESOLVE_BATCH = 500;

export interface DrillScopeInput {
  client: HssClient;
  store: DrillStore;
  scope: Scope;
  runId: string;
  mode: 'failed' | 'all';
  /** The scope's rule API (the matrix; a scope without one has no drill-down). */
  rules: RuleSource;
  /** ShowImageCheckRuleDetail documents the scope's image type (the matrix). */
  ruleDetail: boolean;
  /** HSS_RULE_VALUES: whether failed rules' per-image values are fetched. */
  ruleValues: RuleValuesMode;
  now: () => Date;
  /** Bounds rule calls in flight (a limiter of the drill-down's own, not the summaries'). */
  limiter: Limiter;
  /** Workers per lane of this scope. */
  concurrency: number;
  callOptions: CallOptions;
  log: Logger;
  /**
   * What the run's drill-downs have taken on (shared by the run's scopes, which drill at once
   * and would otherwise each fetch the rules they have in common).
   */
  claims: DrillClaims;
  /**
   * Every database operation of the drill-down goes through this gate (a small limiter shared
   * by the run's drill-downs), so it holds few of the pool's connections and the summaries'
   * writers keep the rest. Default: no gate.
   */
  dbGate?: Limiter;
}

/** The drill-down of one scope; see the module comment. */
export class ScopeDrill {
  readonly counts = zeroDrillCounts();
  private fatal: string | null = null;
  private yielded = false;
  private failed = 0;
  private firstError: string | null = null;
  /** Images whose rule answers were schema-invalid (quarantined): left due, not failed. */
  private quarantined = 0;
  private readonly streak = new FailureStreak();
  private ruleCallsDue = 0;
  private rowsSetAside = 0;
  /** Rule rows the summaries were derived from, by image, until the image is found due. */
  private readonly handedOver = new Map<string, { rows: RuleResult[]; scannedAt: number | null }>();
  private starting: Promise<void> | null = null;
  /** Images fed and not yet looked up. */
  private fed: string[] = [];
  private lookupQueued = false;
  private readonly writer: GroupCommit<ImageRulesItem>;
  private readonly resolveLane: Lane<null>;
  private readonly rulesLane: Lane<RulesDue>;
  private readonly descriptions: RuleDescriptions;
  private readonly onAbort = () => this.pumpAll();

  constructor(private readonly input: DrillScopeInput) {
    const workers = Math.max(1, input.concurrency);
    const stopped = () => this.stopped();
    const failed = (err: unknown) => {
      this.fatal ??= `rule drill-down failed unexpectedly: ${errorSummary(err)}`;
      this.pumpAll();
    };
    this.writer = new GroupCommit<ImageRulesItem>({
      write: async (batch) => {
        const w = await this.db(() => input.store.writeImageRules(input.runId, input.now(), batch));
        this.counts.ruleVersionsOpened += w.versionsOpened;
        this.counts.ruleVersionsClosed += w.versionsClosed;
        // An incomplete set (rows quarantined) stays due: pending, not fetched.
        this.counts.ruleImagesFetched += batch.filter((i) => i.complete !== false).length;
        // The rules just written may need descriptions: asked for in this run, not the next.
        this.descriptions.written(batch.flatMap((item) => item.rules));
      },
    });
    // One lookup at a time: fed images arriving meanwhile go together in the next one.
    this.resolveLane = new Lane({ concurrency: 1, stopped, failed, work: () => this.resolve() });
    this.rulesLane = new Lane({ concurrency: workers, stopped, failed, work: (d) => this.fetchRules(d) });
    this.descriptions = new RuleDescriptions({
      ...input,
      enabled: input.ruleDetail,
      claims: input.claims,
      db: (fn) => this.db(fn),
      stopped,
      defect: failed,
      failure: (message) => {
        this.failed++;
        this.firstError ??= message;
      },
      fetched: () => {
        this.counts.ruleDescriptionsFetched++;
      },
    });
    input.callOptions.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Starts with what earlier runs left due: the scope's images whose rules are due, except
   * `refetching` (their summaries are due this run: they come through `feed` once written, so
   * their rules are fetched for the new summaries only), and the descriptions missing or old.
   */
  start(refetching: ReadonlySet<string> = new Set()): Promise<void> {
    this.starting ??= this.loadBacklog(refetching);
    return this.starting;
  }

  private async loadBacklog(refetching: ReadonlySet<string>): Promise<void> {
    const { store, scope, mode } = this.input;
    if (this.stopped()) return;
    try {
      const due = await this.db(() => store.loadRulesDue(scope, mode));
      this.enqueue(due.filter((d) => !refetching.has(d.imageId)));
      this.descriptions.backlog();
    } catch (err) {
      this.fatal ??= `loading the rules due failed: ${errorSummary(err)}`;
      this.pumpAll();
    }
  }

  /**
   * The rule rows an image's summaries were derived from (all of them), handed over before the
   * summaries are written: when the image is found due, they are its rules, with no call.
   */
  prefetched(imageId: string, rows: RuleResult[], scannedAt: number | null): void {
    this.handedOver.set(imageId, { rows, scannedAt });
  }

  /** The summaries of these images were just written: their rules are due now. */
  feed(imageIds: readonly string[]): void {
    if (imageIds.length === 0) return;
    this.fed.push(...imageIds);
    if (!this.lookupQueued) {
      this.lookupQueued = true;
      this.resolveLane.push([null]);
    }
  }

  /**
   * Stops starting new work (the scope's slot is wanted by summaries still waiting): calls in
   * flight are answered and written; everything else stays due.
   */
  stop(): void {
    this.yielded = true;
    this.pumpAll();
  }

  /** Calls still due per rule API (a lower bound: rule pages beyond the first are not known). */
  due(): DrillDue {
    const rules = this.input.rules;
    return {
      ListImageRiskConfigRules: rules === 'ListImageRiskConfigRules' ? this.ruleCallsDue : 0,
      ListCheckRulesInfo: rules === 'ListCheckRulesInfo' ? this.ruleCallsDue : 0,
      ShowImageCheckRuleDetail: this.descriptions.callsDue,
    };
  }

  /** No more images will be fed: resolves when everything due is done, or the drill-down stopped. */
  async finish(): Promise<DrillResult> {
    await this.start();
    this.resolveLane.close();
    await this.resolveLane.idle();
    this.rulesLane.close();
    await this.rulesLane.idle();
    try {
      await this.writer.drain();
    } catch (err) {
      this.fatal ??= `writing rules failed: ${errorSummary(err)}`;
    }
    await this.descriptions.finish();
    this.input.callOptions.signal?.removeEventListener('abort', this.onAbort);
    if (this.fed.length > 0) {
      // Stopped before these were looked up: counted (not fetched), so the ledger says what is left.
      const { store, scope, mode } = this.input;
      const ids = this.fed.splice(0);
      try {
        for (let i = 0; i < ids.length; i += RESOLVE_BATCH) {
          this.enqueue(
            await this.db(() => store.loadRulesDueFor(scope, mode, ids.slice(i, i + RESOLVE_BATCH))),
          );
        }
        await this.writer.drain();
      } catch {
        // They stay due all the same; only the count is short.
      }
    }
    this.ruleCallsDue = Math.max(0, this.ruleCallsDue);
    this.handedOver.clear();
    const c = this.counts;
    c.ruleImagesPending = c.ruleImagesDue - c.ruleImagesFetched;
    const problems: string[] = [];
    if (this.fatal) problems.push(this.fatal);
    if (this.failed > 0) problems.push(`${this.failed} rule fetch(es) failed: ${this.firstError}`);
    if (this.quarantined > 0) {
      problems.push(`${this.quarantined} image(s) with schema-invalid rule answers (quarantined), left due`);
    }
    if (c.ruleImagesPending > 0 && this.input.callOptions.signal?.aborted) {
      problems.push(`${c.ruleImagesPending} image(s) still due for rules; they come first next run`);
    }
    return {
      ...c,
      problem: problems.length ? problems.join('; ') : null,
      ruleValuesFetched: this.descriptions.valuesFetched,
      ruleRowsSetAside: this.rowsSetAside,
    };
  }

  private stopped(): boolean {
    return this.yielded || this.fatal !== null || this.input.callOptions.signal?.aborted === true;
  }

  private pumpAll(): void {
    this.resolveLane.pump();
    this.rulesLane.pump();
    this.descriptions.pump();
  }

  private db<T>(fn: () => Promise<T>): Promise<T> {
    const gate = this.input.dbGate;
    return gate ? gate.run(fn) : fn();
  }

  /**
   * Images due for rules: those with no failing baseline need no call (their rules close now),
   * nor do those whose rule rows were handed over.
   */
  private enqueue(due: readonly RulesDue[]): void {
    const { mode, rules } = this.input;
    this.counts.ruleImagesDue += due.length;
    const withCalls: RulesDue[] = [];
    for (const d of due) {
      const given = this.handedOver.get(d.imageId);
      this.handedOver.delete(d.imageId);
      const calls = ruleCallsOf(rules, mode, d);
      if (given || calls === 0) {
        this.write(d, given?.rows ?? [], given ? given.scannedAt : (d.scannedAt ?? null)).catch(
          (err: unknown) => {
            this.fatal ??= `writing rules failed: ${errorSummary(err)}`;
          },
        );
      } else {
        withCalls.push(d);
        this.ruleCallsDue += calls;
      }
    }
    this.rulesLane.push(withCalls);
  }

  /** Queues the rule set of `rows` for the image (rows without a rule id set aside). */
  private write(
    d: RulesDue,
    rows: readonly RuleResult[],
    scannedAt: number | null,
    quarantinedRows = 0,
  ): Promise<void> {
    const { scope, mode, rules: source, log } = this.input;
    const set = ruleSetOf(rows, d, mode);
    if (quarantinedRows > 0) this.quarantined++;
    if (set.setAside > 0) {
      this.rowsSetAside += set.setAside;
      log.warn(
        { imageId: d.imageId, rows: set.setAside, api: source },
        "rule rows without a check_rule_id set aside; the rest of the image's rules are written",
      );
    }
    return this.writer.add({
      scope,
      imageId: d.imageId,
      signature: d.signature,
      mode,
      rules: set.rules,
      source,
      scannedAt,
      // Rows the client set aside (schema-invalid) may be rules still open: nothing is closed,
      // the image stays due. A row without a check_rule_id is not one of them: it can never be
      // keyed (the official models make the id optional), so it does not hold the set open.
      complete: quarantinedRows === 0,
    });
  }

  private async resolve(): Promise<void> {
    this.lookupQueued = false;
    const ids = this.fed.splice(0);
    const { store, scope, mode } = this.input;
    try {
      for (let i = 0; i < ids.length; i += RESOLVE_BATCH) {
        const chunk = ids.slice(i, i + RESOLVE_BATCH);
        // Found due while stopping: queued and counted, so the ledger says what is left.
        this.enqueue(await this.db(() => store.loadRulesDueFor(scope, mode, chunk)));
        // Rows handed over for an image not due (its rules answer these summaries already) go.
        for (const id of chunk) this.handedOver.delete(id);
      }
    } catch (err) {
      this.fatal ??= `loading the rules due failed: ${errorSummary(err)}`;
      this.pumpAll();
    }
  }

  private async fetchRules(d: RulesDue): Promise<void> {
    const { client, scope, mode, log } = this.input;
    // Rows of this image's answers the client set aside alone (schema-invalid).
    let quarantinedRows = 0;
    const callOptions = {
      ...this.input.callOptions,
      onQuarantine: (e: QuarantineEvent) => {
        quarantinedRows++;
        this.input.callOptions.onQuarantine?.(e);
      },
    };
    try {
      const rows = await fetchImageRules(
        {
          client,
          scope,
          mode,
          source: this.input.rules,
          limiter: this.input.limiter,
          callOptions,
          stopped: () => this.stopped(),
          answered: () => {
            this.ruleCallsDue--;
          },
        },
        d,
      );
      this.streak.succeeded();
      await this.write(d, rows, d.scannedAt ?? null, quarantinedRows);
    } catch (err) {
      // The run's failure policy; the drill-down has no second round, so `retry` is a failure.
      const kind = classifyFailure(err, this.stopped());
      if (kind === 'stopped') return;
      if (kind === 'item-problem') {
        this.quarantined++;
        log.warn(
          { imageId: d.imageId, err: errorSummary(err) },
          'rule answer schema-invalid; the image stays due',
        );
        return;
      }
      if (kind === 'scope-failure' || kind === 'defect') {
        this.fatal ??= stopReason(err, 'rules', 'rule fetch');
        if (kind === 'defect') this.countFailure(err);
        this.pumpAll();
        return;
      }
      this.countFailure(err);
      log.warn({ imageId: d.imageId, err: errorSummary(err) }, 'rule fetch failed; the image stays due');
      const stop = this.streak.failed(err, 'rule fetches');
      if (stop) {
        this.fatal ??= stop;
        this.pumpAll();
      }
    }
  }

  private countFailure(err: unknown): void {
    this.failed++;
    this.firstError ??= errorSummary(err);
  }
}
