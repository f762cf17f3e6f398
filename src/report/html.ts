/**
 * The page: one self-contained HTML document (inline style, the chart as inline SVG, no script,
 * no font or other file to fetch) that reads in a browser and prints to PDF. Pure: everything it
 * shows comes in as arguments, and every text from the database is escaped.
 */
import type { BrokenLinkRef } from './manifest.js';
import { type ReportTable, showControls } from './table.js';

export interface PageMeta {
  asOf: string;
  days: number;
  /** First instant of the period (asOf minus days). */
  periodFrom: string;
  filters: { target: string[] | null; enterpriseProject: string[] | null; imageType: string[] | null };
  toolVersion: string;
  /** "intact", "broken (N links)" or "not available". */
  verify: string;
  /** When the chain is broken: how many links, and the first of them (for the banner). */
  brokenLinks: { count: number; links: BrokenLinkRef[] } | null;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  // A character reference keeps a CR through the HTML parser's newline normalisation.
  '\r': '&#13;',
};

/** Text for HTML content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (ch) => ESCAPES[ch] ?? ch);
}

const STYLE = `
  :root { color-scheme: light; }
  body { font-family: Helvetica, Arial, sans-serif; font-size: 13px; color: #111; margin: 24px; }
  h1 { font-size: 20px; margin: 0 0 8px; }
  h2 { font-size: 15px; margin: 28px 0 4px; border-bottom: 1px solid #ccc; padding-bottom: 2px; }
  p.note { color: #444; margin: 2px 0 8px; max-width: 60em; }
  dl.meta { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0; }
  dl.meta dt { color: #444; }
  dl.meta dd { margin: 0; font-family: monospace; }
  table { border-collapse: collapse; margin: 4px 0 8px; font-size: 12px; max-width: 100%; }
  th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
  /* Text from upstream: a long word wraps inside the page; right-to-left text stays inside its
     cell (isolated; the page is left-to-right and bidi controls are shown, not obeyed). */
  th, td, dd { overflow-wrap: anywhere; word-break: break-word; unicode-bidi: isolate; }
  div.banner { border: 3px solid #b91c1c; background: #fef2f2; color: #7f1d1d; padding: 8px 12px; margin: 8px 0 16px; }
  div.banner strong { font-size: 15px; }
  th { background: #f3f4f6; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.prose { white-space: pre-wrap; max-width: 40em; }
  td.id { font-family: monospace; font-size: 11px; word-break: break-all; min-width: 6em; max-width: 22em; }
  td.empty { color: #777; font-style: italic; }
  figure { margin: 8px 0; }
  summary { cursor: pointer; color: #444; }
  svg { max-width: 100%; height: auto; }
  @media print {
    @page { size: A4 landscape; margin: 12mm; }
    body { margin: 0; font-size: 11px; }
    table { font-size: 10px; }
    thead { display: table-header-group; }
    tr, figure { break-inside: avoid; }
    h2 { break-after: avoid; }
  }
`;

function renderTable(t: ReportTable): string {
  const head = t.columns.map(
    (c) => `<th scope="col" data-key="${escapeHtml(c.key)}">${escapeHtml(c.label)}</th>`,
  );
  const body =
    t.rows.length === 0
      ? `<tr><td class="empty" colspan="${t.columns.length}">none</td></tr>`
      : t.rows
          .map((row) => {
            const cells = row.map((v, i) => {
              const col = t.columns[i];
              const cls = col?.numeric
                ? ' class="num"'
                : col?.prose
                  ? ' class="prose"'
                  : col?.key.endsWith('_id')
                    ? ' class="id"'
                    : '';
              return `<td${cls}>${escapeHtml(v)}</td>`;
            });
            return `<tr>${cells.join('')}</tr>`;
          })
          .join('\n');
  return [
    `<section id="${escapeHtml(t.name)}">`,
    `<h2>${escapeHtml(t.title)}</h2>`,
    t.note ? `<p class="note">${escapeHtml(t.note)} File: <code>${escapeHtml(t.name)}.csv</code>.</p>` : '',
    `<table data-table="${escapeHtml(t.name)}" data-rows="${t.rows.length}">`,
    `<thead><tr>${head.join('')}</tr></thead>`,
    `<tbody>\n${body}\n</tbody>`,
    '</table>',
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

const listOrAll = (v: string[] | null) => (v === null ? 'all' : v.map(showControls).join(', '));

/** The banner of a report whose history hash chain is broken: first on the page, never missed. */
function brokenBanner(b: NonNullable<PageMeta['brokenLinks']>): string {
  const rows = b.links.map(
    (l) =>
      `<tr><td>${escapeHtml(l.history)}</td><td>${escapeHtml(l.kind)}</td><td>${escapeHtml(
        showControls(
          Object.entries(l.key)
            .map(([k, v]) => `${k}=${v ?? ''}`)
            .join(' '),
        ),
      )}</td><td>${escapeHtml(l.version_id)}</td><td>${escapeHtml(l.valid_from)}</td></tr>`,
  );
  return [
    '<div class="banner" role="alert" data-banner="broken-chain">',
    `<p><strong>The history hash chain is broken: ${b.count} ${b.count === 1 ? 'link' : 'links'}.</strong> Versions of the history were changed, deleted or added after they were recorded, so this evidence may not be what was recorded. The broken versions${b.count > b.links.length ? ` (the first ${b.links.length})` : ''}, also in manifest.json "verify"; <code>hss-baseline-sync verify</code> names every one:</p>`,
    '<table data-broken-links><thead><tr><th>history</th><th>problem</th><th>key</th><th>version</th><th>valid from (UTC)</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody></table>`,
    '</div>',
  ].join('\n');
}

/**
 * The whole page. `chartSvg` is placed before the table named `chartBefore`; it comes from the
 * charting library (already SVG markup, not text from the database).
 */
export function renderPage(
  meta: PageMeta,
  tables: readonly ReportTable[],
  chartSvg: string,
  chartBefore: string,
): string {
  const facts: [string, string][] = [
    ['as of', showControls(meta.asOf)],
    ['period', `${meta.periodFrom} to ${meta.asOf} (${meta.days} days)`],
    ['target', listOrAll(meta.filters.target)],
    ['enterprise project', listOrAll(meta.filters.enterpriseProject)],
    ['image type', listOrAll(meta.filters.imageType)],
    ['history chain', meta.verify],
    ['tool', `hss-baseline-sync ${meta.toolVersion}`],
  ];
  const sections = tables.map((t) => {
    const table = renderTable(t);
    if (t.name !== chartBefore) return table;
    // The numbers behind the chart, folded under it (one row per day is long on paper).
    return [
      '<section id="chart">',
      `<h2>Failed check items per day, by severity (the ${meta.days} days before the instant)</h2>`,
      `<figure data-chart="daily-failed-items">${chartSvg}</figure>`,
      `<details><summary>The numbers of the chart (${t.rows.length} days, also in ${escapeHtml(t.name)}.csv)</summary>`,
      table,
      '</details>',
      '</section>',
    ].join('\n');
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>HSS image baseline posture as of ${escapeHtml(meta.asOf)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>HSS container image baseline posture</h1>',
    ...(meta.brokenLinks ? [brokenBanner(meta.brokenLinks)] : []),
    '<dl class="meta">',
    ...facts.map(
      ([k, v]) => `<dt>${escapeHtml(k)}</dt><dd data-meta="${escapeHtml(k)}">${escapeHtml(v)}</dd>`,
    ),
    '</dl>',
    '<p class="note">Everything below is what the history held at the instant (UTC). Each table is also a CSV file beside this page; manifest.json holds their SHA-256.</p>',
    '</header>',
    '<main>',
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
