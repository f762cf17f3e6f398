import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import type { Scope } from './domain.js';
import type { PacerKeySnapshot } from './hss/pacer.js';
import type { CallEvent } from './hss/types.js';
import { createMetrics, credentialLabel, StartWindow } from './metrics.js';
import type { RunReport, ScopeReport } from './sync/engine.js';
import { zeroCounts } from './sync/store.js';

const SCOPE: Scope = {
  target: 'cn-north-4/proj-1',
  projectId: 'proj-1',
  enterpriseProjectId: '0',
  imageType: 'private_image',
};

const call = (over: Partial<CallEvent> = {}): CallEvent => ({
  api: 'ListImageRiskConfigs',
  status: 200,
  errorCode: null,
  requestId: 'r',
  durationMs: 120,
  willRetry: false,
  ...over,
});

function scopeReport(status: ScopeReport['status'], counts: Partial<ScopeReport['counts']>): ScopeReport {
  return {
    scope: SCOPE,
    label: 'proj-1/0/private_image',
    status,
    counts: { ...zeroCounts(), ...counts },
    callsByApi: {},
    inventoryComplete: true,
    etaSeconds: 0,
    error: null,
  };
}

function runReport(status: RunReport['status'], startMs: number, endMs: number): RunReport {
  return {
    runId: 'run-1',
    status,
    startedAt: new Date(startMs),
    finishedAt: new Date(endMs),
    counts: zeroCounts(),
    callsByApi: {},
    scopes: [],
    error: null,
  };
}

/** The sample lines of one metric family (no # HELP / # TYPE). */
async function samples(metrics: ReturnType<typeof createMetrics>, name: string): Promise<string[]> {
  const text = await metrics.registry.getSingleMetricAsString(name);
  return text.split('\n').filter((l) => l && !l.startsWith('#'));
}

const SCOPE_SEL =
  'target="cn-north-4/proj-1",project_id="proj-1",enterprise_project_id="0",image_type="private_image"';

describe('createMetrics', () => {
  it('counts runs, scopes, calls, 429s, retries and history rows from observer events', async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 1, 12, 0, 0));
    const m = createMetrics({ clock, processMetrics: false });
    m.observer.onRunStarted('run-1', 'schedule');
    expect(await samples(m, 'hss_sync_runs_in_progress')).toEqual(['hss_sync_runs_in_progress 1']);
    m.observer.onCall(SCOPE, call());
    m.observer.onCall(SCOPE, call());
    m.observer.onCall(SCOPE, call({ status: 429, willRetry: true }));
    m.observer.onCall(SCOPE, call({ api: 'ListRegistryImages', status: 0, willRetry: true }));
    m.observer.onCall(SCOPE, call({ status: 403, errorCode: 'APIGW.0308' }));
    m.observer.onScopeFinished(
      scopeReport('succeeded', {
        imagesPending: 3,
        imagesFetched: 7,
        imagesRetired: 1,
        versionsOpened: 12,
        versionsClosed: 4,
        itemsQuarantined: 2,
      }),
      900,
    );
    m.observer.onRunFinished(runReport('succeeded', clock.now() - 2500, clock.now()));

    expect(await samples(m, 'hss_sync_api_calls_total')).toEqual([
      'hss_sync_api_calls_total{api="ListImageRiskConfigs",status="200"} 2',
      'hss_sync_api_calls_total{api="ListImageRiskConfigs",status="429"} 1',
      'hss_sync_api_calls_total{api="ListRegistryImages",status="0"} 1',
      'hss_sync_api_calls_total{api="ListImageRiskConfigs",status="403"} 1',
    ]);
    expect(await samples(m, 'hss_sync_api_throttled_total')).toEqual([
      'hss_sync_api_throttled_total{api="ListImageRiskConfigs"} 2',
    ]);
    expect(await samples(m, 'hss_sync_api_retries_total')).toEqual([
      'hss_sync_api_retries_total{api="ListImageRiskConfigs"} 1',
      'hss_sync_api_retries_total{api="ListRegistryImages"} 1',
    ]);
    expect(await samples(m, 'hss_sync_history_versions_total')).toEqual([
      'hss_sync_history_versions_total{change="opened"} 12',
      'hss_sync_history_versions_total{change="closed"} 4',
    ]);
    expect(await samples(m, 'hss_sync_images_fetched_total')).toEqual(['hss_sync_images_fetched_total 7']);
    expect(await samples(m, 'hss_sync_images_retired_total')).toEqual(['hss_sync_images_retired_total 1']);
    expect(await samples(m, 'hss_sync_items_quarantined_total')).toEqual([
      'hss_sync_items_quarantined_total 2',
    ]);
    expect(await samples(m, 'hss_sync_images_pending')).toEqual([`hss_sync_images_pending{${SCOPE_SEL}} 3`]);
    expect(await samples(m, 'hss_sync_scope_last_success_timestamp_seconds')).toEqual([
      `hss_sync_scope_last_success_timestamp_seconds{${SCOPE_SEL}} ${clock.now() / 1000}`,
    ]);
    expect(await samples(m, 'hss_sync_runs_total')).toEqual([
      'hss_sync_runs_total{status="succeeded"} 1',
      'hss_sync_runs_total{status="partial"} 0',
      'hss_sync_runs_total{status="failed"} 0',
      'hss_sync_runs_total{status="aborted"} 0',
    ]);
    expect(await samples(m, 'hss_sync_runs_in_progress')).toEqual(['hss_sync_runs_in_progress 0']);
    const duration = await samples(m, 'hss_sync_run_duration_seconds');
    expect(duration).toContain('hss_sync_run_duration_seconds_sum{status="succeeded"} 2.5');
    expect(duration).toContain('hss_sync_run_duration_seconds_count{status="succeeded"} 1');
    expect(duration).toContain('hss_sync_run_duration_seconds_bucket{le="1",status="succeeded"} 0');
    expect(duration).toContain('hss_sync_run_duration_seconds_bucket{le="5",status="succeeded"} 1');
    expect(await samples(m, 'hss_sync_last_successful_run_timestamp_seconds')).toEqual([
      `hss_sync_last_successful_run_timestamp_seconds ${clock.now() / 1000}`,
    ]);
  });

  it('does not stamp success for a partial scope or run, and ignores skipped scopes but counts them', async () => {
    const m = createMetrics({ clock: new FakeClock(), processMetrics: false });
    m.observer.onRunStarted('r', 'cli');
    m.observer.onScopeFinished(scopeReport('partial', { imagesPending: 5 }), 10);
    m.observer.onScopeFinished(scopeReport('skipped', { imagesPending: 99 }), 0);
    m.observer.onRunFinished(runReport('partial', 0, 1000));
    expect(await samples(m, 'hss_sync_scope_last_success_timestamp_seconds')).toEqual([]);
    // Never succeeded: 0, so `time() - x > threshold` alerts fire.
    expect(await samples(m, 'hss_sync_last_successful_run_timestamp_seconds')).toEqual([
      'hss_sync_last_successful_run_timestamp_seconds 0',
    ]);
    expect(await samples(m, 'hss_sync_images_pending')).toEqual([`hss_sync_images_pending{${SCOPE_SEL}} 5`]);
    expect(await samples(m, 'hss_sync_scope_runs_total')).toEqual([
      'hss_sync_scope_runs_total{status="succeeded"} 0',
      'hss_sync_scope_runs_total{status="partial"} 1',
      'hss_sync_scope_runs_total{status="failed"} 0',
      'hss_sync_scope_runs_total{status="aborted"} 0',
      'hss_sync_scope_runs_total{status="skipped"} 1',
    ]);
  });

  it('reports budget left, rate and waiting callers per pacer key, with the credential hashed', async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 1));
    const m = createMetrics({ clock, processMetrics: false });
    const key: PacerKeySnapshot = {
      credentialId: 'AKIAEXAMPLE',
      api: 'ListImageRiskConfigs',
      ratePerMinute: 5,
      callsStarted: 0,
      throttles: 0,
      waiting: 0,
    };
    m.watchPacer({ snapshot: () => [key] });
    const cred = credentialLabel('AKIAEXAMPLE');
    expect(cred).toMatch(/^[0-9a-f]{12}$/);
    const sel = `credential="${cred}",api="ListImageRiskConfigs"`;
    expect(await samples(m, 'hss_sync_api_budget_remaining')).toEqual([
      `hss_sync_api_budget_remaining{${sel}} 5`,
    ]);
    // Three calls now, one more 30 s later.
    key.callsStarted = 3;
    m.observer.onCall(SCOPE, call());
    await clock.advance(30_000);
    key.callsStarted = 4;
    key.waiting = 2;
    m.observer.onCall(SCOPE, call());
    expect(await samples(m, 'hss_sync_api_budget_remaining')).toEqual([
      `hss_sync_api_budget_remaining{${sel}} 1`,
    ]);
    expect(await samples(m, 'hss_sync_api_calls_waiting')).toEqual([`hss_sync_api_calls_waiting{${sel}} 2`]);
    // 31 s later the first three left the window; a 429 lowered the rate to 4.
    await clock.advance(31_000);
    key.ratePerMinute = 4;
    expect(await samples(m, 'hss_sync_api_budget_remaining')).toEqual([
      `hss_sync_api_budget_remaining{${sel}} 3`,
    ]);
    expect(await samples(m, 'hss_sync_api_rate_limit_per_minute')).toEqual([
      `hss_sync_api_rate_limit_per_minute{${sel}} 4`,
    ]);
    await clock.advance(60_000);
    expect(await samples(m, 'hss_sync_api_budget_remaining')).toEqual([
      `hss_sync_api_budget_remaining{${sel}} 4`,
    ]);
    const all = await m.registry.metrics();
    expect(all).not.toContain('AKIAEXAMPLE');
  });

  it('names every metric hss_sync_*, process metrics included, and keeps registries apart', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.observer.onRunStarted('r', 'cli');
    a.setNextRun(new Date(Date.UTC(2026, 2, 1, 12, 30)));
    a.tickSkipped();
    const names = (await a.registry.getMetricsAsJSON()).map((x) => x.name);
    expect(names).toContain('hss_sync_process_cpu_seconds_total');
    expect(names).toContain('hss_sync_nodejs_heap_size_used_bytes');
    expect(names.filter((n) => !n.startsWith('hss_sync_'))).toEqual([]);
    expect(await samples(a, 'hss_sync_next_run_timestamp_seconds')).toEqual([
      `hss_sync_next_run_timestamp_seconds ${Date.UTC(2026, 2, 1, 12, 30) / 1000}`,
    ]);
    expect(await samples(a, 'hss_sync_ticks_skipped_total')).toEqual(['hss_sync_ticks_skipped_total 1']);
    expect(await samples(b, 'hss_sync_runs_in_progress')).toEqual(['hss_sync_runs_in_progress 0']);
    // A run that threw after it started: counted, and no longer in progress.
    expect(await samples(a, 'hss_sync_runs_in_progress')).toEqual(['hss_sync_runs_in_progress 1']);
    a.runCrashed();
    expect(await samples(a, 'hss_sync_runs_in_progress')).toEqual(['hss_sync_runs_in_progress 0']);
    expect(await samples(a, 'hss_sync_run_errors_total')).toEqual(['hss_sync_run_errors_total 1']);
  });
});

describe('StartWindow', () => {
  it('counts calls started inside the window from running totals, erring high', () => {
    const w = new StartWindow();
    w.record(0, 0);
    w.record(10_000, 2);
    w.record(20_000, 5);
    expect(w.startedWithin(20_000, 60_000, 5)).toBe(5);
    // At 70 s the edge is 10 s: the sample at 10 s (total 2) is the base.
    expect(w.startedWithin(70_000, 60_000, 6)).toBe(4);
    // At 80 s the sample at 20 s (total 5) is the base.
    expect(w.startedWithin(80_000, 60_000, 6)).toBe(1);
    expect(w.startedWithin(200_000, 60_000, 6)).toBe(0);
  });

  it('counts a total first seen inside the window entirely (no earlier sample)', () => {
    const w = new StartWindow();
    expect(w.startedWithin(5_000, 60_000, 3)).toBe(3);
  });

  it('shows per API the calls of the run, the calls due and the catch-up time, reset at each run', async () => {
    const m = createMetrics({ processMetrics: false });
    m.observer.onRunStarted('run-1', 'test');
    m.observer.onApiBacklog([
      { api: 'ListImageRiskConfigs', callsMade: 12, callsDue: 28, ratePerMinute: 5, catchUpSeconds: 336 },
      { api: 'ListImageRiskConfigRules', callsMade: 9, callsDue: 60, ratePerMinute: 5, catchUpSeconds: 720 },
    ]);
    expect(await samples(m, 'hss_sync_api_run_calls')).toEqual([
      'hss_sync_api_run_calls{api="ListImageRiskConfigs"} 12',
      'hss_sync_api_run_calls{api="ListImageRiskConfigRules"} 9',
    ]);
    expect(await samples(m, 'hss_sync_api_calls_due')).toEqual([
      'hss_sync_api_calls_due{api="ListImageRiskConfigs"} 28',
      'hss_sync_api_calls_due{api="ListImageRiskConfigRules"} 60',
    ]);
    expect(await samples(m, 'hss_sync_api_catch_up_seconds')).toEqual([
      'hss_sync_api_catch_up_seconds{api="ListImageRiskConfigs"} 336',
      'hss_sync_api_catch_up_seconds{api="ListImageRiskConfigRules"} 720',
    ]);
    m.observer.onRunStarted('run-2', 'test');
    expect(await samples(m, 'hss_sync_api_calls_due')).toEqual([]);
  });

  it('exposes the images per coverage state a run counted, kept as they were by a run that did not count', async () => {
    const m = createMetrics({ processMetrics: false });
    expect(await samples(m, 'hss_sync_images_coverage')).toEqual([]);
    const coverage = {
      covered: 7,
      not_scanned: 2,
      scan_failed: 1,
      no_results: 0,
      inconsistent: 3,
      pending: 4,
    };
    m.observer.onRunStarted('run-1', 'test');
    // RunReport carries coverage once the engine counts it (RunOutcome.coverage).
    const counted = { ...runReport('succeeded', 0, 1_000), coverage };
    m.observer.onRunFinished(counted);
    const expected = [
      'hss_sync_images_coverage{state="covered"} 7',
      'hss_sync_images_coverage{state="not_scanned"} 2',
      'hss_sync_images_coverage{state="scan_failed"} 1',
      'hss_sync_images_coverage{state="no_results"} 0',
      'hss_sync_images_coverage{state="inconsistent"} 3',
      'hss_sync_images_coverage{state="pending"} 4',
    ];
    expect(await samples(m, 'hss_sync_images_coverage')).toEqual(expected);
    m.observer.onRunStarted('run-2', 'test');
    m.observer.onRunFinished(runReport('aborted', 2_000, 3_000));
    expect(await samples(m, 'hss_sync_images_coverage')).toEqual(expected);
    m.observer.onRunStarted('run-3', 'test');
    const later = {
      ...runReport('partial', 4_000, 5_000),
      coverage: { ...coverage, covered: 9, pending: 2 },
    };
    m.observer.onRunFinished(later);
    expect(await samples(m, 'hss_sync_images_coverage')).toEqual([
      'hss_sync_images_coverage{state="covered"} 9',
      ...expected.slice(1, 5),
      'hss_sync_images_coverage{state="pending"} 2',
    ]);
  });
});
