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
}

/**
 * One cell as text: instants in UTC ISO 8601 with milliseconds, numbers as plain digits,
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
export function tableOf(spec: Omit<ReportTable, 'rows'>, rows: readonly Record<string, Cell>[]): ReportTable {
  return { ...spec, rows: rows.map((r) => spec.columns.map((c) => formatCell(r[c.key]))) };
}
