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

/** Valid items (parsed) and invalid ones (described), in page order. */
export function partitionItems<S extends z.ZodType>(
  items: readonly unknown[],
  schema: S,
): { valid: z.output<S>[]; invalid: InvalidItem[] } {
  const valid: z.output<S>[] = [];
  const invalid: InvalidItem[] = [];
  items.forEach((item, index) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) valid.push(parsed.data);
    else invalid.push({ index, problem: describeIssues(parsed.error), sample: sampleOf(item) });
  });
  return { valid, invalid };
}

/** The start of an item as JSON, at most SAMPLE_CHARS characters. */
export function sampleOf(item: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(item) ?? String(item);
  } catch {
    text = String(item);
  }
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS - 1)}…` : text;
}

/**
 * An image's ListImageRiskConfigs answer held schema-invalid items: its result set would be
 * incomplete, so nothing is written for it this run (its stored results stay as they were).
 * Not retryable: the same request would bring the same items.
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
