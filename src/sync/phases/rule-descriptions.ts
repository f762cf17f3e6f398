/**
 * The ShowImageCheckRuleDetail part of a scope's rule drill-down, for image types the API
 * documents (src/hss/api-matrix.ts `ruleDetail`; for the others it makes no call). Per image:
 * the failed rules whose current values are missing or older than the rule version in force
 * (store.loadRuleValuesDue) are asked about one image at a time (the call carries the image's
 * filters); each answer's current values are stored (batched), and the rule's description with
 * them when it is missing or old. A rule whose description is due but that no image needs values
 * for is asked about without an image, once the values scan has ended (a rule whose values are
 * due on a later page brings its description with them). The values due are read one page at a
 * time (RULE_VALUES_PAGE, keyset order), the next only once the fetch lane has room, so memory
 * holds a page and the calls queued, never the scope's whole backlog. Lookups (database only) go one at a time in the
 * `candidates` lane, calls in the `fetch` lane. A description is claimed for the whole run before
 * it is fetched, so scopes that share rules fetch it once; one left undone is released, so a
 * drill-down later in the run may fetch it. The first failure stops the fetch lane (the rest stay
 * due for the next run).
 */

import { RULE_VALUES_PAGE, type RuleValuesCursor } from '../../db/rules/values.js';
import { type ImageRuleRef, type RuleDetail, type RuleKey, type Scope, scopeLabel } from '../../domain.js';
import { AbortedError, errorSummary } from '../../errors.js';
import type { CallOptions, HssClient } from '../../hss/types.js';
import { classifyFailure } from '../failure-policy.js';
import { GroupCommit } from '../group-commit.js';
import { Lane } from '../lane.js';
import type { Limiter } from '../limiter.js';
import type { RuleValuesMode } from '../plan.js';
import type { DrillStore } from '../store.js';

/** A description is refetched after this long (the text rarely changes upstream). */
export const RULE_DESCRIPTION_MAX_AGE_MS = 30 * 86_400_000;

export const ruleKeyId = (k: RuleKey) =>
  JSON.stringify([k.checkName, k.checkType, k.standard, k.checkRuleId]);

const keyOf = (r: RuleKey): RuleKey => ({
  checkName: r.checkName,
  checkType: r.checkType,
  standard: r.standard,
  checkRuleId: r.checkRuleId,
});

/** One ShowImageCheckRuleDetail call: a rule on one image, or a rule's description alone. */
type DetailCall = { key: RuleKey; ref: ImageRuleRef | null };

/** A lookup of the candidates lane: the scope's backlog, or the rules written since the last one. */
type Lookup = { backlog: boolean };

/**
 * What a run's drill-downs have taken on, shared by every scope and by a scope's drill-down that
 * resumes after yielding its slot, so nothing is asked for twice in a run.
 */
export interface DrillClaims {
  /** Rule keys whose description a call without an image fetches. */
  descriptions: Set<string>;
  /** `scope|image|rule` values asked for (their answer may still be being written). */
  values: Set<string>;
  /** Rule keys whose description some per-image call brings: no call without an image for them. */
  covered: Set<string>;
}

export function newDrillClaims(): DrillClaims {
  return { descriptions: new Set(), values: new Set(), covered: new Set() };
}

export interface DescriptionsInput {
  client: HssClient;
  store: DrillStore;
  scope: Scope;
  runId: string;
  /** ShowImageCheckRuleDetail documents the scope's image type: false = no call at all. */
  enabled: boolean;
  /** HSS_RULE_VALUES: `off` asks for descriptions only (no per-image values). */
  ruleValues: RuleValuesMode;
  now: () => Date;
  limiter: Limiter;
  concurrency: number;
  callOptions: CallOptions;
  /** What this run's drill-downs have taken on (shared by every scope and drill-down). */
  claims: DrillClaims;
  /** Rows per page of the values due; default RULE_VALUES_PAGE. */
  valuesPage?: number;
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
  /** Current values of one rule on one image stored. */
  valuesFetched = 0;
  /** Rules were written since the values due were last read: the scan starts again from the first. */
  private valuesStale = true;
  /** The values scan in progress: where its next page starts (null: the first); undefined: none. */
  private valuesAfter: RuleValuesCursor | null | undefined = undefined;
  /** Descriptions due, asked about without an image once the values scan has ended (unless covered). */
  private readonly pendingDescriptions = new Map<string, RuleKey>();
  /** Rules written and not yet looked up (distinct). */
  private readonly writtenRules = new Map<string, RuleKey>();
  /** A lookup of written rules is queued. */
  private lookupQueued = false;
  /** `finish` has begun: it looks up what is left itself. */
  private finishing = false;
  private readonly candidateLane: Lane<Lookup>;
  private readonly fetchLane: Lane<DetailCall>;
  private readonly values: GroupCommit<{ call: DetailCall; detail: RuleDetail }>;

  constructor(private readonly input: DescriptionsInput) {
    const stopped = () => input.stopped();
    this.candidateLane = new Lane({
      concurrency: 1,
      stopped,
      failed: input.defect,
      work: (l) => this.lookUp(l),
    });
    this.fetchLane = new Lane({
      concurrency: Math.max(1, input.concurrency),
      stopped: () => input.stopped() || this.error !== null,
      failed: input.defect,
      work: (c) => this.fetch(c),
    });
    this.values = new GroupCommit({ write: (batch) => this.store(batch) });
  }

  /** The scope's backlog: values and descriptions left due by earlier runs. */
  backlog(): void {
    if (this.input.enabled) this.candidateLane.push([{ backlog: true }]);
  }

  /**
   * Rules just written: their values and descriptions due are looked up, then fetched. The lookup
   * reads the scope's values due: it waits while the fetch lane has work queued (it is paced far
   * slower than the database answers), so rules written meanwhile are looked up together.
   */
  written(rules: readonly RuleKey[]): void {
    if (!this.input.enabled || rules.length === 0) return;
    this.valuesStale = true;
    for (const r of rules) this.writtenRules.set(ruleKeyId(r), keyOf(r));
    this.kick();
  }

  /** Queues a lookup of the rules written, unless one is queued or the fetch lane has enough work. */
  private kick(): void {
    if (this.finishing || this.lookupQueued || !this.lookupDue()) return;
    if (this.fetchLane.queued > Math.max(1, this.input.concurrency)) return;
    this.lookupQueued = true;
    this.candidateLane.push([{ backlog: false }]);
  }

  /** Something is left to look up: rules written, a values scan under way, descriptions pending. */
  private lookupDue(): boolean {
    return (
      this.valuesStale ||
      this.writtenRules.size > 0 ||
      this.valuesAfter !== undefined ||
      this.pendingDescriptions.size > 0
    );
  }

  /** Calls still to make (queued, in flight, left; values due on pages not read yet are not known). */
  get callsDue(): number {
    return this.fetchLane.queued + this.fetchLane.active + this.left;
  }

  pump(): void {
    this.candidateLane.pump();
    this.fetchLane.pump();
  }

  /** No more rules will be written: resolves when every call is made or left. */
  async finish(): Promise<void> {
    this.finishing = true;
    this.candidateLane.close();
    await this.candidateLane.idle();
    // Rules written after a stop (calls in flight are answered and written), or while the fetch
    // lane was busy, were never looked up, nor the values scan's later pages: looked up now
    // (database only), a page at a time once the lane has room. After a stop, what they need is
    // counted as left, page by page, and a yielded drill-down is resumed for them in this run.
    for (const l of this.candidateLane.takeQueued()) await this.lookUp(l);
    while (this.input.enabled && this.lookupDue()) {
      const halted = () => this.input.stopped() || this.error !== null;
      if (!halted()) await this.fetchLane.roomFor(Math.max(1, this.input.concurrency));
      await this.lookUp({ backlog: false });
      if (halted()) for (const c of this.fetchLane.takeQueued()) this.release(c);
    }
    this.fetchLane.close();
    await this.fetchLane.idle();
    for (const c of this.fetchLane.takeQueued()) this.release(c);
    try {
      await this.values.drain();
    } catch (err) {
      this.fail(`storing rule values failed: ${errorSummary(err)}`);
    }
  }

  /** Undone: released, so a drill-down later in the run (a deferred one) may make it. */
  private release(c: DetailCall): void {
    if (c.ref === null) this.input.claims.descriptions.delete(ruleKeyId(c.key));
    else this.input.claims.values.delete(this.pairOf(c.ref.image.imageId, c.key));
    this.left++;
  }

  private pairOf(imageId: string, key: RuleKey): string {
    return JSON.stringify([scopeLabel(this.input.scope), imageId, ruleKeyId(key)]);
  }

  /** Descriptions not yet claimed by this run's drill-downs (claiming them). */
  private claim(keys: readonly RuleKey[]): RuleKey[] {
    const out: RuleKey[] = [];
    for (const k of keys) {
      const id = ruleKeyId(k);
      if (this.input.claims.descriptions.has(id)) continue;
      this.input.claims.descriptions.add(id);
      out.push(k);
    }
    return out;
  }

  /**
   * Values due first (each call brings its rule's description), then descriptions alone. The
   * descriptions due are read BEFORE the values due: a rule whose failed rows are committed
   * between the two reads is then either absent from the first (it comes with the values of the
   * second, or of the lookup its write queues) or present in both (covered). Read the other way
   * round, such a rule is seen without values due and asked for once more without an image.
   */
  private async lookUp(l: Lookup): Promise<void> {
    const { store, scope } = this.input;
    if (!l.backlog) this.lookupQueued = false;
    const written = [...this.writtenRules.values()];
    this.writtenRules.clear();
    try {
      const stale = new Date(this.input.now().getTime() - RULE_DESCRIPTION_MAX_AGE_MS);
      const keys = l.backlog ? await this.input.db(() => store.loadDescriptionsDue(scope, stale)) : written;
      for (const k of keys) this.pendingDescriptions.set(ruleKeyId(k), keyOf(k));
      if (this.valuesStale) {
        this.valuesStale = false;
        // Per-image values are opt-in (HSS_RULE_VALUES): when off, no page is read at all.
        this.valuesAfter = this.input.ruleValues === 'off' ? undefined : null;
      }
      if (this.valuesAfter !== undefined) {
        const after = this.valuesAfter;
        const page = this.input.valuesPage ?? RULE_VALUES_PAGE;
        const refs = await this.input.db(() => store.loadRuleValuesDue(scope, after, page));
        const last = refs.at(-1);
        this.valuesAfter =
          refs.length >= page && last ? { imageId: last.image.imageId, key: keyOf(last.key) } : undefined;
        const calls: DetailCall[] = [];
        for (const ref of refs) {
          const pair = this.pairOf(ref.image.imageId, ref.key);
          if (this.input.claims.values.has(pair)) continue;
          this.input.claims.values.add(pair);
          this.input.claims.covered.add(ruleKeyId(ref.key));
          calls.push({ key: keyOf(ref.key), ref });
        }
        this.fetchLane.push(calls);
      }
      // Descriptions alone only once a whole scan has seen every values due.
      if (this.valuesStale || this.valuesAfter !== undefined) return;
      const unique: RuleKey[] = [];
      for (const [id, k] of this.pendingDescriptions) {
        if (!this.input.claims.covered.has(id) && !this.input.claims.descriptions.has(id)) unique.push(k);
      }
      this.pendingDescriptions.clear();
      if (unique.length === 0) return;
      const due = await this.input.db(() => store.filterDescriptionsDue(unique, stale));
      this.fetchLane.push(this.claim(due).map((key) => ({ key, ref: null })));
    } catch (err) {
      // What was not looked up stays due: the next run finds it.
      this.valuesAfter = undefined;
      this.valuesStale = false;
      this.pendingDescriptions.clear();
      this.fail(`looking up rule values and descriptions failed: ${errorSummary(err)}`);
    } finally {
      // The next page (or rules written meanwhile), if the fetch lane has room for it.
      this.kick();
    }
  }

  /** One call; its answer is stored (values batched). The first failure stops the lane. */
  private async fetch(c: DetailCall): Promise<void> {
    try {
      await this.call(c);
    } finally {
      // The lane has room again: rules written meanwhile are looked up.
      this.kick();
    }
  }

  private async call(c: DetailCall): Promise<void> {
    const { client, scope, callOptions } = this.input;
    try {
      const detail = await this.input.limiter.run(() => {
        if (this.input.stopped()) throw new AbortedError('stopped before the call');
        return client.showCheckRuleDetail(scope, c.key, c.ref?.image ?? null, callOptions);
      });
      if (c.ref) {
        await this.values.add({ call: c, detail });
        return;
      }
      await this.input.db(() => this.input.store.upsertRuleDescription(c.key, detail, this.input.now()));
      this.input.fetched();
    } catch (err) {
      // The run's failure policy, except that any failure stops this lane.
      if (classifyFailure(err, this.input.stopped()) === 'stopped') this.release(c);
      // What is missing stays due: the next run asks again.
      else {
        const on = c.ref ? ` on image ${c.ref.image.imageId}` : '';
        this.fail(`rule detail ${c.key.checkName}/${c.key.checkRuleId}${on}: ${errorSummary(err)}`);
      }
    }
  }

  /** Stores answers of per-image calls: their values, and the descriptions due among them. */
  private async store(batch: { call: DetailCall; detail: RuleDetail }[]): Promise<void> {
    const { store, scope, runId } = this.input;
    const at = this.input.now();
    await this.input.db(() =>
      store.upsertRuleValues(
        runId,
        at,
        batch.map(({ call, detail }) => ({
          scope,
          imageId: (call.ref as ImageRuleRef).image.imageId,
          key: call.key,
          checkInfoList: detail.checkInfoList,
        })),
      ),
    );
    this.valuesFetched += batch.length;
    // The first answer of each rule not yet claimed brings its description, if that is due.
    const details = new Map<string, { key: RuleKey; detail: RuleDetail }>();
    for (const { call, detail } of batch) {
      const id = ruleKeyId(call.key);
      if (!details.has(id) && !this.input.claims.descriptions.has(id))
        details.set(id, { key: call.key, detail });
    }
    const keys = this.claim([...details.values()].map((d) => d.key));
    if (keys.length === 0) return;
    const stale = new Date(at.getTime() - RULE_DESCRIPTION_MAX_AGE_MS);
    const due = await this.input.db(() => store.filterDescriptionsDue(keys, stale));
    for (const key of due) {
      const { detail } = details.get(ruleKeyId(key)) as { detail: RuleDetail };
      await this.input.db(() => store.upsertRuleDescription(key, detail, at));
      this.input.fetched();
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
