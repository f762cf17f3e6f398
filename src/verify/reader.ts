/**
 * Reads a history's versions through its public view (hss.image_baseline_history,
 * hss.image_rule_history) in pages ordered by key and valid_from, inside one read-only
 * REPEATABLE READ transaction: the whole check sees one snapshot while the worker goes on writing,
 * and memory holds one page. Needs only SELECT on the public views (hss_reader).
 */
import pg from 'pg';
import { RESULT_KEY_COLUMNS, RULE_RESULT_KEY_COLUMNS } from '../db/schema/index.js';
import { CHAIN_COLUMNS, type ChainVersion, canonicalInstant, type HistoryName } from './canonical.js';

/** Where a history lives in the public surface and which column is its chain key. */
export const HISTORY_VIEWS: Record<
  HistoryName,
  { view: string; key: string; keyColumns: readonly string[] }
> = {
  baseline: {
    view: 'hss.image_baseline_history',
    key: 'result_key',
    keyColumns: RESULT_KEY_COLUMNS,
  },
  rule: {
    view: 'hss.image_rule_history',
    key: 'rule_result_key',
    keyColumns: RULE_RESULT_KEY_COLUMNS,
  },
};

/** A version read for verification. */
export interface ReadVersion extends ChainVersion {
  /** result_key / rule_result_key: the chain the version belongs to. */
  chainKey: string;
  versionId: string;
  chainHash: Buffer | null;
  /** valid_from as PostgreSQL printed it (the paging position). */
  rawValidFrom: string;
}

interface Row {
  [column: string]: unknown;
}

const TIMESTAMPTZ_OID = 1184;
// timestamptz as text, untouched: a JS Date keeps milliseconds only, a version may open at a
// microsecond (clock-went-back floors).
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID ? (v: string) => v : pg.types.getTypeParser(oid, format ?? 'text'),
} as pg.CustomTypesConfig;

/** Opens the snapshot every read of one verification shares; `done` ends it. */
export async function openSnapshot(pool: pg.Pool): Promise<{ client: pg.PoolClient; done(): Promise<void> }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    await client.query(`SET LOCAL DateStyle = 'ISO, YMD'`);
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
  return {
    client,
    async done() {
      try {
        await client.query('COMMIT');
        client.release();
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
    },
  };
}

/**
 * Every version of `history` (with `since`: only those still open or closed at or after it, a
 * suffix of each key's chain), ordered by key and valid_from, `pageSize` at a time.
 */
export async function* readVersions(
  client: Pick<pg.ClientBase, 'query'>,
  history: HistoryName,
  o: { since: Date | null; pageSize: number },
): AsyncGenerator<ReadVersion[]> {
  const { view, key } = HISTORY_VIEWS[history];
  const cols = CHAIN_COLUMNS[history];
  let after: { key: string; validFrom: string } | null = null;
  for (;;) {
    const values: unknown[] = [o.pageSize];
    const where: string[] = [];
    if (o.since) {
      values.push(o.since);
      where.push(`(valid_to IS NULL OR valid_to >= $${values.length})`);
    }
    if (after) {
      values.push(after.key, after.validFrom);
      where.push(`(${key}, valid_from) > ($${values.length - 1}::uuid, $${values.length}::timestamptz)`);
    }
    const text = `
SELECT ${key}::text AS chain_key, version_id::text AS version_id, ${cols.join(', ')},
  valid_from, valid_to, opened_run_id::text AS opened_run_id, closed_run_id::text AS closed_run_id,
  prev_hash, chain_hash, scanned_at, source_api
FROM ${view}
${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
ORDER BY ${key}, valid_from
LIMIT $1`;
    const rows = (await client.query<Row>({ text, values, types })).rows;
    if (rows.length === 0) return;
    yield rows.map((r) => toVersion(r, cols));
    if (rows.length < o.pageSize) return;
    const last = rows[rows.length - 1]!;
    after = { key: last.chain_key as string, validFrom: last.valid_from as string };
  }
}

function toVersion(r: Row, cols: readonly string[]): ReadVersion {
  return {
    chainKey: r.chain_key as string,
    versionId: r.version_id as string,
    values: cols.map((c) => r[c] as string | number | null),
    rawValidFrom: r.valid_from as string,
    validFrom: canonicalInstant(r.valid_from as string),
    validTo: r.valid_to === null ? null : canonicalInstant(r.valid_to as string),
    openedRunId: r.opened_run_id as string | null,
    closedRunId: r.closed_run_id as string | null,
    prevHash: r.prev_hash as Buffer | null,
    chainHash: r.chain_hash as Buffer | null,
    scannedAt: r.scanned_at === null ? null : canonicalInstant(r.scanned_at as string),
    sourceApi: r.source_api as string | null,
  };
}

/** The retention anchors (hss.history_chain_anchors) of `keys` in `history`: key → chain hash. */
export async function readAnchors(
  client: Pick<pg.ClientBase, 'query'>,
  history: HistoryName,
  keys: readonly string[],
): Promise<Map<string, Buffer>> {
  if (keys.length === 0) return new Map();
  const r = await client.query<{ key: string; chain_hash: Buffer }>(
    `SELECT key::text AS key, chain_hash FROM hss.history_chain_anchors WHERE history = $1 AND key = ANY($2::uuid[])`,
    [history, keys],
  );
  return new Map(r.rows.map((a) => [a.key, a.chain_hash]));
}
