/**
 * `verify [--since <ISO instant>] [--json]`: recomputes the hash chain of the baseline and rule
 * histories and names every broken link. Needs only DATABASE_URL; reads the public views only
 * (a login granted hss_reader is enough). Exit 0 intact, 2 a link is broken (README "Commands").
 */
import { parseArgs } from 'node:util';
import type { CliIo } from '../commands/types.js';
import { loadDatabaseUrl } from '../config/load.js';
import { createDb } from '../db/pool.js';
import { EXIT } from '../exit-codes.js';
import { parseInstant } from '../instant.js';
import { escapeControls } from '../text.js';
import { type ChainReport, verifyChain } from './chain.js';

const USAGE = 'usage: hss-baseline-sync verify [--since <ISO instant, e.g. 2026-03-01T00:00:00Z>] [--json]\n';

/** Parses --since: an ISO 8601 date (UTC midnight) or an instant with Z or an offset. */
export function parseSince(s: string): Date | null {
  return parseInstant(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
}

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
  let values: { since?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        since: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr.write(`hss-baseline-sync verify: ${(err as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  let since: Date | null = null;
  if (values.since !== undefined) {
    since = parseSince(values.since);
    if (since === null) {
      io.stderr.write(
        `hss-baseline-sync verify: --since ${JSON.stringify(values.since)} is not an ISO 8601 instant (2026-03-01 or 2026-03-01T00:00:00Z)\n${USAGE}`,
      );
      return EXIT.usage;
    }
  }
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
