/**
 * The arguments of `report`, checked before anything connects: every mistake is a usage error
 * (exit 64) naming the flag and what it expects.
 */

import { parseArgs } from 'node:util';
import { IMAGE_TYPES } from '../domain.js';
import { parseInstant } from '../instant.js';

export const REPORT_USAGE = `Usage: hss-baseline-sync report --as-of <instant> --out <dir> [options]

  --as-of <instant>          ISO 8601 instant with a zone, e.g. 2026-03-01T00:00:00Z
  --out <dir>                directory to create (or an empty one): index.html, CSVs, manifest.json
  --days <n>                 period before the instant for the chart and changes (default 90)
  --target <name>            only these targets (repeat, or comma-separated)
  --enterprise-project <id>  only these enterprise projects (repeat, or comma-separated)
  --image-type <type>        only these image types (repeat, or comma-separated)
  --allow-broken             write the report even when the history hash chain is broken
                             (it says so on the page and in manifest.json; without it: exit 2)
`;

export class UsageError extends Error {}

export interface ReportOptions {
  asOf: Date;
  /** The instant in UTC, ISO 8601, to the microsecond PostgreSQL keeps (see canonicalInstant). */
  asOfText: string;
  allowBroken: boolean;
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
        'allow-broken': { type: 'boolean', default: false },
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
  const asOfCanonical = canonicalInstant(asOfText, asOf);
  if (asOfCanonical === null) {
    throw new UsageError(
      `--as-of ${JSON.stringify(asOfText)} is finer than a microsecond (PostgreSQL keeps microseconds: give at most 6 fractional digits)`,
    );
  }
  const out = values.out as string | undefined;
  if (!out) throw new UsageError('--out is required (the directory to write the report into)');
  const daysText = values.days as string;
  const days = Number(daysText);
  if (!/^\d+$/.test(daysText) || days < 1 || days > 3660) {
    throw new UsageError(`--days ${JSON.stringify(daysText)} is not a whole number of days from 1 to 3660`);
  }
  const imageTypes = list(values['image-type'] as string[] | undefined);
  for (const t of imageTypes ?? []) {
    if ((IMAGE_TYPES as readonly string[]).includes(t)) continue;
    const guess = closest(t, IMAGE_TYPES);
    throw new UsageError(
      `--image-type ${JSON.stringify(t)} is not an image type${guess ? ` (did you mean ${guess}?)` : ''}; known: ${IMAGE_TYPES.join(', ')}`,
    );
  }
  return {
    asOf,
    asOfText: asOfCanonical,
    allowBroken: values['allow-broken'] === true,
    days,
    out,
    targets: list(values.target as string[] | undefined),
    enterpriseProjects: list(values['enterprise-project'] as string[] | undefined),
    imageTypes,
  };
}

/**
 * The instant as UTC ISO 8601 text with the microseconds of `text` (a JS Date keeps only
 * milliseconds; PostgreSQL keeps microseconds, so the report passes this text to SQL): the form
 * of Date.toISOString() when the sub-millisecond digits are zero, else six fractional digits.
 * Null when `text` is finer than a microsecond (digits 7–9 not zero).
 */
export function canonicalInstant(text: string, at: Date): string | null {
  const frac = /T\d{2}:\d{2}:\d{2}\.(\d+)/.exec(text)?.[1] ?? '';
  if (/[1-9]/.test(frac.slice(6))) return null;
  const micros = frac.padEnd(6, '0').slice(3, 6);
  const iso = at.toISOString();
  return micros === '000' ? iso : `${iso.slice(0, -1)}${micros}Z`;
}

/** The known value nearest to `value` (at most 2 edits away), or null. */
export function closest(value: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(value, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
