/**
 * Schema-invalid items: validated one by one, so a single malformed item of an otherwise good
 * answer is set aside (quarantined: counted, logged with the request id and a short sample)
 * instead of failing the whole page. Pure, except for the error class.
 */
import type { z } from 'zod';
import { HssBadResponseError, type HssErrorContext } from '../errors.js';
import { describeIssues } from './schemas.js';

/** Longest sample of a quarantined item kept for the log. */
export const SAMPLE_CHARS = 200;

export interface InvalidItem {
  /** Index of the item in its page. */
  index: number;
  problem: string;
  sample: string;
}

/**
 * Valid items (parsed) and invalid ones (described), in page order. `received[i]` is `valid[i]`
 * as it came (the JSON item before the schema's transforms), for callers that keep it whole.
 */
export function partitionItems<S extends z.ZodType>(
  items: readonly unknown[],
  schema: S,
): { valid: z.output<S>[]; received: unknown[]; invalid: InvalidItem[] } {
  const valid: z.output<S>[] = [];
  const received: unknown[] = [];
  const invalid: InvalidItem[] = [];
  items.forEach((item, index) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) {
      valid.push(parsed.data);
      received.push(item);
    } else invalid.push({ index, problem: describeIssues(parsed.error), sample: sampleOf(item) });
  });
  return { valid, received, invalid };
}

/** Deepest nesting a sample shows; deeper arrays and objects print as `[…]` / `{…}`. */
export const SAMPLE_DEPTH = 4;

/**
 * The start of an item as JSON, at most SAMPLE_CHARS characters. Bounded in depth and size:
 * the item is written only until the sample is full and never deeper than SAMPLE_DEPTH, so an
 * item nested 200,000 levels deep or holding megabytes costs what its first 200 characters do
 * (JSON.stringify would overflow the stack or copy it all).
 */
export function sampleOf(item: unknown): string {
  const out = new BoundedText(SAMPLE_CHARS + 1);
  writeJson(item, 0, out);
  const text = out.text;
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS - 1)}…` : text;
}

/** A string builder that ignores what comes after `max` characters. */
class BoundedText {
  text = '';
  constructor(private readonly max: number) {}
  get full(): boolean {
    return this.text.length >= this.max;
  }
  add(s: string): void {
    if (!this.full) this.text += s.slice(0, this.max - this.text.length);
  }
}

/** A scalar as JSON (the part of a string that can show), or null for arrays and objects. */
function scalarJson(value: unknown): string | null {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'object':
      return null;
    case 'string':
      // Only the part that can show is escaped.
      return JSON.stringify(value.slice(0, SAMPLE_CHARS));
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return String(value);
    default:
      return String(typeof value);
  }
}

function writeJson(value: unknown, depth: number, out: BoundedText): void {
  const scalar = scalarJson(value);
  if (scalar !== null) {
    out.add(scalar);
    return;
  }
  const isArray = Array.isArray(value);
  if (depth >= SAMPLE_DEPTH) {
    out.add(isArray ? '[…]' : '{…}');
    return;
  }
  out.add(isArray ? '[' : '{');
  let first = true;
  if (isArray) {
    for (const v of value) {
      if (out.full) return;
      if (!first) out.add(',');
      first = false;
      writeJson(v, depth + 1, out);
    }
  } else {
    for (const [k, v] of Object.entries(value as object)) {
      if (out.full) return;
      if (v === undefined) continue;
      if (!first) out.add(',');
      first = false;
      out.add(`${JSON.stringify(k.slice(0, SAMPLE_CHARS))}:`);
      writeJson(v, depth + 1, out);
    }
  }
  out.add(isArray ? ']' : '}');
}

/**
 * An image's ListImageRiskConfigs answer held schema-invalid items: its summary set would be
 * incomplete, so nothing is written for it this run (its stored results stay as they were).
 * Not retryable: the same request would bring the same items. (The rule APIs set aside the
 * invalid row alone and return the rest: see pageImage's `invalidRows`.)
 */
export class ImageQuarantinedError extends HssBadResponseError {
  constructor(
    context: HssErrorContext,
    readonly imageId: string,
    readonly items: number,
  ) {
    super(
      context,
      `${context.path}: ${items} schema-invalid item(s) for image ${imageId}; its results are left as they were`,
      { retryable: false },
    );
  }
}
