/**
 * `verify [--since <ISO instant>] [--as-of <instant> [--expect <digest>]] [--json]`: recomputes
 * the hash chain of the baseline and rule histories and names every broken link; with --as-of,
 * also the digest of the histories as they stood at that instant (src/verify/as-of.ts), refused
 * while a run that started by then is open (src/verify/stable.ts). Needs only DATABASE_URL; reads
 * the public views only (a login granted hss_reader is enough). Exit 0 intact (and equal to
 * --expect), 2 a link is broken or the digest differs, 66 history of the instant pruned, 75 the
 * instant not complete yet (docs/operations.md, "Commands and exit codes"; docs/audit.md).
 */

import type pg from 'pg';
import { parseCommandArgs, UsageError, type Values } from '../cli-args.js';
import { VERIFY } from '../commands/specs.js';
import type { CliIo } from '../commands/types.js';
import { loadDatabaseUrl } from '../config/load.js';
import { createDb } from '../db/pool.js';
import { EXIT } from '../exit-codes.js';
import { parseDateOrInstant } from '../instant.js';
import { escapeControls } from '../text.js';
import { type AsOfDigest, AsOfPrunedError, asOfDigestIn } from './as-of.js';
import { type ChainReport, verifyChainIn } from './chain.js';
import { openSnapshot } from './reader.js';
import { assertStableBefore, assertStableIn, UnstableInstantError } from './stable.js';

const PREFIX = 'hss-baseline-sync verify: ';

/** What `verify` prints: the chain's report and, with --as-of, the digest of the instant. */
export interface VerifyReport extends ChainReport {
  asOf?: AsOfDigest;
}

/** Parses --since: an ISO 8601 date (UTC midnight) or an instant with Z or an offset. */
export const parseSince = parseDateOrInstant;

/** The one-line summary: `verify intact versions=… keys=… broken=0 baseline=V/K rule=V/K digest=…`. */
export function formatVerifySummary(r: VerifyReport): string {
  const h = (n: 'baseline' | 'rule') => `${r.histories[n].versions}/${r.histories[n].keys}`;
  return [
    `verify ${r.intact ? 'intact' : 'BROKEN'}`,
    `versions=${r.versions}`,
    `keys=${r.keys}`,
    `broken=${r.brokenCount}`,
    `baseline=${h('baseline')}`,
    `rule=${h('rule')}`,
    ...(r.since ? [`since=${r.since}`] : []),
    `digest=${r.digest}`,
    ...(r.asOf ? [`as_of=${r.asOf.asOf}`, `as_of_digest=${r.asOf.digest}`] : []),
  ].join(' ');
}

export async function cmdVerify(io: CliIo, argv: string[]): Promise<number> {
  let values: Values<typeof VERIFY.options>;
  try {
    values = parseCommandArgs(VERIFY, argv);
    if (values.expect !== undefined && values['as-of'] === undefined)
      throw new UsageError('--expect needs --as-of: the instant the digest was taken at');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hss-baseline-sync verify: ${escapeControls(err.message)}\n`);
    return EXIT.usage;
  }
  const since = values.since ?? null;
  const asOf = values['as-of'] ?? null;
  const h = createDb(loadDatabaseUrl(io.env), { maxConnections: 1 });
  try {
    let dead: ReadonlySet<string> = new Set();
    if (asOf !== null) {
      const late = await instantAfterDbClock(h.pool, asOf);
      if (late) {
        io.stderr.write(
          `${PREFIX}--as-of ${escapeControls(asOf)} is later than the database's clock (${late}): the record of that instant is not complete yet\n`,
        );
        return EXIT.usage;
      }
      dead = await assertStableBefore(h.pool, asOf);
    }
    const snap = await openSnapshot(h.pool);
    let report: VerifyReport;
    try {
      if (asOf !== null) await assertStableIn(snap.client, asOf, dead);
      report = await verifyChainIn(snap.client, {
        since,
        // Text: every broken link as it is found, so a long check shows them at once.
        onBroken: values.json ? undefined : (b) => io.stdout.write(`${escapeControls(b.message)}\n`),
      });
      if (asOf !== null) report.asOf = await asOfDigestIn(snap.client, asOf);
    } finally {
      await snap.done();
    }
    io.stdout.write(
      values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatVerifySummary(report)}\n`,
    );
    const expected = values.expect;
    if (expected !== undefined && report.asOf && report.asOf.digest !== expected) {
      io.stderr.write(
        `${PREFIX}the history as of ${report.asOf.asOf} differs from the digest expected (expected ${expected}, found ${report.asOf.digest}): a version that began at or before it was changed, deleted or inserted since that digest was taken\n`,
      );
      return EXIT.broken;
    }
    return report.intact ? EXIT.ok : EXIT.broken;
  } catch (err) {
    if (err instanceof UnstableInstantError) {
      io.stderr.write(`${PREFIX}${escapeControls(err.message)}\n`);
      return EXIT.tempFail;
    }
    if (err instanceof AsOfPrunedError) {
      io.stderr.write(`${PREFIX}${escapeControls(err.message)}\n`);
      return EXIT.noData;
    }
    throw err;
  } finally {
    await h.close();
  }
}

/** The database's clock as text when `asOf` is after it, else null. */
async function instantAfterDbClock(pool: Pick<pg.Pool, 'query'>, asOf: string): Promise<string | null> {
  const r = await pool.query<{ late: boolean; now: string }>(
    `SELECT $1::timestamptz > now() AS late, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now`,
    [asOf],
  );
  return r.rows[0]?.late ? r.rows[0].now : null;
}
