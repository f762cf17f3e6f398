/**
 * Time to truth at HSS's real limit (5 calls/min per API), on simulated time: the daemon's
 * defaults (SYNC_SCHEDULE every 30 min, HSS_RUN_DEADLINE 90% of it, HSS_MAX_RESULT_AGE 7d) over
 * an estate of the simulator's world, a share rescanned per day. Per kind of data: the first
 * backfill against its floor (calls needed / rate), the steady-state staleness p50/p95 from an
 * upstream rescan to the stored truth; per API: steady-state demand / daily budget.
 */
import type { RuleValuesMode } from '../src/sync/plan.js';
import { makeEstate } from './ttt-estate.js';
import { KINDS, type Kind, type ModelOptions, type ModelResult, runModel } from './ttt-model.js';
import { quantile } from './ttt-track.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface TimeToTruthSize {
  images: number;
  rescanPerDay: number;
  /** Simulated days with the defaults, and with every per-image value asked for. */
  days: number;
  valuesDays: number;
  steadyFromDays: number;
  valuesSteadyFromDays: number;
}

/** 10,000 images, 3% rescanned per day: 21 days with the defaults, 45 with every value. */
export const TIME_TO_TRUTH: TimeToTruthSize = {
  images: 10_000,
  rescanPerDay: 0.03,
  days: 21,
  valuesDays: 45,
  steadyFromDays: 7,
  valuesSteadyFromDays: 31,
};

/** Goals of the time-to-truth figures (hours; ratios to the floor; demand / daily budget). */
export const TIME_TO_TRUTH_GOALS: Record<string, { op: '>=' | '<=' | '=='; value: number }> = {
  ttt_summaries_backfill_vs_floor: { op: '<=', value: 1.05 },
  ttt_summaries_p95_hours: { op: '<=', value: 2 },
  ttt_rules_backfill_vs_floor: { op: '<=', value: 1.1 },
  ttt_rules_p95_hours: { op: '<=', value: 24 },
  ttt_max_default_demand: { op: '<=', value: 0.8 },
};

export const DEFAULT_MODEL: Omit<ModelOptions, 'values' | 'rescanPerDay' | 'days' | 'steadyFromDays'> = {
  intervalMs: 30 * 60_000,
  deadlineMs: 27 * 60_000,
  ratePerMinute: 5,
  pageSize: 200,
  maxResultAgeMs: 7 * DAY_MS,
  seed: 11,
};

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export interface KindFigures {
  backfill_hours: number | null;
  floor_hours: number;
  backfill_vs_floor: number | null;
  staleness_p50_hours: number | null;
  staleness_p95_hours: number | null;
  /** Rescans of the steady state still not stored when the model ended (counted at their age). */
  unfinished: number;
}

export function kindFigures(r: ModelResult, rate: number): Record<Kind, KindFigures> {
  const out = {} as Record<Kind, KindFigures>;
  for (const k of KINDS) {
    const floorMs = (Math.max(0, ...Object.values(r.initialCalls[k])) / rate) * 60_000;
    const done = r.tracker.backfilledAt.get(k);
    const samples = [...(r.tracker.staleness.get(k) ?? []), ...r.tracker.censored(k, r.endMs)];
    const p = (q: number) => {
      const v = quantile(samples, q);
      return v === null ? null : round(v / HOUR_MS);
    };
    out[k] = {
      backfill_hours: done === undefined ? null : round(done / HOUR_MS),
      floor_hours: round(floorMs / HOUR_MS),
      backfill_vs_floor: done === undefined ? null : floorMs === 0 ? 1 : round(done / floorMs, 3),
      staleness_p50_hours: p(0.5),
      staleness_p95_hours: p(0.95),
      unfinished: r.tracker.censored(k, r.endMs).length,
    };
  }
  return out;
}

/** Per API: steady-state calls per day (made + backlog growth) / the daily budget. */
export function laneDemand(r: ModelResult, rate: number): Record<string, number> {
  const a = r.tracker.windowStart;
  const b = r.tracker.windowEnd;
  if (!a || !b || b.at <= a.at) return {};
  const days = (b.at - a.at) / DAY_MS;
  const out: Record<string, number> = {};
  for (const [api, n] of Object.entries(b.calls)) {
    let calls = n - (a.calls[api] ?? 0);
    if (api === 'ShowImageCheckRuleDetail') calls += b.valuesBacklog - a.valuesBacklog;
    out[api] = round(calls / days / (rate * 1440), 3);
  }
  return out;
}

export function measureTimeToTruth(size: TimeToTruthSize) {
  const run = (values: RuleValuesMode, days: number, steadyFromDays: number) =>
    runModel(makeEstate(size.images), {
      ...DEFAULT_MODEL,
      values,
      rescanPerDay: size.rescanPerDay,
      days,
      steadyFromDays,
    });
  const rate = DEFAULT_MODEL.ratePerMinute;
  const defaults = run('off', size.days, size.steadyFromDays);
  // Every per-image value: its steady state is measured once its first backfill is over.
  const allValues = run('all', size.valuesDays, size.valuesSteadyFromDays);
  // Per-image values are off by default: their figures come from the run with every value.
  const { values: _off, ...kinds } = kindFigures(defaults, rate);
  const values = kindFigures(allValues, rate).values;
  const demand = laneDemand(defaults, rate);
  const valuesDemand = laneDemand(allValues, rate).ShowImageCheckRuleDetail ?? null;
  // What the first backfill would take if runs used the whole interval and/or fetched the images
  // an earlier run listed before their inventory ends (neither is what the engine does today).
  const whatIf = (deadlineMs: number, planBeforeInventory: boolean) => {
    const r = runModel(makeEstate(size.images), {
      ...DEFAULT_MODEL,
      deadlineMs,
      planBeforeInventory,
      values: 'off',
      rescanPerDay: size.rescanPerDay,
      days: 4,
      steadyFromDays: 4,
    });
    const k = kindFigures(r, rate);
    return { summaries: k.summaries.backfill_vs_floor, rules: k.rules.backfill_vs_floor };
  };
  const interval = DEFAULT_MODEL.intervalMs;
  const whatIfs = {
    whole_interval: whatIf(interval, false),
    plan_before_inventory: whatIf(DEFAULT_MODEL.deadlineMs, true),
    both: whatIf(interval, true),
  };
  return {
    ttt_images: size.images,
    ttt_rescan_per_day: size.rescanPerDay,
    ttt_simulated_days: size.days,
    ttt_kinds: kinds,
    ttt_values_all: values,
    ttt_values_all_demand: valuesDemand,
    ttt_demand: demand,
    ttt_calls_by_api: defaults.callsByApi,
    ttt_backfill_what_if: whatIfs,
    ttt_summaries_backfill_vs_floor: kinds.summaries.backfill_vs_floor ?? Number.POSITIVE_INFINITY,
    ttt_summaries_p95_hours: kinds.summaries.staleness_p95_hours ?? Number.POSITIVE_INFINITY,
    ttt_rules_backfill_vs_floor: kinds.rules.backfill_vs_floor ?? Number.POSITIVE_INFINITY,
    ttt_rules_p95_hours: kinds.rules.staleness_p95_hours ?? Number.POSITIVE_INFINITY,
    ttt_max_default_demand: Math.max(0, ...Object.values(demand)),
  };
}

/** Lines for the bench's output: one per kind, one per API. */
export function timeToTruthLines(m: ReturnType<typeof measureTimeToTruth>): string[] {
  const h = (x: number | null) => (x === null ? 'never' : `${x} h`);
  const lines = [
    `time to truth: ${m.ttt_images} images, ${m.ttt_rescan_per_day * 100}% rescanned per day, 5 calls/min per API, runs every 30 min (deadline 27 min), ${m.ttt_simulated_days} simulated days`,
    '  kind           first backfill   floor      ratio   staleness p50   p95      unfinished',
  ];
  const row = (name: string, f: KindFigures) =>
    `  ${name.padEnd(14)} ${h(f.backfill_hours).padStart(12)}   ${h(f.floor_hours).padStart(9)}  ${String(f.backfill_vs_floor ?? '—').padStart(6)}   ${h(f.staleness_p50_hours).padStart(12)}   ${h(f.staleness_p95_hours).padStart(9)}  ${f.unfinished}`;
  for (const k of KINDS) if (k !== 'values') lines.push(row(k, m.ttt_kinds[k]));
  lines.push(row('values (all)', m.ttt_values_all));
  lines.push(
    `  steady-state demand / daily budget (7,200 calls): ${Object.entries(m.ttt_demand)
      .map(([api, d]) => `${api} ${d}`)
      .join(', ')}; ShowImageCheckRuleDetail with HSS_RULE_VALUES=all ${m.ttt_values_all_demand}`,
  );
  const w = m.ttt_backfill_what_if;
  lines.push(
    `  first backfill / floor (summaries, rules) if runs used the whole interval: ${w.whole_interval.summaries}, ${w.whole_interval.rules}; if images listed before were fetched before the inventory ends: ${w.plan_before_inventory.summaries}, ${w.plan_before_inventory.rules}; both: ${w.both.summaries}, ${w.both.rules}`,
  );
  return lines;
}
