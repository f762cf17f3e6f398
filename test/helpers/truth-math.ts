/**
 * Small reckonings over the simulator's truth shared by the tests of the SQL surface (sql-docs)
 * and the Grafana dashboard: severity order, grouping, sums, and fix-time bounds.
 */
import { expect } from 'vitest';
import { type FixPeriod, hoursPercentileBounds } from './fixes.js';
import type { ResultRow } from './sync-world.js';

export const HOUR = 3_600_000;
const RANK: Record<string, number> = { Security: 0, Low: 1, Medium: 2, High: 3, Critical: 4 };
/** A severity's rank, Security lowest; -1 for none or an unknown one. */
export const rankOf = (s: string | null) => (s === null ? -1 : (RANK[s] ?? -1));

export function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(key(r), [...(out.get(key(r)) ?? []), r]);
  return out;
}

export const sum = (rows: ResultRow[], f: (r: ResultRow) => number | null) =>
  rows.reduce((a, r) => a + (f(r) ?? 0), 0);
export const failing = (r: ResultRow) => (r.failed_rule_num ?? 0) > 0;

/** Each row's hour columns lie within the bounds their group's fix periods allow for that percentile. */
export function expectHoursWithinBounds(
  rows: Record<string, unknown>[],
  groups: [string, FixPeriod[]][],
  columns: readonly (readonly [string, number])[],
): void {
  for (const [i, [, g]] of groups.entries()) {
    for (const [col, p] of columns) {
      const v = rows[i]![col] as number;
      const [lo, hi] = hoursPercentileBounds(g, p);
      expect(v).toBeGreaterThanOrEqual(lo);
      expect(v).toBeLessThanOrEqual(hi);
    }
  }
}
