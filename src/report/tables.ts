/**
 * The tables of the report, in the order of the page: each one is shown as an HTML table and
 * written as `<name>.csv` (pure: rows in, tables out).
 */
import type { DailyPoint } from './chart.js';
import { RULES_LIMIT, WORST_IMAGES_LIMIT } from './findings.js';
import { COVERAGE_STATES, DAILY_SEVERITIES, type Row } from './queries.js';
import { type Column, formatCell, type ReportTable, tableOf } from './table.js';

/** What the queries returned, as of the instant. */
export interface ReportData {
  freshness: Row[];
  coverage: Row[];
  posture: Row[];
  daily: Row[];
  worstImages: Row[];
  changeSummary: Row[];
  fixesAndRegressions: Row[];
  failingRules: Row[];
}

const c = (key: string, label: string, extra: Partial<Column> = {}): Column => ({ key, label, ...extra });
const n = (key: string, label: string): Column => c(key, label, { numeric: true });
const SCOPE: Column[] = [
  c('target', 'target'),
  c('project_id', 'project'),
  c('enterprise_project_id', 'enterprise project'),
  c('image_type', 'image type'),
];

/** The daily points of the chart (failed items per day and severity). */
export function dailyPoints(data: ReportData): DailyPoint[] {
  return data.daily.map((r) => ({
    day: String(r.day),
    severity: String(r.severity),
    failedItems: Number(r.failed_items),
  }));
}

/** One row per day: the failed items of each severity and their total. */
function dailyTable(points: readonly DailyPoint[]): ReportTable {
  const days = new Map<string, Map<string, number>>();
  for (const p of points) {
    const day = days.get(p.day) ?? new Map<string, number>();
    day.set(p.severity, (day.get(p.severity) ?? 0) + p.failedItems);
    days.set(p.day, day);
  }
  const sevs = DAILY_SEVERITIES;
  const rows = [...days].map(([day, bySev]) => {
    const values = sevs.map((s) => bySev.get(s) ?? 0);
    return [day, ...values.map(formatCell), formatCell(values.reduce((a, b) => a + b, 0))];
  });
  return {
    name: 'daily-failed-items',
    title: 'Failed check items per day',
    note: 'Failed check items of the results valid at the end of each UTC day, by the severity of the result (other: any other severity, or none). The days start with the first one that ended after the first run of the chosen scopes finished: nothing was observed before.',
    columns: [c('day', 'day (UTC)'), ...sevs.map((s) => n(s.toLowerCase(), s)), n('total', 'total')],
    rows,
    total: rows.length,
  };
}

const totalOf = (rows: Row[], key: string): number => Number(rows[0]?.[key] ?? 0);

/** What the page calls each coverage state (the CSV keeps the state's name). */
const COVERAGE_LABELS: Record<(typeof COVERAGE_STATES)[number], string> = {
  scan_failed: 'scan failed',
  not_scanned: 'not scanned',
  pending: 'pending',
  no_results: 'no results',
  inconsistent: 'inconsistent',
  covered: 'covered',
};

/** Marks a column whose text is the one stored today, not the one of the instant. */
const CURRENT = ' (current value)';

/** Coverage states at the instant, per scope. */
function coverageTable(data: ReportData): ReportTable {
  return tableOf(
    {
      name: 'coverage',
      title: 'Coverage',
      note: "Image contents listed at the instant, each in one state of hss.image_coverage, decided in the same order: scan failed (the listing says the scan failed), not scanned (no scan listed by then), pending (listed scan newer than the results fetched, or never fetched), no results (fetched, no results valid then), inconsistent (the listing's unsafe settings disagree with the failing results), covered. The listing's scan status and unsafe settings are those stored today (HSS keeps no history of them).",
      columns: [
        ...SCOPE,
        n('images_listed', 'images listed'),
        ...COVERAGE_STATES.map((st) => n(`images_${st}`, COVERAGE_LABELS[st])),
      ],
    },
    data.coverage,
  );
}

/** Results by standard and severity. */
function postureTable(data: ReportData): ReportTable {
  return tableOf(
    {
      name: 'posture',
      title: 'Posture by standard and severity',
      note: 'Baseline results valid at the instant.',
      columns: [
        c('standard', 'standard'),
        c('severity', 'severity'),
        n('results', 'results'),
        n('images', 'images'),
        n('results_failing', 'results failing'),
        n('failed_items', 'failed items'),
        n('check_items', 'check items'),
      ],
    },
    data.posture,
  );
}

/** The worst images, with how many fail in all. */
function worstImagesTable(data: ReportData): ReportTable {
  const imagesFailing = totalOf(data.worstImages, 'images_failing_total');
  return tableOf(
    {
      name: 'worst-images',
      title: 'Worst images',
      note: `Images with a failing baseline at the instant, worst severity and most failed items first: ${Math.min(imagesFailing, WORST_IMAGES_LIMIT)} shown of ${imagesFailing}. Image names are those of the references listed at the instant, as stored today.`,
      columns: [
        c('target', 'target'),
        c('enterprise_project_id', 'enterprise project'),
        c('image_type', 'image type'),
        c('image_id', 'image id'),
        c('image_names', `image names${CURRENT}`),
        c('worst_severity', 'worst severity'),
        n('baselines_failing', 'baselines failing'),
        n('failed_items', 'failed items'),
        n('check_items', 'check items'),
        c('failing_baselines', 'failing baselines', { prose: true }),
      ],
    },
    data.worstImages,
    imagesFailing,
  );
}

/** Changes in the period, by kind. */
function changesTable(data: ReportData): ReportTable {
  return tableOf(
    {
      name: 'changes',
      title: 'Changes in the period',
      note: 'Changes of results in the period before the instant, by kind (a change can be both worsened and regressed).',
      columns: [c('kind', 'change'), n('results', 'results'), n('images', 'images')],
    },
    data.changeSummary,
  );
}

/** Each fix and regression of the period. */
function fixesTable(data: ReportData): ReportTable {
  return tableOf(
    {
      name: 'fixes-and-regressions',
      title: 'Fixes and regressions in the period',
      note: 'Results that stopped failing (fixed) or started failing again (regressed), oldest first.',
      columns: [
        c('changed_at', 'changed at (UTC)'),
        c('kind', 'change'),
        c('target', 'target'),
        c('enterprise_project_id', 'enterprise project'),
        c('image_type', 'image type'),
        c('image_id', 'image id'),
        c('check_name', 'baseline'),
        c('check_type', 'type'),
        c('standard', 'standard'),
        c('severity_before', 'severity before'),
        c('severity_after', 'severity after'),
        n('failed_before', 'failed before'),
        n('failed_after', 'failed after'),
        c('run_id', 'run'),
      ],
    },
    data.fixesAndRegressions,
  );
}

/** The failing rules and their remediation, with how many fail in all. */
function failingRulesTable(data: ReportData): ReportTable {
  const rulesFailing = totalOf(data.failingRules, 'rules_failing_total');
  return tableOf(
    {
      name: 'failing-rules',
      title: 'Failing rules and their remediation',
      note: `Rules (check items) failing at the instant, worst severity and most images first: ${Math.min(rulesFailing, RULES_LIMIT)} shown of ${rulesFailing}. Remediation where the rule drill-down fetched it, as stored today (HSS keeps no history of it).`,
      columns: [
        c('check_name', 'baseline'),
        c('check_type', 'type'),
        c('standard', 'standard'),
        c('check_rule_id', 'rule id'),
        c('check_rule_name', 'rule'),
        c('severity', 'severity'),
        n('images_failing', 'images failing'),
        c('failing_since', 'failing since (UTC)'),
        c('remediation', `remediation${CURRENT}`, { prose: true }),
      ],
    },
    data.failingRules,
    rulesFailing,
  );
}

/** The last runs each scope rests on. */
function freshnessTable(data: ReportData): ReportTable {
  return tableOf(
    {
      name: 'freshness',
      title: 'Data freshness',
      note: 'Per scope, the last scope run that finished by the instant (the evidence rests on it) and the last succeeded one.',
      columns: [
        ...SCOPE,
        c('last_run_id', 'last run'),
        c('last_run_status', 'status'),
        c('last_run_finished_at', 'finished (UTC)'),
        c('last_success_run_id', 'last succeeded run'),
        c('last_success_at', 'succeeded at (UTC)'),
        n('hours_since_success', 'hours before the instant'),
      ],
    },
    data.freshness,
  );
}

/** Every table of the page, in page order. */
export function reportTables(data: ReportData): ReportTable[] {
  return [
    coverageTable(data),
    postureTable(data),
    dailyTable(dailyPoints(data)),
    worstImagesTable(data),
    changesTable(data),
    fixesTable(data),
    failingRulesTable(data),
    freshnessTable(data),
  ];
}
