/**
 * What a number from HSS may be (small faults stay small: one bad value sets aside one item; docs/architecture.md). Every
 * number of every HSS answer is parsed by one of these definitions, so what reaches the
 * database fits its column and means what the API defines: an integer where the API says
 * integer, never negative, within int4/int8 and Number.MAX_SAFE_INTEGER (beyond it a JavaScript
 * number is no longer the integer that was sent). A value outside fails the item's schema, and
 * the item is quarantined (src/hss/quarantine.ts); messages name the rule, never the value.
 */
import { z } from 'zod';

/** Largest value of a PostgreSQL `integer` (int4) column. */
export const INT4_MAX = 2_147_483_647;
/** Largest total_num the image list APIs define (official SDK models: 0–2,147,483,547). */
export const LIST_TOTAL_MAX = 2_147_483_547;
/** Largest check_rule_num / failed_rule_num ListImageRiskConfigs defines (docs/hss-api.md section 1). */
export const RULE_COUNT_MAX = 2_097_152;
/** Last instant both a timestamptz column and an ISO-8601 string hold: 9999-12-31T23:59:59.999Z. */
export const EPOCH_MS_MAX = 253_402_300_799_999;

/**
 * A JSON number, or a decimal numeric string as some API versions send (no exponent, no sign but
 * `-`). Infinity (what JSON.parse makes of a 400-digit literal) is let through here so that the
 * range check names the rule it breaks.
 */
const wireNumber = z.union([
  z.custom<number>((v) => typeof v === 'number', 'expected a number'),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, 'expected a number')
    .transform(Number),
]);

/**
 * An integer from `min` to `max` (max at most MAX_SAFE_INTEGER), sent as a number or a numeric
 * string. With `round`, a finite fraction is first rounded to the nearest integer.
 */
function integerIn(min: number, max: number, opts: { round?: boolean; unit?: string } = {}) {
  const expected = `expected ${opts.round ? 'a number' : 'an integer'} from ${min} to ${max}${opts.unit ? ` ${opts.unit}` : ''}`;
  return wireNumber.transform((n, ctx) => {
    const v = opts.round && Number.isFinite(n) ? Math.round(n) : n;
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      ctx.addIssue({ code: 'custom', message: expected });
      return z.NEVER;
    }
    return v;
  });
}

/**
 * The numbers of HSS answers, by meaning. Each is required; add `.nullish()` where the API lets
 * the field be absent.
 */
export const wire = {
  /** A count of things (failed settings, rows): a non-negative integer an int4 column holds. */
  count: integerIn(0, INT4_MAX),
  /**
   * check_rule_num / failed_rule_num (ListImageRiskConfigs) and image_num (ListCheckRulesInfo):
   * a count within what the API defines (0..2,097,152 for each).
   */
  ruleCount: integerIn(0, RULE_COUNT_MAX),
  /** total_num of an image list API, as the API defines it. */
  listTotal: integerIn(0, LIST_TOTAL_MAX),
  /**
   * image_size in bytes (int8 column). The API defines an integer; a fraction of a byte means
   * nothing and the size is only shown, never compared, so a finite fraction is rounded to the
   * nearest byte rather than setting the image aside (see docs/operations.md, "Data policies").
   */
  bytes: integerIn(0, Number.MAX_SAFE_INTEGER, { round: true, unit: 'bytes' }),
  /** An instant in epoch milliseconds (latest_scan_time, latest_update_time): 0 to year 9999. */
  epochMs: integerIn(0, EPOCH_MS_MAX, { unit: 'ms' }),
};
