/**
 * The fingerprint of the histories as they stood at an instant T (docs/audit.md): per key, the
 * hash of its last version that began at or before T, recomputed from the version's content (the
 * open hash; sealed with valid_to and closed_run_id when the version had closed by T). Each
 * version's open hash covers its prev_hash, the sealed hash of the version before it, so one hash
 * per key commits to the key's whole history up to T; what happens after T (a version opened, the
 * head closed after T, retention writing anchors) changes none of it. Keys with no version at or
 * before T are left out. The digest is SHA-256 over `hss-asof-v1|<T>` and one
 * `<history>|<key>|<hash>` line per key, in history then key order.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { type ChainVersion, closeCanonical, type HistoryName, openCanonical, sha256 } from './canonical.js';
import { HISTORY_VIEWS, type ReadVersion, readVersions } from './reader.js';

/** Tag of the digest's canonical text; a new form gets a new tag. */
export const AS_OF_FORM = 'hss-asof-v1';

export interface AsOfDigest {
  /** `hss-asof-v1`. */
  form: string;
  /** T, canonical: UTC with six fractional digits (`2026-03-01T00:00:00.000000Z`). */
  asOf: string;
  /** Hex SHA-256 of the canonical text. */
  digest: string;
  /** Keys with a version at or before T, per history. */
  keys: Record<HistoryName, number>;
}

/** T's history is no longer whole: retention pruned a key's version in force at T. */
export class AsOfPrunedError extends Error {
  readonly pruned: number;
  constructor(asOf: string, pruned: number) {
    super(
      `the history as of ${asOf} is no longer whole: retention (HSS_HISTORY_RETENTION_DAYS) deleted the version in force then of ${pruned} ${pruned === 1 ? 'key' : 'keys'}, so its digest cannot be recomputed`,
    );
    this.name = 'AsOfPrunedError';
    this.pruned = pruned;
  }
}

type Client = Pick<pg.ClientBase, 'query'>;

/** The first line of the digest's text: the form and T (canonical). */
export function asOfHeader(asOf: string): string {
  return `${AS_OF_FORM}|${asOf}\n`;
}

/** One key's line of the digest's text. */
export function asOfLine(history: HistoryName, key: string, head: Buffer): string {
  return `${history}|${key}|${head.toString('hex')}\n`;
}

/**
 * Pure: the hash a key contributes at T (canonical), from its last version that began by T:
 * the open hash recomputed from its content, sealed with valid_to and closed_run_id when the
 * version had closed by T (the close is then part of the state at T: the key was gone or
 * replaced). The stored chain_hash is not used.
 */
export function asOfHead(history: HistoryName, v: ChainVersion, asOf: string): Buffer {
  const open = sha256(openCanonical(history, v));
  return v.validTo !== null && v.validTo <= asOf
    ? sha256(closeCanonical(open, v.validTo, v.closedRunId))
    : open;
}

/** T as the digest writes it, computed by PostgreSQL from the text given (microseconds kept). */
export async function canonicalAsOf(client: Client, asOf: string): Promise<string> {
  const r = await client.query<{ t: string }>(
    `SELECT to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`,
    [asOf],
  );
  return r.rows[0]!.t;
}

/** Keys of `history` with an anchor but no version left that began at or before T. */
async function prunedKeys(client: Client, history: HistoryName, asOf: string): Promise<number> {
  const { view, key } = HISTORY_VIEWS[history];
  const r = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM hss.history_chain_anchors a
      WHERE a.history = $1 AND NOT EXISTS (
        SELECT 1 FROM ${view} v WHERE v.${key} = a.key AND v.valid_from <= $2::timestamptz)`,
    [history, asOf],
  );
  return r.rows[0]?.n ?? 0;
}

/**
 * The as-of digest of T (ISO text; microseconds kept), read in the caller's snapshot
 * (REPEATABLE READ, TimeZone UTC, DateStyle ISO: openSnapshot, or the report's). Reads every
 * version once; memory holds one page. Throws AsOfPrunedError when retention deleted a version
 * in force at T.
 */
export async function asOfDigestIn(client: Client, asOfText: string, pageSize = 5000): Promise<AsOfDigest> {
  const asOf = await canonicalAsOf(client, asOfText);
  let pruned = 0;
  for (const history of ['baseline', 'rule'] as const) pruned += await prunedKeys(client, history, asOf);
  if (pruned > 0) throw new AsOfPrunedError(asOf, pruned);
  const hash = createHash('sha256').update(asOfHeader(asOf), 'utf8');
  const keys: Record<HistoryName, number> = { baseline: 0, rule: 0 };
  for (const history of ['baseline', 'rule'] as const) {
    // Every version in (key, valid_from) order, as the chain check reads them (an index scan even
    // without statistics); the last one of a key that began by T is its head. Filtering on
    // valid_from in SQL would let a planner without statistics sort the whole table per page.
    let head: ReadVersion | null = null;
    const emit = () => {
      if (head === null) return;
      hash.update(asOfLine(history, head.chainKey, asOfHead(history, head, asOf)), 'utf8');
      keys[history]++;
      head = null;
    };
    for await (const page of readVersions(client, history, { since: null, pageSize })) {
      for (const v of page) {
        if (head !== null && head.chainKey !== v.chainKey) emit();
        if (v.validFrom <= asOf) head = v;
      }
    }
    emit();
  }
  return { form: AS_OF_FORM, asOf, digest: hash.digest('hex'), keys };
}
