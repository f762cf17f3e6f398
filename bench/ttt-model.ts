/**
 * The time-to-truth model: a discrete-event model of the daemon's runs against an estate at HSS's
 * real limit, on simulated time (no waiting). Per run (every `intervalMs`, no call started after
 * `deadlineMs`): the inventory pages each scope on its list API; the plan (planFetches' order:
 * new, changed, stale) fetches summaries; an image whose summaries changed has its failing rules
 * fetched; newly failed rules have their per-image values fetched (HSS_RULE_VALUES) and rules
 * never described their description. Every API is paced on its own (PacedApi). What a run leaves
 * is due the next run, drill-down work in drillWorkOrder (src/sync/plan.ts). Upstream, a share of
 * the images is rescanned per day at random instants (the simulator's rescanRows). The model is
 * checked against the real engine at a small size (test/unit/time-to-truth-model.test.ts).
 */
import type { ApiName } from '../src/domain.js';
import { rescanRows } from '../src/simulator/baseline.js';
import { Rng } from '../src/simulator/prng.js';
import type { SimContent } from '../src/simulator/world-gen.js';
import { type DrillWork, drillWorkOrder, type RuleValuesMode, refreshAgeMs } from '../src/sync/plan.js';
import {
  type EstateScope,
  type FailedRule,
  failedRules,
  hasResults,
  ruleCalls,
  type Snapshot,
  snapshotOf,
} from './ttt-estate.js';
import { CALL_MS, ItemHeap, type LaneItem, PacedApi, runLane } from './ttt-lane.js';
import { KINDS, type Kind, Tracker } from './ttt-track.js';

const DAY_MS = 86_400_000;
const DESCRIPTION_MAX_AGE_MS = 30 * DAY_MS;
const DETAIL: ApiName = 'ShowImageCheckRuleDetail';

export interface ModelOptions {
  intervalMs: number;
  deadlineMs: number;
  ratePerMinute: number;
  pageSize: number;
  maxResultAgeMs: number;
  values: RuleValuesMode;
  /** Share of the images with results rescanned per day. */
  rescanPerDay: number;
  days: number;
  /**
   * What-if: summaries due for images an earlier run listed are fetched from the run's start,
   * before the inventory ends (the engine plans after the inventory: false).
   */
  planBeforeInventory?: boolean;
  /** Steady state is measured on rescans from this day on (after the first backfill). */
  steadyFromDays: number;
  seed: number;
}

/** One image of one scope, with what is stored of it. */
interface Img {
  scope: EstateScope;
  c: SimContent;
  id: string;
  /** Upstream versions: snapshots and the instants they appeared. */
  snaps: Snapshot[];
  /** Stored: the version of summaries, rules, values; -1 = never. */
  sum: number;
  sumAt: number;
  rules: number;
  rulesAt: number | null;
  /** Values: the version whose due values are all stored; pending value calls. */
  values: number;
  valuesPending: number;
  /** Failed rule keys at the stored rules version, and those with values stored. */
  failed: Set<string>;
  valued: Set<string>;
}

type Work = { img: Img; ver: number; summary?: boolean; rule?: FailedRule; desc?: string };

export interface ModelResult {
  tracker: Tracker;
  callsByApi: Record<string, number>;
  /** Calls each API needs for the initial estate (the floor's numerator), per kind. */
  initialCalls: Record<Kind, Record<string, number>>;
  endMs: number;
}

export function runModel(estate: EstateScope[], o: ModelOptions): ModelResult {
  const rng = new Rng(o.seed);
  const apis = new Map<ApiName, PacedApi>();
  const api = (name: ApiName) => {
    let a = apis.get(name);
    if (a) return a;
    a = new PacedApi(o.ratePerMinute);
    apis.set(name, a);
    return a;
  };
  const imgs: Img[] = [];
  const byContent = new Map<SimContent, Img[]>();
  for (const scope of estate) {
    for (const c of scope.contents) {
      if (!hasResults(c)) continue;
      const img: Img = {
        scope,
        c,
        id: `${scope.imageType}/${c.imageId}`,
        snaps: [snapshotOf(c)],
        sum: -1,
        sumAt: 0,
        rules: -1,
        rulesAt: null,
        values: -1,
        valuesPending: 0,
        failed: new Set(),
        valued: new Set(),
      };
      imgs.push(img);
      byContent.set(c, [...(byContent.get(c) ?? []), img]);
    }
  }
  const wantsValues = (s: EstateScope, _r: FailedRule) => s.ruleDetail && o.values === 'all';
  const initialCalls = initialDemand(imgs, wantsValues);
  const tracker = new Tracker(
    {
      summaries: imgs.length,
      rules: imgs.filter((i) => i.scope.rules !== null).length,
      values: o.values === 'off' ? 0 : imgs.filter((i) => i.scope.ruleDetail).length,
      descriptions: Object.values(initialCalls.descriptions).reduce((a, b) => a + b, 0),
    },
    o.steadyFromDays * DAY_MS,
    o.values !== 'off',
  );
  // Rescans: a Poisson-like stream, rescanPerDay × images per day, at uniform instants.
  const contents = [...byContent.keys()];
  const rescanGapMs = DAY_MS / Math.max(1e-9, o.rescanPerDay * contents.length);
  let nextRescan = rng.next() * rescanGapMs * 2;
  const descAt = new Map<string, number>();
  const descFirstNeeded = new Map<string, number>();
  const valuesHeap = new ItemHeap<Work>();
  /** Values made due in the current run (ready once their rules are stored). */
  const valuesNew: LaneItem<Work>[] = [];
  let seq = 0;

  const start = 0;
  const end = o.days * DAY_MS;
  for (let T = start; T < end; T += o.intervalMs) {
    // Upstream: every rescan before the run's start is seen by its inventory.
    while (nextRescan < T) {
      const c = contents[Math.floor(rng.next() * contents.length)] as SimContent;
      rescanRows(rng, c.rows);
      for (const img of byContent.get(c) ?? []) {
        img.snaps.push(snapshotOf(c));
        tracker.changed(img.id, img.snaps.length - 1, nextRescan, img.scope);
      }
      nextRescan += rng.next() * rescanGapMs * 2;
    }
    const deadline = T + o.deadlineMs;
    // 1. Inventory: each list API pages its scopes one after the other.
    const listedAt = new Map<EstateScope, number>();
    for (const scope of estate) {
      const a = api(scope.list);
      let t = T;
      for (let p = 0; p < Math.max(1, Math.ceil(scope.references / o.pageSize)); p++) {
        t = a.earliest(t);
        a.start(t);
      }
      listedAt.set(scope, t + CALL_MS);
    }
    // 2. Summaries: planFetches' order per scope (new, changed, stalest), ready once listed.
    const sumLater = new Map<ApiName, LaneItem<Work>[]>();
    for (const img of imgs) {
      const ver = img.snaps.length - 1;
      const reason =
        img.sum < 0
          ? 0
          : img.sum < ver
            ? 1
            : T - img.sumAt >= refreshAgeMs(img.c.imageId, o.maxResultAgeMs)
              ? 2
              : -1;
      if (reason < 0) continue;
      const list = sumLater.get(img.scope.summaries) ?? [];
      list.push({
        readyAt: o.planBeforeInventory && T > 0 ? T : (listedAt.get(img.scope) as number),
        rank: [reason, reason === 2 ? img.sumAt : 0],
        seq: seq++,
        payload: { img, ver, summary: true },
      });
      sumLater.set(img.scope.summaries, list);
    }
    // 3. Rules: images whose summaries changed since their rules, backlog at the run's start.
    const rulesLater = new Map<ApiName, LaneItem<Work>[]>();
    const pushRules = (img: Img, ver: number, at: number) => {
      const n = ruleCalls(img.scope, img.snaps[ver] as Snapshot);
      const rules = img.scope.rules as ApiName;
      const w: DrillWork = {
        id: img.id,
        neverFetched: img.rules < 0,
        severity: worstSeverity(img.c, img.snaps[ver] as Snapshot),
        fetchedAt: img.rulesAt,
      };
      const list = rulesLater.get(rules) ?? [];
      for (let k = 0; k < n; k++)
        list.push({ readyAt: at, rank: drillRank(w), seq: seq++, payload: { img, ver } });
      rulesLater.set(rules, list);
      return n;
    };
    const rulesLeft = new Map<Img, number>();
    const rulesDone = (img: Img, ver: number, at: number) => {
      img.rules = ver;
      img.rulesAt = at;
      tracker.stored('rules', img.id, ver, at);
      if (!img.scope.ruleDetail) return;
      const now = failedRules(img.c, img.snaps[ver] as Snapshot);
      const keys = new Set(now.map((r) => r.key));
      for (const k of img.valued) if (!keys.has(k)) img.valued.delete(k);
      let due = 0;
      for (const r of now) {
        if (!descAt.has(r.key) && !descFirstNeeded.has(r.key)) descFirstNeeded.set(r.key, at);
        // A rule failing since the last rules version keeps its values; a newly failed one is due.
        if (img.failed.has(r.key) && img.valued.has(r.key)) continue;
        img.valued.delete(r.key);
        if (!wantsValues(img.scope, r)) continue;
        const w: DrillWork = {
          id: `${img.id}|${r.key}`,
          neverFetched: img.values < 0,
          severity: r.severity,
          fetchedAt: img.rulesAt,
        };
        valuesNew.push({ readyAt: at, rank: drillRank(w), seq: seq++, payload: { img, ver, rule: r } });
        due++;
      }
      img.failed = keys;
      img.valuesPending = due;
      if (due === 0) valuesDone(img, ver, at);
    };
    const valuesDone = (img: Img, ver: number, at: number) => {
      img.values = ver;
      tracker.stored('values', img.id, ver, at);
    };
    for (const img of imgs) {
      if (
        img.scope.rules === null ||
        img.sum < 0 ||
        img.rules >= img.sum ||
        img.scope.summaries === img.scope.rules
      )
        continue;
      const n = pushRules(img, img.sum, T);
      if (n === 0) rulesDone(img, img.sum, T);
      else rulesLeft.set(img, n);
    }
    const onSummary = (item: LaneItem<Work>, at: number) => {
      const { img, ver } = item.payload;
      img.sum = ver;
      img.sumAt = at;
      tracker.stored('summaries', img.id, ver, at + CALL_MS);
      if (img.scope.rules === null || img.rules >= ver) return;
      // Derived summaries (cicd): the same call brought every rule row.
      if (img.scope.summaries === img.scope.rules) return rulesDone(img, ver, at + CALL_MS);
      const n = pushRules(img, ver, at + CALL_MS);
      if (n === 0) rulesDone(img, ver, at + CALL_MS);
      else rulesLeft.set(img, n);
    };
    const onRule = (item: LaneItem<Work>, at: number) => {
      const { img, ver } = item.payload;
      const left = (rulesLeft.get(img) ?? 1) - 1;
      if (left > 0) rulesLeft.set(img, left);
      else {
        rulesLeft.delete(img);
        rulesDone(img, ver, at + CALL_MS);
      }
    };
    // Lanes in dependency order: summaries (ListImageRiskConfigs before ListCheckRulesInfo, whose
    // registry rules wait on them), then rules, then the detail API.
    const order: ApiName[] = ['ListImageRiskConfigs', 'ListCheckRulesInfo', 'ListImageRiskConfigRules'];
    for (const name of order) {
      const heap = new ItemHeap<Work>();
      const later = [...(sumLater.get(name) ?? []), ...(rulesLater.get(name) ?? [])];
      sumLater.delete(name);
      runLane(api(name), heap, later, T, deadline, (item, at) =>
        item.payload.summary ? onSummary(item, at) : onRule(item, at),
      );
      // Rules (rulesLater) registered after this lane ran (none: the order above) would be lost.
      rulesLater.delete(name);
    }
    // 4. Values (HSS_RULE_VALUES), then descriptions alone, on ShowImageCheckRuleDetail.
    const descHeap = new ItemHeap<Work>();
    const descLater: LaneItem<Work>[] = [];
    for (const [key, first] of descFirstNeeded) {
      if ((descAt.get(key) ?? Number.NEGATIVE_INFINITY) > T - DESCRIPTION_MAX_AGE_MS) continue;
      descLater.push({
        readyAt: first,
        rank: [1, first],
        seq: seq++,
        payload: { img: imgs[0] as Img, ver: 0, desc: key },
      });
    }
    const described = (key: string, at: number) => {
      if (!descAt.has(key)) tracker.described(key, descFirstNeeded.get(key) ?? at, at);
      descAt.set(key, at);
    };
    // Values first (each brings its rule's description), in drillWorkOrder; new ones once ready.
    runLane(
      api(DETAIL),
      valuesHeap,
      valuesNew.splice(0),
      T,
      deadline,
      (item, at) => {
        const { img, ver, rule } = item.payload;
        const r = rule as FailedRule;
        img.valued.add(r.key);
        if ((descAt.get(r.key) ?? Number.NEGATIVE_INFINITY) <= at - DESCRIPTION_MAX_AGE_MS)
          described(r.key, at + CALL_MS);
        img.valuesPending--;
        if (img.valuesPending === 0) valuesDone(img, ver, at + CALL_MS);
      },
      (item) => item.payload.img.rules === item.payload.ver,
    );
    // Then descriptions alone: missing, or older than 30 days.
    const descDue = (key: string) =>
      (descAt.get(key) ?? Number.NEGATIVE_INFINITY) <= T - DESCRIPTION_MAX_AGE_MS;
    runLane(
      api(DETAIL),
      descHeap,
      descLater,
      T,
      deadline,
      (item, at) => described(item.payload.desc as string, at + CALL_MS),
      (item) => descDue(item.payload.desc as string),
    );
    // The values backlog: calls still due for the rules version stored (superseded ones are not).
    let valuesBacklog = 0;
    for (const img of imgs) valuesBacklog += img.valuesPending;
    tracker.endRun(T, Object.fromEntries([...apis].map(([k, a]) => [k, a.calls])), valuesBacklog);
  }
  const callsByApi = Object.fromEntries([...apis].map(([k, a]) => [k, a.calls]));
  return { tracker, callsByApi, initialCalls, endMs: end };
}

function drillRank(w: DrillWork): number[] {
  // drillWorkOrder as a numeric rank (never fetched, severity, fetched at).
  return [w.neverFetched ? 0 : 1, severityIndex(w.severity), w.fetchedAt ?? Number.NEGATIVE_INFINITY];
}

function severityIndex(s: string | null): number {
  const probe = (x: string | null): DrillWork => ({ id: '', neverFetched: false, severity: x, fetchedAt: 0 });
  return ['Critical', 'High', 'Medium', 'Low', 'Security'].filter(
    (k) => drillWorkOrder(probe(k), probe(s)) < 0,
  ).length;
}

/** The worst severity among an image's failing baselines (summaries' severity band). */
function worstSeverity(c: SimContent, snap: Snapshot): string | null {
  let worst: string | null = null;
  c.rows.forEach((r, i) => {
    const f = snap[i] ?? 0;
    if (f <= 0) return;
    const s = f / r.checkRuleNum > 0.5 ? 'High' : f / r.checkRuleNum > 0.2 ? 'Medium' : 'Low';
    if (worst === null || severityIndex(s) < severityIndex(worst)) worst = s;
  });
  return worst;
}

/** Calls per API that the initial estate needs, per kind (the floors). */
function initialDemand(
  imgs: Img[],
  wantsValues: (s: EstateScope, r: FailedRule) => boolean,
): ModelResult['initialCalls'] {
  const out = Object.fromEntries(
    KINDS.map((k) => [k, {} as Record<string, number>]),
  ) as ModelResult['initialCalls'];
  const add = (k: Kind, a: string, n: number) => {
    out[k][a] = (out[k][a] ?? 0) + n;
  };
  const keys = new Set<string>();
  for (const img of imgs) {
    const snap = img.snaps[0] as Snapshot;
    add('summaries', img.scope.summaries, 1);
    if (img.scope.rules && img.scope.rules !== img.scope.summaries)
      add('rules', img.scope.rules, ruleCalls(img.scope, snap));
    if (!img.scope.ruleDetail) continue;
    for (const r of failedRules(img.c, snap)) {
      keys.add(r.key);
      if (wantsValues(img.scope, r)) add('values', DETAIL, 1);
    }
  }
  add('descriptions', DETAIL, keys.size);
  return out;
}

export { KINDS, type Kind };
