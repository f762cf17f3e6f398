/**
 * A table of the report: what the page shows and its CSV holds, cell for cell. Cells are text,
 * formatted here once (no locale, no time zone), so the page and the CSV cannot disagree.
 */

export type Cell = string | number | bigint | boolean | Date | null | undefined;

export interface Column {
  /** CSV header and JSON key (snake_case). */
  key: string;
  /** Header on the page. */
  label: string;
  /** Right-aligned on the page (numbers). */
  numeric?: boolean;
  /** Long text kept with its line breaks on the page. */
  prose?: boolean;
}

export interface ReportTable {
  /** File name of its CSV, without `.csv`. */
  name: string;
  title: string;
  columns: Column[];
  /** Formatted cells, one array per row in column order. */
  rows: string[][];
  /** A sentence under the title (what the rows are, what was left out). */
  note?: string;
  /** Rows before the cut to the top N (= rows.length when nothing was cut). */
  total: number;
}

/**
 * Characters that act instead of showing: C0 controls but TAB, LF and CR (kept: text from HSS
 * holds line breaks), DEL, C1 controls, and the bidirectional marks, embeddings, overrides and
 * isolates (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which reorder the text around them.
 */
const ACTING = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Each acting character as the visible text `\uXXXX` (four lower-case hex digits), so the page
 * and the CSV show that it was there and neither a terminal, a spreadsheet nor a browser obeys it.
 * The escape is for reading, not reversible: a literal `\u001b` typed upstream looks the same.
 */
export function showControls(text: string): string {
  return text.replace(ACTING, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One cell as text: instants (from queries.ts already text with their microseconds; a Date
 * with milliseconds) in UTC ISO 8601, numbers as plain digits,
 * booleans as true/false, absent values as the empty string.
 */
export function formatCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  return String(v);
}

/** Builds a table from query rows: each column's key names the row field it reads. */
export function tableOf(
  spec: Omit<ReportTable, 'rows' | 'total'>,
  rows: readonly Record<string, Cell>[],
  total = rows.length,
): ReportTable {
  return {
    ...spec,
    rows: rows.map((r) => spec.columns.map((c) => showControls(formatCell(r[c.key])))),
    total,
  };
}
