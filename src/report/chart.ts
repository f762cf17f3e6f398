/**
 * The chart of failed check items per day by severity: a Vega-Lite spec compiled by vega-lite and
 * rendered to SVG on the server by a headless Vega View (`renderer: 'none'`), so the page needs
 * no script. Deterministic: days are ordinal text (no date parsing, so no time zone), the colour
 * and stacking order are fixed, Vega formats numbers without the system locale and, with no
 * canvas package installed, measures text with its own estimate instead of installed fonts.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Severities of the chart, worst first, with their colours. */
export const CHART_SEVERITIES = [
  { severity: 'Critical', color: '#7f1d1d' },
  { severity: 'High', color: '#dc2626' },
  { severity: 'Medium', color: '#f59e0b' },
  { severity: 'Low', color: '#facc15' },
  { severity: 'Security', color: '#2563eb' },
  { severity: 'other', color: '#9ca3af' },
] as const;

export interface DailyPoint {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  severity: string;
  failedItems: number;
}

/** The Vega-Lite spec (pure; exported for tests). */
export function dailyChartSpec(points: readonly DailyPoint[]): TopLevelSpec {
  const rank = new Map<string, number>(CHART_SEVERITIES.map((s, i) => [s.severity, i]));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'Failed check items per day by severity',
    width: 720,
    height: 220,
    background: 'white',
    data: {
      values: points.map((p) => ({
        day: p.day,
        severity: p.severity,
        failed_items: p.failedItems,
        order: rank.get(p.severity) ?? CHART_SEVERITIES.length,
      })),
    },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'day',
        type: 'ordinal',
        title: 'day (UTC)',
        sort: 'ascending',
        axis: { labelAngle: -45, labelOverlap: 'parity', labelExpr: 'substring(datum.value, 5)' },
      },
      y: { field: 'failed_items', type: 'quantitative', aggregate: 'sum', title: 'failed check items' },
      color: {
        field: 'severity',
        type: 'nominal',
        title: 'severity',
        scale: {
          domain: CHART_SEVERITIES.map((s) => s.severity),
          range: CHART_SEVERITIES.map((s) => s.color),
        },
      },
      order: { field: 'order', type: 'quantitative', sort: 'descending' },
    },
    config: {
      font: 'Helvetica, Arial, sans-serif',
      axis: { labelFontSize: 10, titleFontSize: 11 },
      legend: { labelFontSize: 11, titleFontSize: 11 },
    },
  };
}

/** The chart as an SVG document (no script, no external reference). */
export async function renderDailyChart(points: readonly DailyPoint[]): Promise<string> {
  const { spec } = compile(dailyChartSpec(points));
  const view = new View(parse(spec), { renderer: 'none', logLevel: 0 });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
