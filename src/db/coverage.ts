/**
 * Coverage counts: current image contents per coverage state (hss.image_coverage, docs/sql.md
 * "Coverage") in a set of scopes, for the run ledger, `status` and /metrics.
 */
import { COVERAGE_STATES, type CoverageCounts, type CoverageState, type Scope } from '../domain.js';
import type { DbHandle } from './pool.js';
import { query } from './tx.js';

// The scopes go as three parallel arrays; a scope given twice counts once (the join is on a
// DISTINCT set). The view's coverage is computed per content, so a scope filter reads that
// scope's references, contents and current results only.
const COUNT_COVERAGE = `
SELECT v.coverage, count(*)::int AS n
FROM hss.image_coverage v
JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[]) AS s(project_id, enterprise_project_id, image_type)) s
  ON s.project_id = v.project_id AND s.enterprise_project_id = v.enterprise_project_id
  AND s.image_type = v.image_type
GROUP BY v.coverage`;

/** Every coverage state at 0. */
export function zeroCoverage(): CoverageCounts {
  return Object.fromEntries(COVERAGE_STATES.map((s) => [s, 0])) as CoverageCounts;
}

/**
 * Current image contents of `scopes` per coverage state; every state is present (0 when none).
 * No scopes: all zero, without a query.
 */
export async function countCoverage(h: DbHandle, scopes: readonly Scope[]): Promise<CoverageCounts> {
  const counts = zeroCoverage();
  if (scopes.length === 0) return counts;
  const res = await query<{ coverage: string; n: number }>(h, 'countCoverage', COUNT_COVERAGE, [
    scopes.map((s) => s.projectId),
    scopes.map((s) => s.enterpriseProjectId),
    scopes.map((s) => s.imageType),
  ]);
  for (const row of res.rows) {
    if ((COVERAGE_STATES as readonly string[]).includes(row.coverage)) {
      counts[row.coverage as CoverageState] = row.n;
    }
  }
  return counts;
}

/** The counts as stored in hss_internal.sync_runs.coverage: every state, in COVERAGE_STATES order. */
export function coverageJson(c: CoverageCounts): string {
  return JSON.stringify(Object.fromEntries(COVERAGE_STATES.map((s) => [s, c[s] ?? 0])));
}
