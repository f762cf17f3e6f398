/**
 * The descriptions part of a scope's rule drill-down: of the rules just written, the descriptions
 * missing or old are looked up (`candidates` lane, database only) and fetched with
 * ShowImageCheckRuleDetail (`fetch` lane). A description is claimed for the whole run before it
 * is fetched, so scopes that share rules fetch it once; one left undone is released, so a
 * drill-down later in the run may fetch it. The first failure stops the fetch lane (the rest stay
 * due for the next run).
 */
import type { RuleKey, Scope } from '../../domain.js';
import { AbortedError, errorSummary } from '../../errors.js';
import type { CallOptions, HssClient } from '../../hss/types.js';
import { classifyFailure } from '../failure-policy.js';
import { Lane } from '../lane.js';
import type { Limiter } from '../limiter.js';
import type { DrillStore } from '../store.js';

/** A description is refetched after this long (the text rarely changes upstream). */
export const RULE_DESCRIPTION_MAX_AGE_MS = 30 * 86_400_000;

export const ruleKeyId = (k: RuleKey) =>
  JSON.stringify([k.checkName, k.checkType, k.standard, k.checkRuleId]);

export interface DescriptionsInput {
  client: HssClient;
  store: DrillStore;
  scope: Scope;
  now: () => Date;
  limiter: Limiter;
  concurrency: number;
  callOptions: CallOptions;
  /** Rule keys whose description this run already fetches (shared by the run's scopes). */
  claimed: Set<string>;
  /** Runs a database operation through the drill-down's gate. */
  db<T>(fn: () => Promise<T>): Promise<T>;
  /** True once the drill-down stops (yielded, failed, aborted). */
  stopped(): boolean;
  /** Receives what a lane's work threw after all (a defect). */
  defect(err: unknown): void;
  /** A failure to count in the drill-down's problems. */
  failure(message: string): void;
  /** One description fetched and stored. */
  fetched(): void;
}

export class RuleDescriptions {
  private error: string | null = null;
  /** Claimed but left undone when the drill-down stopped (due for a later drill-down). */
  private left = 0;
  private readonly candidateLane: Lane<RuleKey[]>;
  private readonly fetchLane: Lane<RuleKey>;

  constructor(private readonly input: DescriptionsInput) {
    const stopped = () => input.stopped();
    this.candidateLane = new Lane({
      concurrency: 1,
      stopped,
      failed: input.defect,
      work: (keys) => this.lookUp(keys),
    });
    this.fetchLane = new Lane({
      concurrency: Math.max(1, input.concurrency),
      stopped: () => input.stopped() || this.error !== null,
      failed: input.defect,
      work: (k) => this.fetch(k),
    });
  }

  /** Rules just written: their descriptions missing or old are looked up, then fetched. */
  written(rules: RuleKey[]): void {
    if (rules.length > 0) this.candidateLane.push([rules]);
  }

  /** Descriptions found due (the scope's backlog): fetched unless another scope claimed them. */
  due(keys: readonly RuleKey[]): void {
    this.fetchLane.push(this.claim(keys));
  }

  /** Descriptions still to fetch (queued, in flight, left). */
  get callsDue(): number {
    return this.fetchLane.queued + this.fetchLane.active + this.left;
  }

  pump(): void {
    this.candidateLane.pump();
    this.fetchLane.pump();
  }

  /** No more rules will be written: resolves when every description is fetched or left. */
  async finish(): Promise<void> {
    this.candidateLane.close();
    await this.candidateLane.idle();
    // Rules written after a stop (calls in flight are answered and written) were never looked up
    // for their descriptions: looked up now (database only, no call), so that the descriptions they
    // need are counted as left below, and a yielded drill-down is resumed for them in this run.
    for (const keys of this.candidateLane.takeQueued()) await this.lookUp(keys);
    this.fetchLane.close();
    await this.fetchLane.idle();
    for (const k of this.fetchLane.takeQueued()) this.release(k);
  }

  /** Undone: released, so a drill-down later in the run (a deferred one) may fetch it. */
  private release(k: RuleKey): void {
    this.input.claimed.delete(ruleKeyId(k));
    this.left++;
  }

  /** Keys not yet claimed by this run's drill-downs (claiming them). */
  private claim(keys: readonly RuleKey[]): RuleKey[] {
    const out: RuleKey[] = [];
    for (const k of keys) {
      const id = ruleKeyId(k);
      if (this.input.claimed.has(id)) continue;
      this.input.claimed.add(id);
      out.push(k);
    }
    return out;
  }

  /** Of rules just written, the descriptions missing or old go to the fetch lane. */
  private async lookUp(rules: RuleKey[]): Promise<void> {
    const unique = new Map<string, RuleKey>();
    for (const r of rules) {
      const k: RuleKey = {
        checkName: r.checkName,
        checkType: r.checkType,
        standard: r.standard,
        checkRuleId: r.checkRuleId,
      };
      const id = ruleKeyId(k);
      if (!this.input.claimed.has(id)) unique.set(id, k);
    }
    if (unique.size === 0) return;
    try {
      const stale = new Date(this.input.now().getTime() - RULE_DESCRIPTION_MAX_AGE_MS);
      const due = await this.input.db(() =>
        this.input.store.filterDescriptionsDue([...unique.values()], stale),
      );
      this.fetchLane.push(this.claim(due));
    } catch (err) {
      // The descriptions stay missing: the next run finds them due.
      this.fail(`looking up rule descriptions failed: ${errorSummary(err)}`);
    }
  }

  /** Fetches and stores one description; the first failure stops the lane (the rest stay due). */
  private async fetch(key: RuleKey): Promise<void> {
    const { client, scope, callOptions } = this.input;
    try {
      const detail = await this.input.limiter.run(() => {
        if (this.input.stopped()) throw new AbortedError('stopped before the call');
        return client.showCheckRuleDetail(scope, key, null, callOptions);
      });
      await this.input.db(() => this.input.store.upsertRuleDescription(key, detail, this.input.now()));
      this.input.fetched();
    } catch (err) {
      // The run's failure policy, except that any failure stops this lane.
      if (classifyFailure(err, this.input.stopped()) === 'stopped') this.release(key);
      // The missing descriptions stay due: the next run asks again.
      else this.fail(`rule description ${key.checkName}/${key.checkRuleId}: ${errorSummary(err)}`);
    }
  }

  private fail(message: string): void {
    if (this.error === null) {
      this.error = message;
      this.input.failure(message);
    } else this.input.failure(this.error);
    this.pump();
  }
}
