import { describe, expect, it } from 'vitest';
import { buildStatusReport, formatStatusText, type RunRow } from './status-format.js';

const T0 = Date.UTC(2026, 2, 1, 12);

function run(error: string): RunRow {
  return {
    run_id: 'r1',
    status: 'failed',
    trigger: 'cli',
    started_at: new Date(T0),
    finished_at: new Date(T0 + 1_000),
    scopes_total: 1,
    scopes_succeeded: 0,
    scopes_partial: 0,
    scopes_failed: 1,
    images_listed: 0,
    images_distinct: 0,
    images_due: 0,
    images_fetched: 0,
    images_not_scanned: 0,
    images_pending: 0,
    images_retired: 0,
    versions_opened: 0,
    versions_closed: 0,
    api_calls: 1,
    throttled: 0,
    retries: 0,
    items_quarantined: 0,
    error,
    rule_images_due: 0,
    rule_images_fetched: 0,
    rule_images_pending: 0,
    api_backlog: null,
    coverage: null,
  };
}

describe('formatStatusText', () => {
  it('prints ledger text with control characters escaped (it may quote an upstream request id)', () => {
    const text = formatStatusText(
      buildStatusReport({
        nowMs: T0 + 2_000,
        maxResultAgeMs: 3_600_000,
        schedule: { expression: '*/30 * * * *', timezone: 'UTC', nextRun: null, source: 'default' },
        runs: [run('id=\u001b]0;pwned\u0007 \u009b2J')],
        scopes: [],
      }),
    );
    expect(text).toContain('id=\\u001b]0;pwned\\u0007 \\u009b2J');
    expect(text).not.toMatch(/[\u0007\u001b\u009b]/);
  });

  it('reports the ledger coverage of a run with every state, and the scopes coverage now as a table', () => {
    const report = buildStatusReport({
      nowMs: T0 + 2_000,
      maxResultAgeMs: 3_600_000,
      schedule: { expression: '*/30 * * * *', timezone: 'UTC', nextRun: null, source: 'default' },
      runs: [{ ...run(''), coverage: { covered: 5, pending: 1 } }, run('older')],
      scopes: [
        {
          target: 't',
          project_id: 'p',
          enterprise_project_id: '0',
          image_type: 'cicd',
          images: 9,
          fresh: 9,
          pending: 0,
          oldest_result_at: null,
          last_status: 'succeeded',
          last_success_at: null,
          coverage: { covered: 5, not_scanned: 2, scan_failed: 1, inconsistent: 1 },
        },
      ],
    });
    const all = { covered: 0, not_scanned: 0, scan_failed: 0, no_results: 0, inconsistent: 0, pending: 0 };
    expect(report.runs.map((r) => r.coverage)).toEqual([{ ...all, covered: 5, pending: 1 }, null]);
    expect(report.scopes[0]!.coverage).toEqual({
      ...all,
      covered: 5,
      not_scanned: 2,
      scan_failed: 1,
      inconsistent: 1,
    });
    const lines = formatStatusText(report).split('\n');
    const at = lines.indexOf('Coverage now (images per state; docs/sql.md "Coverage"):');
    expect(lines[at + 1]!.trim().split(/ {2,}/)).toEqual([
      'scope',
      'covered',
      'not scanned',
      'scan failed',
      'no results',
      'inconsistent',
      'pending',
    ]);
    expect(lines[at + 3]!.trim().split(/ +/)).toEqual(['p/0/cicd', '5', '2', '1', '0', '1', '0']);
  });
});
