/**
 * The arguments of `report`, checked before anything connects by the command's one spec
 * (src/commands/specs.ts): every mistake is a usage error (exit 64) naming the flag and what it
 * expects. What the report needs beyond the spec's values: defaults, and filters as sorted,
 * unique lists.
 */

import { parseCommandArgs } from '../cli-args.js';
import { REPORT } from '../commands/specs.js';

export { UsageError } from '../cli-args.js';

export interface ReportOptions {
  asOf: Date;
  /** The instant in UTC, ISO 8601, to the microsecond PostgreSQL keeps (src/instant.ts). */
  asOfText: string;
  allowBroken: boolean;
  days: number;
  out: string;
  targets: string[] | null;
  enterpriseProjects: string[] | null;
  imageTypes: string[] | null;
}

/** Repeated and comma-separated values as one sorted list without repeats; null when none. */
function list(values: readonly string[] | undefined): string[] | null {
  const items = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return items.length === 0 ? null : [...new Set(items)].sort();
}

export function parseReportArgs(args: string[]): ReportOptions {
  const values = parseCommandArgs(REPORT, args);
  // Both are required by the spec: parseCommandArgs has thrown when either is missing.
  const asOf = values['as-of'] as { at: Date; text: string };
  return {
    asOf: asOf.at,
    asOfText: asOf.text,
    allowBroken: values['allow-broken'] === true,
    days: values.days ?? 90,
    out: values.out as string,
    targets: list(values.target),
    enterpriseProjects: list(values['enterprise-project']),
    imageTypes: list(values['image-type']?.flat()),
  };
}
