/**
 * Pure helpers that shape domain values into the rows the writer sends as one jsonb parameter.
 */

/** First and last instants PostgreSQL and an ISO-8601 string both represent (years 1–9999). */
const EARLIEST_MS = -62_135_596_800_000; // 0001-01-01T00:00:00.000Z
const LATEST_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/**
 * Epoch milliseconds → ISO-8601 for a timestamptz column, or null when absent or not a
 * representable instant (NaN, beyond year 9999). Millisecond values round-trip exactly.
 */
export function msToIso(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const t = Math.trunc(ms);
  if (t < EARLIEST_MS || t > LATEST_MS) return null;
  return new Date(t).toISOString();
}

/** A Date read from a timestamptz column → epoch milliseconds (null stays null). */
export function dateToMs(d: Date | null): number | null {
  return d === null ? null : d.getTime();
}

/** Keeps the last value for each key, in first-seen key order. */
export function dedupeLast<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    byKey.set(keyOf(item), item);
  }
  return [...byKey.values()];
}

/** Splits `items` into arrays of at most `size` (size ≥ 1). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer: ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** An unambiguous string key of a tuple of strings (JSON keeps separators out of the way). */
export function tupleKey(...parts: readonly (string | null)[]): string {
  return JSON.stringify(parts);
}
