/**
 * The arguments of `report`, checked before anything connects: every mistake is a usage error
 * (exit 64) naming the flag and what it expects.
 */

import { parseArgs } from 'node:util';
import { parseInstant } from '../instant.js';

export const REPORT_USAGE = `Usage: hss-baseline-sync report --as-of <instant> --out <dir> [options]

  --as-of <instant>          ISO 8601 instant with a zone, e.g. 2026-03-01T00:00:00Z
  --out <dir>                directory to create (or an empty one): index.html, CSVs, manifest.json
  --days <n>                 period before the instant for the chart and changes (default 90)
  --target <name>            only these targets (repeat, or comma-separated)
  --enterprise-project <id>  only these enterprise projects (repeat, or comma-separated)
  --image-type <type>        only these image types (repeat, or comma-separated)
`;

export class UsageError extends Error {}

export interface ReportOptions {
  asOf: Date;
  days: number;
  out: string;
  targets: string[] | null;
  enterpriseProjects: string[] | null;
  imageTypes: string[] | null;
}

function list(values: string[] | undefined): string[] | null {
  const items = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return items.length === 0 ? null : [...new Set(items)].sort();
}

export function parseReportArgs(args: string[]): ReportOptions {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'as-of': { type: 'string' },
        out: { type: 'string' },
        days: { type: 'string', default: '90' },
        target: { type: 'string', multiple: true },
        'enterprise-project': { type: 'string', multiple: true },
        'image-type': { type: 'string', multiple: true },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const asOfText = values['as-of'] as string | undefined;
  if (asOfText === undefined)
    throw new UsageError('--as-of is required (an instant such as 2026-03-01T00:00:00Z)');
  const asOf = parseInstant(asOfText);
  if (!asOf) {
    throw new UsageError(
      `--as-of ${JSON.stringify(asOfText)} is not an ISO 8601 instant with a zone (expected e.g. 2026-03-01T00:00:00Z or 2026-03-01T08:00:00+08:00)`,
    );
  }
  const out = values.out as string | undefined;
  if (!out) throw new UsageError('--out is required (the directory to write the report into)');
  const daysText = values.days as string;
  const days = Number(daysText);
  if (!/^\d+$/.test(daysText) || days < 1 || days > 3660) {
    throw new UsageError(`--days ${JSON.stringify(daysText)} is not a whole number of days from 1 to 3660`);
  }
  return {
    asOf,
    days,
    out,
    targets: list(values.target as string[] | undefined),
    enterpriseProjects: list(values['enterprise-project'] as string[] | undefined),
    imageTypes: list(values['image-type'] as string[] | undefined),
  };
}
