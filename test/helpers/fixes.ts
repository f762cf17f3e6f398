/**
 * Failing periods computed from the truth after each sync, apart from the database: what
 * hss.baseline_fixes should list. Times are only known to lie within the runs that saw the
 * change, so durations come as bounds.
 */
import { type ResultRow, resultKeyOf, type Snapshot } from './sync-world.js';

const failing = (r: ResultRow | undefined) => r !== undefined && (r.failed_rule_num ?? 0) > 0;

/** A failing period: it starts at sync `start`, and ends at sync `end` fixed or gone (or is still open). */
export interface FixPeriod {
  key: string;
  row: ResultRow;
  start: number;
  end: number | null;
  status: 'fixed' | 'failing' | 'disappeared';
  /** For fixed periods: the shortest and longest hours it can have taken. */
  minHours: number;
  maxHours: number;
}

/** Every failing period of every result key over the snapshots. */
export function fixPeriods(snaps: Snapshot[]): FixPeriod[] {
  const at = snaps.map((s) => new Map(s.truth.map((r) => [resultKeyOf(r), r])));
  const keys = new Set(snaps.flatMap((s) => s.truth.map(resultKeyOf)));
  const out: FixPeriod[] = [];
  for (const key of keys) {
    for (let i = 0; i < snaps.length; i++) {
      const r = at[i]!.get(key);
      if (!failing(r) || failing(at[i - 1]?.get(key))) continue;
      let end: number | null = null;
      let status: FixPeriod['status'] = 'failing';
      for (let j = i + 1; j < snaps.length && end === null; j++) {
        const n = at[j]!.get(key);
        if (!n) [end, status] = [j, 'disappeared'];
        else if (!failing(n)) [end, status] = [j, 'fixed'];
      }
      const hours = (ms: number) => ms / 3_600_000;
      out.push({
        key,
        row: r!,
        start: i,
        end,
        status,
        minHours: end === null ? 0 : hours(snaps[end]!.startedAt - snaps[i]!.finishedAt),
        maxHours: end === null ? 0 : hours(snaps[end]!.finishedAt - snaps[i]!.startedAt),
      });
    }
  }
  return out;
}

/** PostgreSQL's percentile_cont(p) of `values`: linear interpolation between the closest ranks. */
export function percentileCont(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  const pos = (v.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

/**
 * The range a reported percentile of hours_to_fix may take over fixed `periods`: each period's
 * hours are only known within [minHours, maxHours], and hours_to_fix is rounded to 2 decimals,
 * then the percentile again, so 0.01 either way.
 */
export function hoursPercentileBounds(periods: FixPeriod[], p: number): [number, number] {
  return [
    percentileCont(
      periods.map((x) => x.minHours),
      p,
    ) - 0.01,
    percentileCont(
      periods.map((x) => x.maxHours),
      p,
    ) + 0.01,
  ];
}
