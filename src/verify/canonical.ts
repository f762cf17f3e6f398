/**
 * The canonical form of a history version and its chain hash (docs/sql.md, "Tamper evidence"),
 * in TypeScript: the worker computes the same in SQL (the hss_internal chain functions), and
 * `verify` recomputes it here from the rows it reads, so it checks the data and the SQL both.
 * Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { RESULT_KEY_COLUMNS, RULE_RESULT_KEY_COLUMNS } from '../db/schema/index.js';

/** Prefix of every canonical text: the version of the form. */
export const CHAIN_FORM = 'hss-chain-v1';
/**
 * The form of a version opened with provenance (scanned_at or source_api set): the v1
 * text with this tag and those two fields appended. Versions without either keep the v1 form, so
 * every version written before keeps its hash. Unambiguous: every field is `-` or its byte length,
 * `:` and exactly that many bytes, so the text parses left to right without looking inside a
 * value, and the tag fixes the number of fields (v2 has two more than v1).
 */
export const CHAIN_FORM_V2 = 'hss-chain-v2';

/** The two histories that carry a chain. */
export type HistoryName = 'baseline' | 'rule';

/** One field: `-` when NULL, else its UTF-8 byte length, `:` and its text. */
export function chainField(v: string | number | null): string {
  if (v === null) return '-';
  const s = typeof v === 'number' ? String(v) : v;
  return `${Buffer.byteLength(s, 'utf8')}:${s}`;
}

const PG_INSTANT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamptz as PostgreSQL prints it with DateStyle ISO and TimeZone UTC
 * (`2026-03-01 08:00:00.25+00`) → the canonical instant `2026-03-01T08:00:00.250000Z` (UTC, six
 * fraction digits). Throws on any other shape: the reader sets both settings.
 */
export function canonicalInstant(pgText: string): string {
  const m = PG_INSTANT.exec(pgText);
  if (!m)
    throw new Error(`unexpected timestamptz text ${JSON.stringify(pgText)} (DateStyle ISO, TimeZone UTC)`);
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0')}Z`;
}

/** A version as read from a public history view; instants already canonical (or NULL). */
export interface ChainVersion {
  /** The key and value columns of the history, in canonical order (CHAIN_COLUMNS). */
  values: readonly (string | number | null)[];
  validFrom: string;
  validTo: string | null;
  openedRunId: string | null;
  closedRunId: string | null;
  prevHash: Buffer | null;
  /** scanned_at, canonical (or NULL); with sourceApi, absent on versions written before provenance was recorded. */
  scannedAt?: string | null;
  sourceApi?: string | null;
}

/** The columns each history's canonical form holds between prev_hash and valid_from, in order. */
export const CHAIN_COLUMNS: Record<HistoryName, readonly string[]> = {
  baseline: [...RESULT_KEY_COLUMNS, 'severity', 'check_rule_num', 'failed_rule_num', 'check_type_desc'],
  rule: [...RULE_RESULT_KEY_COLUMNS, 'check_rule_name', 'severity', 'scan_result'],
};

const hex = (b: Buffer | null) => (b === null ? null : b.toString('hex'));

/** The canonical text of a version as opened (what its open hash covers). */
export function openCanonical(history: HistoryName, v: ChainVersion): string {
  const scannedAt = v.scannedAt ?? null;
  const sourceApi = v.sourceApi ?? null;
  const v2 = scannedAt !== null || sourceApi !== null;
  const fields = [
    v2 ? CHAIN_FORM_V2 : CHAIN_FORM,
    history,
    chainField(hex(v.prevHash)),
    ...v.values.map(chainField),
    chainField(v.validFrom),
    chainField(v.openedRunId),
  ];
  if (v2) fields.push(chainField(scannedAt), chainField(sourceApi));
  return fields.join('|');
}

/** The canonical text that seals an open hash when the version closes. */
export function closeCanonical(openHash: Buffer, validTo: string, closedRunId: string | null): string {
  return [CHAIN_FORM, 'close', chainField(hex(openHash)), chainField(validTo), chainField(closedRunId)].join(
    '|',
  );
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The chain_hash a version must carry: its open hash, sealed with its end once closed. */
export function versionHash(history: HistoryName, v: ChainVersion): Buffer {
  const open = sha256(openCanonical(history, v));
  return v.validTo === null ? open : sha256(closeCanonical(open, v.validTo, v.closedRunId));
}
