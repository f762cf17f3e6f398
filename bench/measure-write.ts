/**
 * write_vs_history_copy (the goal): the worker's own write path (writeImageResults in
 * group-commit batches, as the engine calls it under load) against a COPY of the same rows, as
 * versions, into hss_internal.image_baseline_history as shipped. write_vs_copy (informative): against a
 * raw COPY of the same rows into a bare table.
 *
 * Two ceilings go with it, so the figure can be read: the same COPY into an index-free clone of
 * hss_internal.image_baseline_history (its row shape and generated result_key, nothing else), and into
 * the history table as shipped (its indexes and the exclusion constraint that keeps versions from overlapping). No write
 * path can beat a COPY into the table it writes.
 */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDb } from '../src/db/pool.js';
import { RESULT_KEY_COLUMNS } from '../src/db/schema/index.js';
import { writeImageResults } from '../src/db/writer/index.js';
import type { RiskConfig, Scope } from '../src/domain.js';
import type { ImageResultItem } from '../src/sync/store.js';
import { BENCH_PROJECT, freshDatabase, round, timed } from './support.js';

export interface WriteResult {
  /** COPY into hss_internal.image_baseline_history as shipped / the write path: the goal. */
  write_vs_history_copy: number;
  /** The bare COPY / the write path: informative. */
  write_vs_copy: number;
  write_rows: number;
  write_images: number;
  write_seconds: number;
  copy_seconds: number;
  write_batch_images: number;
  /** copy_seconds / COPY into an index-free clone of the history table. */
  write_vs_copy_ceiling_unindexed: number;
  /** copy_seconds / COPY into hss_internal.image_baseline_history as shipped. */
  write_vs_copy_ceiling_history: number;
  copy_history_unindexed_seconds: number;
  copy_history_seconds: number;
}

const RESULT_COLUMNS = [
  ...RESULT_KEY_COLUMNS,
  'severity',
  'check_rule_num',
  'failed_rule_num',
  'check_type_desc',
];
/** What a version adds to a result row when it is written to the history table (not its hashes). */
const VERSION_COLUMNS = ['valid_from', 'opened_run_id', 'scanned_at', 'source_api'];
const BENCH_RUN_ID = '00000000-0000-4000-8000-000000000001';

const SCOPE: Scope = {
  target: 'bench',
  projectId: BENCH_PROJECT,
  enterpriseProjectId: '0',
  imageType: 'private_image',
};
const BASELINES = ['CentOS 7', 'Debian 10', 'EulerOS', 'Ubuntu16'];

/** Deterministic synthetic results: `images` images with 4 baselines each. */
export function syntheticItems(images: number): ImageResultItem[] {
  const items: ImageResultItem[] = [];
  for (let i = 0; i < images; i++) {
    const results: RiskConfig[] = BASELINES.map((b, j) => ({
      checkName: b,
      checkType: b,
      standard: j % 2 ? 'hw_standard' : 'cn_standard',
      severity: ['Low', 'Medium', 'High', 'Security'][(i + j) % 4]!,
      checkRuleNum: 40 + j,
      failedRuleNum: (i * 7 + j) % 40,
      checkTypeDesc: `Baseline ${b} for image ${i}: checks the system configuration items and SSH settings.`,
    }));
    items.push({
      scope: SCOPE,
      imageId: `sha256:${i.toString(16).padStart(64, '0')}`,
      signal: {
        latestScanTime: 1_700_000_000_000 + i,
        imageDigest: `sha256:d${i}`,
        unsafeSettingNum: 3,
        scanStatus: 'success',
      },
      outcome: 'fetched',
      source: 'ListImageRiskConfigs',
      results,
    });
  }
  return items;
}

/** COPY text of every result row, followed by `extra(item)` (already COPY-escaped) on each line. */
function copyText(
  items: ImageResultItem[],
  extra: (it: ImageResultItem) => readonly string[] = () => [],
): string {
  const esc = (s: string | null | number) =>
    s === null ? '\\N' : String(s).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
  const lines: string[] = [];
  for (const it of items) {
    for (const r of it.results) {
      lines.push(
        [
          SCOPE.projectId,
          SCOPE.enterpriseProjectId,
          SCOPE.imageType,
          it.imageId,
          r.checkName,
          r.checkType,
          r.standard,
          r.severity,
          r.checkRuleNum,
          r.failedRuleNum,
          r.checkTypeDesc,
        ]
          .map(esc)
          .concat(extra(it))
          .join('\t'),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Seconds to COPY `text` into `table` (`columns`) over one connection to `url`, after `setup`. */
async function copySeconds(
  url: string,
  o: { setup?: string; table: string; columns: readonly string[]; text: string },
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (o.setup) await client.query(o.setup);
    const sql = `copy ${o.table} (${o.columns.join(', ')}) from stdin`;
    return (await timed(() => pipeline(Readable.from([o.text]), client.query(copyFrom(sql))))).seconds;
  } finally {
    await client.end();
  }
}

/** Runs `fn` on a fresh migrated database, dropped afterwards. */
async function onFreshDatabase<T>(adminUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const db = await freshDatabase(adminUrl);
  try {
    return await fn(db.url);
  } finally {
    await db.drop();
  }
}

export async function measureWrite(
  adminUrl: string,
  o: { images: number; batchImages: number },
): Promise<WriteResult> {
  const items = syntheticItems(o.images);
  const rows = items.reduce((n, it) => n + it.results.length, 0);
  const resultText = copyText(items);
  const openedAt = new Date().toISOString();
  const versionText = copyText(items, (it) => [
    openedAt,
    BENCH_RUN_ID,
    it.signal.latestScanTime === null ? '\\N' : new Date(it.signal.latestScanTime).toISOString(),
    it.source,
  ]);
  const versionColumns = [...RESULT_COLUMNS, ...VERSION_COLUMNS];

  const copy = await onFreshDatabase(adminUrl, (url) =>
    copySeconds(url, {
      setup: `create table bare (${RESULT_COLUMNS.map(
        (c) => `${c} ${c.endsWith('_num') ? 'integer' : 'text'}`,
      ).join(', ')})`,
      table: 'bare',
      columns: RESULT_COLUMNS,
      text: resultText,
    }),
  );
  const copyUnindexed = await onFreshDatabase(adminUrl, (url) =>
    copySeconds(url, {
      setup: `create table history_clone (like hss_internal.image_baseline_history
        including defaults including generated including identity)`,
      table: 'history_clone',
      columns: versionColumns,
      text: versionText,
    }),
  );
  const copyHistory = await onFreshDatabase(adminUrl, (url) =>
    copySeconds(url, {
      table: 'hss_internal.image_baseline_history',
      columns: versionColumns,
      text: versionText,
    }),
  );

  const seconds = await onFreshDatabase(adminUrl, async (url) => {
    const h = createDb(url);
    try {
      const at = new Date();
      return (
        await timed(async () => {
          for (let i = 0; i < items.length; i += o.batchImages) {
            await writeImageResults(h, BENCH_RUN_ID, at, items.slice(i, i + o.batchImages));
          }
        })
      ).seconds;
    } finally {
      await h.close();
    }
  });
  return {
    write_vs_history_copy: round(copyHistory / seconds),
    write_vs_copy: round(copy / seconds),
    write_rows: rows,
    write_images: o.images,
    write_seconds: round(seconds),
    copy_seconds: round(copy),
    write_batch_images: o.batchImages,
    write_vs_copy_ceiling_unindexed: round(copy / copyUnindexed),
    write_vs_copy_ceiling_history: round(copy / copyHistory),
    copy_history_unindexed_seconds: round(copyUnindexed),
    copy_history_seconds: round(copyHistory),
  };
}
