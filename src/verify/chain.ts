/**
 * verifyChain: recomputes the hash chain of both histories from the public views and names every
 * broken link (docs/sql.md, "Tamper evidence"). Memory holds one page and the broken links kept.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { DbError } from '../errors.js';
import type { HistoryName } from './canonical.js';
import { versionHash } from './canonical.js';
import { HISTORY_VIEWS, openSnapshot, type ReadVersion, readAnchors, readVersions } from './reader.js';

/** What is wrong with one version. */
export type BreakKind = 'altered' | 'link' | 'unhashed';

export interface BrokenLink {
  history: HistoryName;
  /** The key columns of the version (result key; for rules with check_rule_id). */
  key: Record<string, string | number | null>;
  versionId: string;
  /** valid_from of the version, canonical (UTC, microseconds). */
  validFrom: string;
  kind: BreakKind;
  /** Hex SHA-256 (null = none): for `altered` the chain_hash, for `link` the prev_hash. */
  expected: string | null;
  found: string | null;
  message: string;
}

export interface HistoryCounts {
  versions: number;
  keys: number;
  broken: number;
}

export interface ChainReport {
  intact: boolean;
  /** --since: versions still open or closed at or after it (canonical), else null. */
  since: string | null;
  versions: number;
  keys: number;
  /** Every broken link found; `broken` keeps the first `maxBroken` of them. */
  brokenCount: number;
  broken: BrokenLink[];
  histories: Record<HistoryName, HistoryCounts>;
  /**
   * SHA-256 (hex) over the head of every key checked (`history|key|chain_hash` lines in key
   * order): kept outside the database, it shows later whether the chain was rewritten.
   */
  digest: string;
}

export interface VerifyOptions {
  since?: Date | null;
  /** Rows per page (default 5000). */
  pageSize?: number;
  /** Broken links kept in the report (default 1000); all are counted and passed to onBroken. */
  maxBroken?: number;
  onBroken?: (b: BrokenLink) => void;
}

const HISTORIES: readonly HistoryName[] = ['baseline', 'rule'];
const hex = (b: Buffer | null) => (b === null ? null : b.toString('hex'));
const same = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b));

/** Throws a clear error when the database has no chain (not migrated to it). */
async function assertChain(client: Pick<pg.ClientBase, 'query'>): Promise<void> {
  const r = await client.query<{ t: string | null }>(
    `SELECT to_regclass('hss.history_chain_anchors')::text AS t`,
  );
  if (!r.rows[0]?.t) {
    throw new DbError(
      'the database has no history hash chain yet: run `hss-baseline-sync migrate` (as the schema owner) first',
    );
  }
}

/** Recomputes the chains of both histories in one snapshot. Read-only; works as hss_reader. */
export async function verifyChain(pool: pg.Pool, o: VerifyOptions = {}): Promise<ChainReport> {
  const snap = await openSnapshot(pool);
  try {
    return await verifyChainIn(snap.client, o);
  } finally {
    await snap.done();
  }
}

/**
 * The same inside a snapshot the caller opened (REPEATABLE READ, TimeZone UTC): `report` checks
 * the chain in the very snapshot its evidence comes from.
 */
export async function verifyChainIn(
  client: Pick<pg.ClientBase, 'query'>,
  o: VerifyOptions = {},
): Promise<ChainReport> {
  const since = o.since ?? null;
  const maxBroken = o.maxBroken ?? 1000;
  const report: ChainReport = {
    intact: true,
    since: since === null ? null : since.toISOString(),
    versions: 0,
    keys: 0,
    brokenCount: 0,
    broken: [],
    histories: {
      baseline: { versions: 0, keys: 0, broken: 0 },
      rule: { versions: 0, keys: 0, broken: 0 },
    },
    digest: '',
  };
  const digest = createHash('sha256');
  await assertChain(client);
  for (const history of HISTORIES) {
    const counts = report.histories[history];
    const broke = (b: BrokenLink) => {
      counts.broken++;
      report.brokenCount++;
      if (report.broken.length < maxBroken) report.broken.push(b);
      o.onBroken?.(b);
    };
    let prev: ReadVersion | null = null;
    const head = () => {
      if (prev) digest.update(`${history}|${prev.chainKey}|${hex(prev.chainHash) ?? '-'}\n`);
    };
    for await (const page of readVersions(client, history, { since, pageSize: o.pageSize ?? 5000 })) {
      const anchors =
        since === null ? await readAnchors(client, history, firstKeysLinked(page, prev)) : new Map();
      for (const v of page) {
        const first = prev?.chainKey !== v.chainKey;
        if (first) {
          head();
          counts.keys++;
        }
        counts.versions++;
        for (const b of check(history, v, first ? null : prev, first, since !== null, anchors)) broke(b);
        prev = v;
      }
    }
    head();
    report.versions += counts.versions;
    report.keys += counts.keys;
  }
  report.intact = report.brokenCount === 0;
  report.digest = digest.digest('hex');
  return report;
}

/** Keys whose first version is in `page` and links to something: they may start at an anchor. */
function firstKeysLinked(page: readonly ReadVersion[], before: ReadVersion | null): string[] {
  const keys: string[] = [];
  let last = before?.chainKey;
  for (const v of page) {
    if (v.chainKey !== last && v.prevHash !== null) keys.push(v.chainKey);
    last = v.chainKey;
  }
  return keys;
}

/** The broken links of one version (`prev`: the version before it in its key, if any). */
function check(
  history: HistoryName,
  v: ReadVersion,
  prev: ReadVersion | null,
  first: boolean,
  partial: boolean,
  anchors: Map<string, Buffer>,
): BrokenLink[] {
  const out: BrokenLink[] = [];
  const { keyColumns } = HISTORY_VIEWS[history];
  const key = Object.fromEntries(keyColumns.map((c, i) => [c, v.values[i] ?? null]));
  const where = `${history} ${keyColumns.map((c) => `${c}=${JSON.stringify(key[c])}`).join(' ')} valid_from=${v.validFrom} (version_id ${v.versionId})`;
  const link = (kind: BreakKind, expected: string | null, found: string | null, what: string) =>
    out.push({
      history,
      key,
      versionId: v.versionId,
      validFrom: v.validFrom,
      kind,
      expected,
      found,
      message: `${where}: ${what}`,
    });

  // With --since the first version checked of a key starts from the prev_hash it carries.
  const expectedPrev = first ? (partial ? v.prevHash : (anchors.get(v.chainKey) ?? null)) : prev!.chainHash;
  if (!same(expectedPrev, v.prevHash)) {
    const e = hex(expectedPrev);
    const f = hex(v.prevHash);
    link(
      'link',
      e,
      f,
      first
        ? `prev_hash does not start the key's chain (expected ${e ?? 'none'}, found ${f ?? 'none'}): a version before it was deleted`
        : `prev_hash does not link to the version of ${prev!.validFrom} (expected ${e ?? 'none'}, found ${f ?? 'none'}): a version between them was deleted or inserted`,
    );
  }
  if (v.chainHash === null) {
    link('unhashed', null, null, 'no chain_hash: the version was not written by the worker');
  } else {
    const e = versionHash(history, v).toString('hex');
    const f = v.chainHash.toString('hex');
    if (e !== f) {
      link(
        'altered',
        e,
        f,
        `chain_hash does not match the version (expected ${e}, found ${f}): it was changed after it was written`,
      );
    }
  }
  return out;
}
