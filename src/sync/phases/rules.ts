/**
 * The rule drill-down of a run, beside the summaries. Each scope drills while its summaries are
 * fetched, under the same scope lock and in the same scope slot: images are fed to it as their
 * summaries are written. When a scope's summaries end while other scopes still wait for a slot,
 * its drill-down stops (calls in flight are answered and written) and the rest runs later at low
 * priority, after every scope's summaries have started, so it never holds a slot a scope's
 * summaries wait for. The run deadline and SIGTERM bound it like everything else; what they leave
 * stays due.
 */

import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { TargetConfig } from '../../config/types.js';
import {
  type RuleCounts,
  type RuleDetailMode,
  type RuleResult,
  type Scope,
  scopeLabel,
} from '../../domain.js';
import { errorSummary } from '../../errors.js';
import { apisFor, type CicdSummaries } from '../../hss/api-matrix.js';
import type { RetryBudget } from '../../hss/retry-budget.js';
import type { CallEvent, HssClient } from '../../hss/types.js';
import type { ApiBoard } from '../api-board.js';
import { CallTally } from '../call-tally.js';
import { createLimiter, type Limiter } from '../limiter.js';
import type { RuleValuesMode } from '../plan.js';
import { abortOnAny } from '../signals.js';
import { addCalls, type DrillStore } from '../store.js';
import type { HeldScopeLock } from '../types.js';
import { newDrillClaims } from './rule-descriptions.js';
import { addDrillCounts, DRILL_APIS, type DrillResult, zeroDrillCounts } from './rules-counts.js';
import { ScopeDrill } from './rules-scope.js';

/** What the rule drill-down of a run did. */
export interface DrillPhase {
  counts: RuleCounts;
  callsByApi: Record<string, number>;
  apiCalls: number;
  throttled: number;
  retries: number;
  /** `<scope>: <problem>` per scope whose drill-down did not finish cleanly. */
  problems: string[];
  /** Current values of a rule on an image stored (no ledger column: the run's log line says it). */
  ruleValuesFetched: number;
  /** Rule rows without a check_rule_id, set aside (the log line says it). */
  ruleRowsSetAside: number;
}

export interface RunDrillDeps {
  mode: Exclude<RuleDetailMode, 'off'>;
  /** HSS_RULE_VALUES: whether failed rules' per-image values are fetched. */
  ruleValues: RuleValuesMode;
  /** Where cicd summaries come from (the matrix: which API serves each scope's rules). */
  cicdSummaries: CicdSummaries;
  runId: string;
  clientFor(target: TargetConfig): HssClient;
  store: DrillStore;
  clock: Clock;
  /** HTTP workers per lane and rule calls in flight over the run (HSS_FETCH_CONCURRENCY). */
  concurrency: number;
  retryBudget: RetryBudget;
  board: ApiBoard;
  /** Every HTTP attempt of the drill-down (metrics, the API board). */
  onCall(target: TargetConfig, scope: Scope, e: CallEvent): void;
  /** The scope slots of the run: deferred drill-downs queue at low priority. */
  scopeLimiter: Limiter;
  lockScope(scope: Scope): Promise<HeldScopeLock | null>;
  /** The run's call signal (deadline and SIGTERM). */
  callSignal: AbortSignal;
  /** What may abort a call already sent (SIGTERM), not the deadline. */
  inFlightSignal: AbortSignal | undefined;
  log: Logger;
}

/** One scope's drill-down beside its summaries, as the scope sees it. */
export interface ScopeDrillHandle {
  /** The scope is planned; `refetching` are the images whose summaries this run fetches. */
  planned(refetching: ReadonlySet<string>): void;
  /** The summaries of these images were just written. */
  written(imageIds: readonly string[]): void;
  /** The rule rows an image's summaries were derived from (written as its rules, no call). */
  prefetched(imageId: string, rows: RuleResult[], scannedAt: number | null): void;
  /**
   * The summaries are done. `finish`: drill on until done (the slot is free to keep);
   * `yield`: stop now and drill the rest later at low priority; `stop`: stop, the rest stays
   * due for the next run.
   */
  end(how: 'finish' | 'yield' | 'stop'): Promise<void>;
}

export class RunDrill {
  readonly phase: DrillPhase = {
    counts: zeroDrillCounts(),
    callsByApi: {},
    apiCalls: 0,
    throttled: 0,
    retries: 0,
    problems: [],
    ruleValuesFetched: 0,
    ruleRowsSetAside: 0,
  };
  /** Bounds rule calls in flight over the run: a limiter of its own, never a summary's slot. */
  private readonly limiter: Limiter;
  /** The drill-down's database work, one operation at a time: the pool's other connections stay the summaries'. */
  private readonly dbGate = createLimiter(1);
  /** What the run's drill-downs have taken on (rule-descriptions.ts). */
  private readonly claims = newDrillClaims();
  private readonly deferred: Promise<void>[] = [];

  constructor(private readonly d: RunDrillDeps) {
    this.limiter = createLimiter(Math.max(1, d.concurrency));
  }

  /** The drill-down of a scope whose lock is held, fed by its summaries. */
  forScope(
    target: TargetConfig,
    scope: Scope,
    signals: { callSignal: AbortSignal; inFlightSignal: AbortSignal | undefined },
  ): ScopeDrillHandle {
    const label = scopeLabel(scope);
    const log = this.d.log.child({ scope: label, phase: 'rules' });
    const apis = apisFor(scope.imageType, this.d.cicdSummaries);
    if (apis.rules === null) {
      log.info(
        { imageType: scope.imageType },
        'no HSS API documents rule results for this image type: no rule drill-down in this scope',
      );
      return { planned: () => {}, written: () => {}, prefetched: () => {}, end: async () => {} };
    }
    let made: Made | null = null;
    let tally: CallTally | null = null;
    return {
      planned: (refetching) => {
        if (made || signals.callSignal.aborted) return;
        tally = this.tally(target, scope);
        made = this.create(target, scope, signals, tally, log);
        void made.drill.start(refetching);
      },
      written: (ids) => made?.drill.feed(ids),
      prefetched: (id, rows, scannedAt) => made?.drill.prefetched(id, rows, scannedAt),
      end: async (how) => {
        if (!made || !tally) return;
        const { drill } = made;
        if (how !== 'finish') drill.stop();
        const r = await drill.finish();
        const left = r.ruleImagesPending + drill.due().ShowImageCheckRuleDetail;
        if (how === 'yield' && !this.d.callSignal.aborted && left > 0) {
          // The deferred drill-down finds what is left due again and counts it then.
          r.ruleImagesDue -= r.ruleImagesPending;
          r.ruleImagesPending = 0;
          made.freeze(true);
          this.record(label, r, tally, log);
          log.info('summaries of other scopes wait for a slot: the rest of this drill-down runs after them');
          this.deferred.push(this.d.scopeLimiter.run(() => this.runDeferred(target, scope), 'low'));
          return;
        }
        made.freeze(false);
        this.record(label, r, tally, log);
      },
    };
  }

  /** Resolves when every deferred drill-down has ended. */
  async settled(): Promise<void> {
    // A deferred drill-down adds none, but wait for any added while waiting all the same.
    for (let i = 0; i < this.deferred.length; i++) await this.deferred[i];
  }

  private tally(target: TargetConfig, scope: Scope): CallTally {
    return new CallTally((e) => this.d.onCall(target, scope, e));
  }

  private create(
    target: TargetConfig,
    scope: Scope,
    signals: { callSignal: AbortSignal; inFlightSignal: AbortSignal | undefined },
    tally: CallTally,
    log: Logger,
  ): Made {
    const apis = apisFor(scope.imageType, this.d.cicdSummaries);
    const drill = new ScopeDrill({
      client: this.d.clientFor(target),
      store: this.d.store,
      scope,
      runId: this.d.runId,
      mode: this.d.mode,
      rules: apis.rules ?? 'ListImageRiskConfigRules',
      ruleDetail: apis.ruleDetail,
      ruleValues: this.d.ruleValues,
      now: () => new Date(this.d.clock.now()),
      limiter: this.limiter,
      concurrency: this.d.concurrency,
      callOptions: {
        signal: signals.callSignal,
        inFlightSignal: signals.inFlightSignal,
        onCall: tally.onCall,
        retryBudget: this.d.retryBudget,
      },
      log,
      claims: this.claims,
      dbGate: this.dbGate,
    });
    // Only the APIs this scope's drill-down calls (the matrix) appear on the board.
    const sources = DRILL_APIS.filter(
      (api) => api === apis.rules || (api === 'ShowImageCheckRuleDetail' && apis.ruleDetail),
    ).map((api) => [api, this.d.board.track(target.name, api, () => drill.due()[api])] as const);
    return {
      drill,
      freeze: (handedOver) => {
        for (const [api, source] of sources) source.freeze(handedOver ? 0 : drill.due()[api]);
      },
    };
  }

  /** A scope's drill-down after the summaries of every scope have started: its own lock, its own slot. */
  private async runDeferred(target: TargetConfig, scope: Scope): Promise<void> {
    const label = scopeLabel(scope);
    const log = this.d.log.child({ scope: label, phase: 'rules' });
    if (this.d.callSignal.aborted) return;
    let lock: HeldScopeLock | null;
    try {
      lock = await this.d.lockScope(scope);
    } catch (err) {
      this.phase.problems.push(`${label}: could not take the scope lock: ${errorSummary(err)}`);
      return;
    }
    if (!lock) return;
    const tally = this.tally(target, scope);
    try {
      const signals = {
        callSignal: abortOnAny(this.d.callSignal, lock.lost),
        inFlightSignal: abortOnAny(this.d.inFlightSignal, lock.lost),
      };
      const made = this.create(target, scope, signals, tally, log);
      await made.drill.start();
      const r = await made.drill.finish();
      made.freeze(false);
      this.record(label, r, tally, log);
    } catch (err) {
      this.phase.problems.push(`${label}: ${errorSummary(err)}`);
      log.warn({ err: errorSummary(err) }, 'rule drill-down failed');
    } finally {
      await lock.release().catch(() => {});
    }
  }

  private record(label: string, r: DrillResult, tally: CallTally, log: Logger): void {
    const { problem, ruleValuesFetched, ruleRowsSetAside, ...counts } = r;
    addDrillCounts(this.phase.counts, counts);
    this.phase.ruleValuesFetched += ruleValuesFetched;
    this.phase.ruleRowsSetAside += ruleRowsSetAside;
    if (problem) this.phase.problems.push(`${label}: ${problem}`);
    addCalls(this.phase.callsByApi, tally.callsByApi);
    this.phase.apiCalls += tally.apiCalls;
    this.phase.throttled += tally.throttled;
    this.phase.retries += tally.retries;
    const line = { ...counts, ruleValuesFetched, ruleRowsSetAside, calls: tally.apiCalls, error: problem };
    if (problem) log.warn(line, 'rule drill-down finished');
    else log.info(line, 'rule drill-down finished');
  }
}

/** A scope's drill-down and the board's due readings of it. */
interface Made {
  drill: ScopeDrill;
  /** Fixes the board's readings at the end: what is left, or 0 when a deferred drill-down takes it over. */
  freeze(handedOver: boolean): void;
}

/**
 * The rule figures a run reports: none when the drill-down was off, or when SIGTERM came before it
 * did anything (no call, nothing found due).
 */
export function rulesOutcome(phase: DrillPhase | null, aborted: boolean): DrillPhase | null {
  if (!phase) return null;
  if (aborted && phase.apiCalls === 0 && phase.counts.ruleImagesDue === 0) return null;
  return phase;
}
