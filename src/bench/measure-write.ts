/**
 * write_vs_copy: the worker's own write path (writeImageResults in group-commit batches, as the
 * engine calls it under load) against a raw COPY of the same rows into a bare table.
 */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDb } from '../db/pool.js';
import { writeImageResults } from '../db/writer.js';
import type { RiskConfig, Scope } from '../domain.js';
import type { ImageResultItem } from '../sync/store.js';
import { BENCH_PROJECT, freshDatabase, round, timed } from './support.js';

export interface WriteResult {
  write_vs_copy: number;
  write_rows: number;
  write_images: number;
  write_seconds: number;
  copy_seconds: number;
  write_batch_images: number;
}

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
      results,
    });
  }
  return items;
}

function copyText(items: ImageResultItem[]): string {
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
          .join('\t'),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function measureWrite(
  adminUrl: string,
  o: { images: number; batchImages: number },
): Promise<WriteResult> {
  const items = syntheticItems(o.images);
  const rows = items.reduce((n, it) => n + it.results.length, 0);

  const copyDb = await freshDatabase(adminUrl);
  const client = new pg.Client({ connectionString: copyDb.url });
  await client.connect();
  let copySeconds: number;
  try {
    await client.query(`create table bare (project_id text, enterprise_project_id text, image_type text, image_id text,
      check_name text, check_type text, standard text, severity text, check_rule_num integer, failed_rule_num integer,
      check_type_desc text)`);
    const text = copyText(items);
    copySeconds = (
      await timed(() => pipeline(Readable.from([text]), client.query(copyFrom('copy bare from stdin'))))
    ).seconds;
  } finally {
    await client.end();
    await copyDb.drop();
  }

  const db = await freshDatabase(adminUrl);
  const h = createDb(db.url);
  try {
    const at = new Date();
    const { seconds } = await timed(async () => {
      for (let i = 0; i < items.length; i += o.batchImages) {
        await writeImageResults(
          h,
          '00000000-0000-4000-8000-000000000001',
          at,
          items.slice(i, i + o.batchImages),
        );
      }
    });
    return {
      write_vs_copy: round(copySeconds / seconds),
      write_rows: rows,
      write_images: o.images,
      write_seconds: round(seconds),
      copy_seconds: round(copySeconds),
      write_batch_images: o.batchImages,
    };
  } finally {
    await h.close();
    await db.drop();
  }
}
