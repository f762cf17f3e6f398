/**
 * Writes fetched results: image_contents, then history versions, all in one transaction per
 * batch so every image is either fully old or fully new (invariant 3), and identical results
 * write nothing (invariant 2).
 */
import type { DbHandle } from '../pool.js';
import { inTransaction } from '../tx.js';
import { type ImageKeyRow, type ImageResultItem, imageKeyOf, planResults } from './results-plan.js';
import { closeChangedSql, floorsSql, openNewSql, upsertContentsSql } from './results-sql.js';

/**
 * Writes a batch of per-image results in ONE transaction (retried whole on 40001/40P01):
 * (a) upserts image_contents (signal, fetched_at = at, outcome, result count, not removed);
 * (b) for 'fetched' images closes (valid_to = at, closed_run_id = runId) every open version whose
 *     key is gone or whose values differ; (c) opens a version (valid_from = at, opened_run_id =
 *     runId) for every incoming result without an identical open version. Identical results
 *     write no history tuple. 'not_scanned' items touch only image_contents.
 * Versions open and close at `at` unless the image's history already reaches past it (clock
 * went back or stood still): then at the earliest later instant that keeps versions ordered.
 */
export async function writeImageResults(
  h: DbHandle,
  runId: string,
  at: Date,
  items: readonly ImageResultItem[],
): Promise<{ versionsOpened: number; versionsClosed: number }> {
  const plan = planResults(items);
  if (plan.contents.length === 0) return { versionsOpened: 0, versionsClosed: 0 };
  return inTransaction(h, { op: 'writeImageResults' }, async (client) => {
    const run = (s: { text: string; values: unknown[] }) => client.query(s.text, s.values);
    await run(upsertContentsSql(plan.contents, at));
    if (plan.fetchedImages.length === 0) return { versionsOpened: 0, versionsClosed: 0 };

    const floors = await client.query<ImageKeyRow & { at: string }>(
      floorsSql(plan.fetchedImages, plan.results, at),
    );
    const atIso = at.toISOString();
    const atByImage = new Map(floors.rows.map((r) => [imageKeyOf(r), r.at]));
    const timeOf = (r: ImageKeyRow) => atByImage.get(imageKeyOf(r)) ?? atIso;

    const images = plan.fetchedImages.map((r) => ({ ...r, at: timeOf(r) }));
    const results = plan.results.map((r) => ({ ...r, at: timeOf(r) }));
    const closed = await run(closeChangedSql(images, plan.results, runId));
    const opened = await run(openNewSql(results, runId));
    return { versionsOpened: opened.rowCount ?? 0, versionsClosed: closed.rowCount ?? 0 };
  });
}
