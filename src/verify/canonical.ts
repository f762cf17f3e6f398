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
}

/** The columns each history's canonical form holds between prev_hash and valid_from, in order. */
export const CHAIN_COLUMNS: Record<HistoryName, readonly string[]> = {
  baseline: [...RESULT_KEY_COLUMNS, 'severity', 'check_rule_num', 'failed_rule_num', 'check_type_desc'],
  rule: [...RULE_RESULT_KEY_COLUMNS, 'check_rule_name', 'severity', 'scan_result'],
};

const hex = (b: Buffer | null) => (b === null ? null : b.toString('hex'));

/** The canonical text of a version as opened (what its open hash covers). */
export function openCanonical(history: HistoryName, v: ChainVersion): string {
  return [
    CHAIN_FORM,
    history,
    chainField(hex(v.prevHash)),
    ...v.values.map(chainField),
    chainField(v.validFrom),
    chainField(v.openedRunId),
  ].join('|');
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
