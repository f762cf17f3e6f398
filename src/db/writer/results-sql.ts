/**
 * The statements of writeImageResults, built apart from their execution. Each reads its batch
 * through unnest (see params.ts) and returns { text, values }.
 */
import { type ColumnSpec, Params } from '../params.js';
import {
  BASELINE_KEY_COLUMNS,
  CHAIN_CLOSE_SQL,
  IMAGE_KEY_COLUMNS as KEY_COLS,
  RESULT_KEY_COLUMNS as RESULT_KEY_COLS,
  resultKeySql,
} from '../schema/index.js';
import { type ContentRow, type ImageKeyRow, imageKeyOf, type ResultRow } from './results-plan.js';

export interface Statement {
  text: string;
  values: unknown[];
}

const VALUE_COLS = ['severity', 'check_rule_num', 'failed_rule_num', 'check_type_desc'] as const;

const IMAGE_SPEC: ColumnSpec = KEY_COLS.map((c) => [c, 'text'] as const);
const RESULT_KEY_SPEC: ColumnSpec = RESULT_KEY_COLS.map((c) => [c, 'text'] as const);
const RESULT_SPEC: ColumnSpec = [
  ...RESULT_KEY_SPEC,
  ['severity', 'text'],
  ['check_rule_num', 'integer'],
  ['failed_rule_num', 'integer'],
  ['check_type_desc', 'text'],
];
const CONTENT_SPEC: ColumnSpec = [
  ...IMAGE_SPEC,
  ['fetched_scan_time', 'timestamptz'],
  ['fetched_digest', 'text'],
  ['fetched_unsafe_num', 'integer'],
  ['fetched_scan_status', 'text'],
  ['outcome', 'text'],
  ['result_count', 'integer'],
];

const eq = (a: string, b: string, cols: readonly string[]) =>
  cols.map((c) => `${a}.${c} = ${b}.${c}`).join(' AND ');
const list = (a: string, cols: readonly string[]) => cols.map((c) => `${a}.${c}`).join(', ');

/**
 * (a) Upsert image_contents: signal, fetched_at = at, outcome, result count, not removed. Returns
 * the image key columns of the contents it inserted (xmax = 0: not an update): images never
 * written before, which have no history (their versions start their keys' chains).
 */
export function upsertContentsSql(contents: readonly ContentRow[], at: Date): Statement {
  const p = new Params();
  const from = p.unnest(contents, CONTENT_SPEC, 'r');
  const $at = p.add(at);
  const text = `
WITH upserted AS (
INSERT INTO hss_internal.image_contents AS c (
  ${KEY_COLS.join(', ')}, fetched_scan_time, fetched_digest, fetched_unsafe_num, fetched_scan_status,
  fetched_at, outcome, result_count, first_seen_at, removed_at)
SELECT ${list('r', KEY_COLS)}, r.fetched_scan_time, r.fetched_digest, r.fetched_unsafe_num,
  r.fetched_scan_status, ${$at}, r.outcome, r.result_count, ${$at}, NULL
FROM ${from}
ON CONFLICT (${KEY_COLS.join(', ')}) DO UPDATE SET
  fetched_scan_time = excluded.fetched_scan_time,
  fetched_digest = excluded.fetched_digest,
  fetched_unsafe_num = excluded.fetched_unsafe_num,
  fetched_scan_status = excluded.fetched_scan_status,
  fetched_at = excluded.fetched_at,
  outcome = excluded.outcome,
  -- not_scanned leaves the versions open, so the count of the last fetch still describes them
  result_count = CASE WHEN excluded.outcome = 'fetched' THEN excluded.result_count ELSE c.result_count END,
  removed_at = NULL
RETURNING ${KEY_COLS.join(', ')}, xmax = 0 AS inserted
)
SELECT ${KEY_COLS.join(', ')} FROM upserted WHERE inserted`;
  return { text, values: p.values };
}

/**
 * The time versions of an image open and close at is normally `at`. When the clock went back or
 * stood still, `at` could fall before a version being closed (CHECK valid_to > valid_from) or
 * before the end of a closed version being reopened (the exclusion constraint). This returns,
 * for those images only, the earliest later time that keeps their history ordered, as UTC text
 * to the microsecond: (image key columns, at).
 */
export function floorsSql(
  images: readonly ImageKeyRow[],
  results: readonly ResultRow[],
  at: Date,
): Statement {
  const p = new Params();
  const img = p.unnest(images, IMAGE_SPEC, 'i');
  const res = p.unnest(results, RESULT_KEY_SPEC, 'r');
  const $at = p.add(at);
  // Every probe is a LATERAL subquery with LIMIT, so it runs as an index lookup per incoming row
  // whatever the statistics say (a first sync outruns autovacuum's ANALYZE: the planner then
  // believes the history is tiny and would hash all of it for every batch).
  const text = `
WITH img AS (SELECT * FROM ${img}),
res AS (SELECT * FROM ${res}),
floors AS (
  SELECT ${list('img', KEY_COLS)}, cur.valid_from + interval '1 millisecond' AS floor
  FROM img CROSS JOIN LATERAL (
    SELECT h.valid_from FROM hss_internal.image_baseline_history h
    WHERE h.valid_to IS NULL AND ${eq('h', 'img', KEY_COLS)}
    ORDER BY h.valid_from DESC LIMIT 1) AS cur
  UNION ALL
  SELECT ${list('res', KEY_COLS)}, last.valid_to
  FROM res CROSS JOIN LATERAL (
    SELECT f.valid_to FROM hss_internal.image_baseline_history f
    WHERE f.result_key = ${resultKeySql('res')}
    ORDER BY f.valid_from DESC LIMIT 1) AS last
  WHERE last.valid_to IS NOT NULL
)
SELECT ${KEY_COLS.join(', ')},
  to_char(max(floor) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
FROM floors
GROUP BY ${KEY_COLS.join(', ')}
HAVING max(floor) > ${$at}`;
  return { text, values: p.values };
}

// Text to the microsecond, like floorsSql: a version may have opened at a floor, off the millisecond.
const micros = (expr: string) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * (b) The open versions of the fetched images, with the earliest instant each may close at
 * (planVersions decides what closes and opens). One index probe per image (OFFSET 0 keeps the
 * LATERAL from being flattened into a join over every open version), whatever the statistics.
 */
export function openVersionsSql(images: readonly ImageKeyRow[]): Statement {
  const p = new Params();
  const img = p.unnest(images, IMAGE_SPEC, 'i');
  const text = `
SELECT o.version_id::text AS version_id, ${list('i', KEY_COLS)}, ${list('o', BASELINE_KEY_COLUMNS)},
  ${list('o', VALUE_COLS)}, ${micros("o.valid_from + interval '1 millisecond'")} AS floor
FROM ${img} CROSS JOIN LATERAL (
  SELECT h.version_id, h.check_name, h.check_type, h.standard, ${list('h', VALUE_COLS)}, h.valid_from
  FROM hss_internal.image_baseline_history h
  WHERE h.valid_to IS NULL AND ${eq('h', 'i', KEY_COLS)}
  OFFSET 0) AS o`;
  return { text, values: p.values };
}

/**
 * (c) Close (valid_to = `at`, closed_run_id) the open versions `versionIds`: one primary-key probe
 * per id (= ANY of a constant array). Still open is checked again, so a repeat closes nothing.
 * The version's chain hash is sealed with its end (docs/sql.md, "Tamper evidence").
 */
export function closeVersionsSql(versionIds: readonly string[], at: string, runId: string): Statement {
  return {
    text: `
UPDATE hss_internal.image_baseline_history
SET valid_to = $1, closed_run_id = $2, chain_hash = ${CHAIN_CLOSE_SQL('$1::timestamptz', '$2::uuid')}
WHERE version_id = ANY($3::bigint[]) AND valid_to IS NULL`,
    values: [at, runId, versionIds],
  };
}

/**
 * (d) Open a version (valid_from = the row's time, opened_run_id, scanned_at and source_api) for
 * every row planVersions opens, chained to the last version of its key (docs/sql.md, "Tamper
 * evidence"): one index probe per row, none for the rows of `newImages` (imageKeyOf keys;
 * upsertContentsSql's answer), whose keys have no version yet; when every row is new (a first
 * sync) the statement has no probe at all. The unique index on open versions
 * (image_baseline_history_open_key_idx) is the arbiter of ON CONFLICT DO NOTHING, so a row whose
 * key is open after all (a repeat) writes nothing. Version ids follow the input order.
 */
export function openNewSql(
  rows: readonly { row: ResultRow; at: string }[],
  runId: string,
  newImages: ReadonlySet<string> = new Set(),
): Statement {
  const probes = rows.map((o) => !newImages.has(imageKeyOf(o.row)));
  const anyProbe = probes.includes(true);
  const p = new Params();
  const res = p.unnest(
    rows,
    [
      ...RESULT_SPEC,
      ['at', 'timestamptz'],
      ['scanned_at', 'timestamptz'],
      ['source_api', 'text'],
      ['ord', 'integer'],
      ...(anyProbe ? [['probe', 'boolean'] as const] : []),
    ],
    'r',
    // No copy of each row: a spread per row cost more than the rest of the batch's planning.
    (o, name, i) =>
      name === 'at'
        ? o.at
        : name === 'ord'
          ? i
          : name === 'probe'
            ? probes[i]
            : o.row[name as keyof ResultRow],
  );
  const $run = p.add(runId);
  const prev = anyProbe ? 'prev.chain_hash' : 'NULL::bytea';
  const text = `
INSERT INTO hss_internal.image_baseline_history (
  ${RESULT_KEY_COLS.join(', ')}, ${VALUE_COLS.join(', ')}, valid_from, opened_run_id, scanned_at, source_api,
  prev_hash, chain_hash)
SELECT ${list('r', RESULT_KEY_COLS)}, ${list('r', VALUE_COLS)}, r.at, ${$run}, r.scanned_at, r.source_api, ${prev},
  hss_internal.baseline_version_hash(${prev}, ${list('r', RESULT_KEY_COLS)}, ${list('r', VALUE_COLS)},
    r.at, ${$run}::uuid, r.scanned_at, r.source_api)
FROM ${res}${
    anyProbe
      ? `
LEFT JOIN LATERAL (
  SELECT f.chain_hash FROM hss_internal.image_baseline_history f
  WHERE r.probe AND f.result_key = ${resultKeySql('r')}
  ORDER BY f.valid_from DESC LIMIT 1) AS prev ON true`
      : ''
  }
ORDER BY r.ord
ON CONFLICT (result_key) WHERE valid_to IS NULL DO NOTHING`;
  return { text, values: p.values };
}
