/**
 * RFC 4180 CSV: a header row, CRLF after every record, fields quoted when they hold a comma, a
 * double quote, CR or LF (a double quote doubled inside). UTF-8 without a byte-order mark.
 */
import type { ReportTable } from './table.js';

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** The whole CSV of a table: header (column keys), then its rows. */
export function toCsv(table: ReportTable): string {
  return [csvRecord(table.columns.map((c) => c.key)), ...table.rows.map(csvRecord)].join('');
}
