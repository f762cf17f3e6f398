/**
 * Builds every file of the report in memory from one database snapshot: the queries as of the
 * instant, the tables, the chart, the page and the manifest. No file is written here.
 */
import { renderDailyChart } from './chart.js';
import { toCsv } from './csv.js';
import { loadChangeSummary, loadFailingRules, loadFixesAndRegressions, loadWorstImages } from './findings.js';
import { renderPage } from './html.js';
import { type CsvStats, renderManifest, type VerifyResult } from './manifest.js';
import {
  loadCoverage,
  loadDaily,
  loadFreshness,
  loadPosture,
  type Queryable,
  type ReportQuery,
} from './queries.js';
import { dailyPoints, type ReportData, reportTables } from './tables.js';

/**
 * Checks the history hash chain for the data a report as of `asOf` used (every version that
 * began at or before it), on the report's own snapshot. Supplied by the `verify` command's module.
 */
export type ReportVerifier = (db: Queryable, opts: { asOf: Date; asOfText: string }) => Promise<VerifyResult>;

export interface GenerateOptions extends ReportQuery {
  toolVersion: string;
  verifier?: ReportVerifier;
}

/** The report's files: name → content (index.html, one CSV per table, manifest.json last). */
export async function generateReport(db: Queryable, opts: GenerateOptions): Promise<Map<string, string>> {
  const data: ReportData = {
    freshness: await loadFreshness(db, opts),
    coverage: await loadCoverage(db, opts),
    posture: await loadPosture(db, opts),
    daily: await loadDaily(db, opts),
    worstImages: await loadWorstImages(db, opts),
    changeSummary: await loadChangeSummary(db, opts),
    fixesAndRegressions: await loadFixesAndRegressions(db, opts),
    failingRules: await loadFailingRules(db, opts),
  };
  const verify = opts.verifier
    ? await opts.verifier(db, { asOf: new Date(Date.parse(opts.asOf)), asOfText: opts.asOf })
    : null;
  const asOf = opts.asOf;
  const periodFrom = daysBefore(asOf, opts.days);
  const f = opts.filters;
  const tables = reportTables(data);
  const svg = await renderDailyChart(dailyPoints(data));
  const page = renderPage(
    {
      asOf,
      days: opts.days,
      periodFrom,
      filters: { target: f.targets, enterpriseProject: f.enterpriseProjects, imageType: f.imageTypes },
      toolVersion: opts.toolVersion,
      verify:
        verify === null
          ? 'not available'
          : verify.intact
            ? 'intact'
            : `broken (${verify.broken} ${verify.broken === 1 ? 'link' : 'links'})`,
      brokenLinks: verify && !verify.intact ? { count: verify.broken, links: verify.links } : null,
    },
    tables,
    svg,
    'daily-failed-items',
  );
  const files = new Map<string, string>([['index.html', page]]);
  const csvStats = new Map<string, CsvStats>();
  for (const t of tables) {
    const csv = toCsv(t);
    files.set(`${t.name}.csv`, csv.text);
    csvStats.set(`${t.name}.csv`, { rows: t.rows.length, rowsTotal: t.total, guarded: csv.guarded });
  }
  const manifest = renderManifest({
    asOf,
    days: opts.days,
    periodFrom,
    filters: { target: f.targets, enterprise_project: f.enterpriseProjects, image_type: f.imageTypes },
    toolVersion: opts.toolVersion,
    freshness: data.freshness,
    files,
    csvStats,
    verify,
  });
  files.set('manifest.json', manifest);
  return files;
}

/** `instant` (UTC ISO 8601, milli- or microseconds) minus whole days, with the same digits. */
export function daysBefore(instant: string, days: number): string {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(instant);
  if (!m) throw new Error(`not a canonical instant: ${instant}`);
  const shifted = new Date(Date.parse(`${m[1]}Z`) - days * 86_400_000).toISOString().slice(0, 19);
  return `${shifted}${m[2] ?? ''}Z`;
}
