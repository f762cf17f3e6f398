/**
 * Writes fetched results: image_contents, then history versions, all in one transaction per
 * batch so every image is either fully old or fully new (whole images only), and identical results
 * write nothing (idempotent).
 */
import type pg from 'pg';
import type { DbHandle } from '../pool.js';
import { sqlStateOf } from '../retry.js';
import { inTransaction } from '../tx.js';
import {
  type ImageKeyRow,
  type ImageResultItem,
  imageKeyOf,
  type OpenVersionRow,
  planResults,
  planVersions,
  type VersionsPlan,
} from './results-plan.js';
import {
  closeVersionsSql,
  floorsSql,
  openNewSql,
  openVersionsSql,
  upsertContentsSql,
} from './results-sql.js';

// exclusion_violation (a version would overlap a closed one of its key) and check_violation (a
// version would close before it opened): what writing at `at` meets when the clock went back.
const CLOCK_WENT_BACK = new Set(['23P01', '23514']);

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
    const inserted = await client.query<ImageKeyRow>(upsertContentsSql(plan.contents, at));
    if (plan.fetchedImages.length === 0) return { versionsOpened: 0, versionsClosed: 0 };
    const newImages = new Set(inserted.rows.map(imageKeyOf));
    // An image whose contents were just inserted has no history (contents are never deleted, and
    // versions are written only with them): nothing to read, close or collide with. A batch of new
    // images only (a first sync) skips the read and the savepoint, two round trips of seven.
    const known = plan.fetchedImages.filter((k) => !newImages.has(imageKeyOf(k)));
    if (known.length === 0)
      return writeVersions(client, runId, planVersions(plan.results, [], at), newImages);

    const open = (await client.query<OpenVersionRow>(openVersionsSql(known))).rows;
    // The open versions give the instant each image may close at. A result that comes back while
    // the clock is behind the end of its closed version also needs the end of that version: a
    // probe per incoming row, so it is made only when writing at `at` met the constraints.
    await client.query('SAVEPOINT write_versions');
    try {
      const written = await writeVersions(client, runId, planVersions(plan.results, open, at), newImages);
      await client.query('RELEASE SAVEPOINT write_versions');
      return written;
    } catch (err) {
      if (!CLOCK_WENT_BACK.has(sqlStateOf(err) ?? '')) throw err;
      await client.query('ROLLBACK TO SAVEPOINT write_versions');
    }
    const floors = await client.query<ImageKeyRow & { at: string }>(
      floorsSql(plan.fetchedImages, plan.results, at),
    );
    const floorByImage = new Map(floors.rows.map((r) => [imageKeyOf(r), r.at]));
    return writeVersions(client, runId, planVersions(plan.results, open, at, floorByImage), newImages);
  });
}

async function writeVersions(
  client: pg.PoolClient,
  runId: string,
  plan: VersionsPlan,
  newImages: ReadonlySet<string>,
): Promise<{ versionsOpened: number; versionsClosed: number }> {
  let versionsClosed = 0;
  for (const c of plan.close) {
    const s = closeVersionsSql(c.versionIds, c.at, runId);
    versionsClosed += (await client.query(s.text, s.values)).rowCount ?? 0;
  }
  if (plan.open.length === 0) return { versionsOpened: 0, versionsClosed };
  const s = openNewSql(plan.open, runId, newImages);
  return { versionsOpened: (await client.query(s.text, s.values)).rowCount ?? 0, versionsClosed };
}
