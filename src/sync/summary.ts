/** The one-line run summary printed by `sync` (stable wording: people grep it, tests assert it). */
import { COVERAGE_STATES } from '../domain.js';
import type { RunReport } from './types.js';

function duration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.round(ms / 60_000)}m`;
}

export function formatCalls(callsByApi: Record<string, number>): string {
  const parts = Object.entries(callsByApi)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([api, n]) => `${api}:${n}`);
  return parts.length ? parts.join(',') : 'none';
}

export function formatRunSummary(r: RunReport): string {
  const c = r.counts;
  const scopes = r.scopes.filter((s) => s.status !== 'skipped');
  const ok = scopes.filter((s) => s.status === 'succeeded').length;
  const skipped = r.scopes.length - scopes.length;
  const eta = Math.max(0, ...r.scopes.map((s) => s.etaSeconds));
  return [
    `sync ${r.status}`,
    `run=${r.runId}`,
    `scopes=${ok}/${scopes.length}${skipped ? ` skipped=${skipped}` : ''}`,
    `images=${c.imagesListed}`,
    `distinct=${c.imagesDistinct}`,
    `due=${c.imagesDue}`,
    `fetched=${c.imagesFetched}`,
    `not_scanned=${c.imagesNotScanned}`,
    `pending=${c.imagesPending}`,
    `retired=${c.imagesRetired}`,
    `quarantined=${c.itemsQuarantined}`,
    `versions=+${c.versionsOpened}/-${c.versionsClosed}`,
    // The rule drill-down, when it ran: images whose rules were written / due, and those left.
    ...(r.ruleCounts
      ? [
          `rules=${r.ruleCounts.ruleImagesFetched}/${r.ruleCounts.ruleImagesDue}`,
          `rules_pending=${r.ruleCounts.ruleImagesPending}`,
        ]
      : []),
    // Current images per coverage state in the run's scopes, when counted.
    ...(r.coverage
      ? [`coverage=${COVERAGE_STATES.map((k) => `${k}:${r.coverage?.[k] ?? 0}`).join(',')}`]
      : []),
    `calls=${formatCalls(r.callsByApi)}`,
    `429s=${c.throttled}`,
    `retries=${c.retries}`,
    `eta=${eta}s`,
    `duration=${duration(r.finishedAt.getTime() - r.startedAt.getTime())}`,
    // A finding that does not change the status but must not read as success (diagnose.ts).
    ...(r.warnings ?? []).map((w) => `warning: ${w}`),
  ].join(' ');
}
