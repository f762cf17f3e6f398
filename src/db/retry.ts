/**
 * Which PostgreSQL errors mean "the same transaction may succeed if run again". One table, one
 * place: every retrying caller asks `isRetryableSqlState`.
 */

/** SQLSTATE → why a retry of the whole transaction can succeed. */
export const RETRYABLE_SQLSTATES: ReadonlyMap<string, string> = new Map([
  ['40001', 'serialization_failure: a concurrent transaction won; the retry sees its result'],
  ['40P01', 'deadlock_detected: PostgreSQL aborted this side of a lock cycle'],
]);

/** The SQLSTATE of a pg error, or null for anything else. */
export function sqlStateOf(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** True when `err` carries a SQLSTATE listed in RETRYABLE_SQLSTATES. */
export function isRetryableSqlState(err: unknown): boolean {
  const state = sqlStateOf(err);
  return state !== null && RETRYABLE_SQLSTATES.has(state);
}
