/**
 * One bad value sets aside one image, never a write batch (small faults stay small; docs/architecture.md). Values are
 * checked at the HSS edge (src/hss/values.ts), so the database should never refuse one; when it
 * does anyway (a value no check foresaw, a constraint added by an operator), the batch that held
 * it is written again item by item, so that only the items the database refuses are left out.
 */
import { sqlStateOf } from '../db/retry.js';

/**
 * Whether `err` (or its cause) is the database refusing the data itself, which writing the same
 * items again cannot change: class 22 (data exception: out of range, invalid text, NUL),
 * class 54 (program limit exceeded: an index row too large) and 23514 (check violation).
 */
export function isDataRejection(err: unknown): boolean {
  const state = sqlStateOf(err) ?? sqlStateOf((err as { cause?: unknown } | null)?.cause);
  return state !== null && (state.startsWith('22') || state.startsWith('54') || state === '23514');
}

export interface IsolatedWrite<T, R> {
  /** What each successful write returned, in order. */
  results: R[];
  /** Items written. */
  written: T[];
  /** Items the database refused on their own, with its error. */
  rejected: { item: T; error: unknown }[];
}

/**
 * Writes `batch` in one call; when the database refuses its data (isDataRejection), writes each
 * item alone and reports the ones it refuses. Any other failure is thrown as it came.
 */
export async function writeIsolatingRejects<T, R>(
  batch: readonly T[],
  write: (items: T[]) => Promise<R>,
): Promise<IsolatedWrite<T, R>> {
  try {
    return { results: [await write([...batch])], written: [...batch], rejected: [] };
  } catch (err) {
    if (!isDataRejection(err)) throw err;
    if (batch.length === 1)
      return { results: [], written: [], rejected: [{ item: batch[0] as T, error: err }] };
  }
  const out: IsolatedWrite<T, R> = { results: [], written: [], rejected: [] };
  for (const item of batch) {
    try {
      out.results.push(await write([item]));
      out.written.push(item);
    } catch (err) {
      if (!isDataRejection(err)) throw err;
      out.rejected.push({ item, error: err });
    }
  }
  return out;
}
