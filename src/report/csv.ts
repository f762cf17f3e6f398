/**
 * RFC 4180 CSV: a header row, CRLF after every record, fields quoted when they hold a comma, a
 * double quote, CR or LF (a double quote doubled inside). UTF-8 without a byte-order mark.
 *
 * Formula guard (OWASP "CSV injection"): a spreadsheet runs a cell that begins with `=`, `+`,
 * `-`, `@`, TAB or CR as a formula, and the cells hold text from upstream (rule names, image
 * names). Such a cell gets a single quote `'` before it, unless it is a plain number (`-3`, `+1.5`:
 * a spreadsheet reads it as that number, nothing runs), so numeric columns keep their values.
 * The page shows the text without the quote; manifest.json says the guard was applied
 * (`csv_formula_guard`) and how many cells of each file got it.
 */
import type { ReportTable } from './table.js';

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** The name manifest.json gives the guard. */
export const CSV_FORMULA_GUARD = 'prefix-apostrophe';

/** Whether a cell gets the formula guard. */
export function needsFormulaGuard(value: string): boolean {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value);
}

/** The cell as the CSV holds it: guarded, then quoted where RFC 4180 needs it. */
export function csvField(value: string): string {
  const v = needsFormulaGuard(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** The whole CSV of a table (header of column keys, then its rows) and how many cells were guarded. */
export function toCsv(table: ReportTable): { text: string; guarded: number } {
  let guarded = 0;
  for (const row of table.rows) for (const v of row) if (needsFormulaGuard(v)) guarded++;
  const text = [csvRecord(table.columns.map((c) => c.key)), ...table.rows.map(csvRecord)].join('');
  return { text, guarded };
}
