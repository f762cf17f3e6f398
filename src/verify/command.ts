/**
 * `verify [--since <ISO instant>] [--json]`: recomputes the hash chain of the baseline and rule
 * histories and names every broken link. Needs only DATABASE_URL; reads the public views only
 * (a login granted hss_reader is enough). Exit 0 intact, 2 a link is broken (docs/operations.md, "Commands and exit codes").
 */
import { parseCommandArgs, UsageError, type Values } from '../cli-args.js';
import { VERIFY } from '../commands/specs.js';
import type { CliIo } from '../commands/types.js';
import { loadDatabaseUrl } from '../config/load.js';
import { createDb } from '../db/pool.js';
import { EXIT } from '../exit-codes.js';
import { parseDateOrInstant } from '../instant.js';
import { escapeControls } from '../text.js';
import { type ChainReport, verifyChain } from './chain.js';

/** Parses --since: an ISO 8601 date (UTC midnight) or an instant with Z or an offset. */
export const parseSince = parseDateOrInstant;

/** The one-line summary: `verify intact versions=… keys=… broken=0 baseline=V/K rule=V/K digest=…`. */
export function formatVerifySummary(r: ChainReport): string {
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
  ].join(' ');
}

export async function cmdVerify(io: CliIo, argv: string[]): Promise<number> {
  let values: Values<typeof VERIFY.options>;
  try {
    values = parseCommandArgs(VERIFY, argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hss-baseline-sync verify: ${escapeControls(err.message)}\n`);
    return EXIT.usage;
  }
  const since = values.since ?? null;
  const h = createDb(loadDatabaseUrl(io.env), { maxConnections: 1 });
  try {
    const report = await verifyChain(h.pool, {
      since,
      // Text: every broken link as it is found, so a long check shows them at once.
      onBroken: values.json ? undefined : (b) => io.stdout.write(`${escapeControls(b.message)}\n`),
    });
    io.stdout.write(
      values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatVerifySummary(report)}\n`,
    );
    return report.intact ? EXIT.ok : EXIT.broken;
  } finally {
    await h.close();
  }
}
