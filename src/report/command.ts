/**
 * `report --as-of <instant> --out DIR`: evidence of the posture as of an instant. Needs only
 * DATABASE_URL and reads only the public views (a login in hss_reader is enough). Every query
 * runs in one read-only REPEATABLE READ transaction, so all tables describe the same snapshot.
 * Nothing is half-written: the files go to a temporary directory beside DIR, renamed to DIR at
 * the end.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../commands/types.js';
import { loadDatabaseUrl } from '../config/load.js';
import { createDb } from '../db/pool.js';
import { DbError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { escapeControls } from '../text.js';
import { generateReport, type ReportVerifier } from './generate.js';
import { sha256 } from './manifest.js';
import { parseReportArgs, REPORT_USAGE, UsageError } from './options.js';

/** The version in the package's package.json (found above this module, in src/ or dist/). */
export function toolVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hss-baseline-sync' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/** DIR must not exist, or be an empty directory; its parent must exist. */
async function checkOut(out: string): Promise<void> {
  const s = await stat(out).catch(() => null);
  if (s) {
    if (!s.isDirectory()) throw new UsageError(`--out ${out} exists and is not a directory`);
    if ((await readdir(out)).length > 0) {
      throw new UsageError(
        `--out ${out} is not empty: give a new or empty directory (a report is never mixed with other files)`,
      );
    }
  }
  const parent = await stat(dirname(out)).catch(() => null);
  if (!parent?.isDirectory())
    throw new UsageError(`--out ${out}: the directory ${dirname(out)} does not exist`);
}

/** Writes the files into a fresh directory beside `out`, then renames it to `out`. */
async function writeAtomically(out: string, files: ReadonlyMap<string, string>): Promise<void> {
  let tmp: string;
  try {
    tmp = await mkdtemp(join(dirname(out), `.${basename(out)}.tmp-`));
  } catch (err) {
    throw new Error(
      `cannot write --out ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    for (const [name, text] of files)
      await writeFile(join(tmp, name), text, { encoding: 'utf8', mode: 0o644 });
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(
      `cannot write --out ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

export interface ReportDeps {
  /** Checks the history hash chain; without it the manifest says `"verify": null`. */
  verifier?: ReportVerifier;
}

/** `report`: returns the exit code (configuration errors are thrown, for the CLI to map to 78). */
export async function cmdReport(io: CliIo, args: string[], deps: ReportDeps = {}): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(REPORT_USAGE);
    return EXIT.ok;
  }
  let opts: ReturnType<typeof parseReportArgs>;
  try {
    opts = parseReportArgs(args);
    opts.out = resolve(opts.out);
    await checkOut(opts.out);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hss-baseline-sync report: ${escapeControls(err.message)}\n\n${REPORT_USAGE}`);
    return EXIT.usage;
  }
  const url = loadDatabaseUrl(io.env);
  const db = createDb(url, { maxConnections: 1, applicationName: 'hss-baseline-sync-report' });
  let files: Map<string, string>;
  try {
    const client = await db.pool.connect();
    try {
      await client.query('begin isolation level repeatable read read only');
      await client.query(`set local timezone = 'UTC'`);
      await client.query(`set local datestyle = 'ISO, YMD'`);
      const check = await client.query<{ fn: string | null; now: Date }>(
        `select to_regprocedure('hss.image_baselines_as_of(timestamptz)')::text as fn, now() as now`,
      );
      const row = check.rows[0];
      if (!row?.fn)
        throw new DbError('the database has no hss schema yet: run `hss-baseline-sync migrate` first');
      if (opts.asOf.getTime() > row.now.getTime()) {
        io.stderr.write(
          `hss-baseline-sync report: --as-of ${opts.asOf.toISOString()} is later than the database's clock (${row.now.toISOString()}): the record of that instant is not complete yet\n`,
        );
        await client.query('rollback');
        return EXIT.usage;
      }
      files = await generateReport(client, {
        asOf: opts.asOf,
        days: opts.days,
        filters: {
          targets: opts.targets,
          enterpriseProjects: opts.enterpriseProjects,
          imageTypes: opts.imageTypes,
        },
        toolVersion: toolVersion(),
        ...(deps.verifier ? { verifier: deps.verifier } : {}),
      });
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  } finally {
    await db.close();
  }
  try {
    await writeAtomically(opts.out, files);
  } catch (err) {
    io.stderr.write(`hss-baseline-sync report: ${escapeControls((err as Error).message)}\n`);
    return EXIT.failed;
  }
  const manifest = files.get('manifest.json') ?? '';
  io.stdout.write(
    `report as of ${opts.asOf.toISOString()} written to ${opts.out}: ${files.size} files; manifest.json sha256 ${sha256(manifest)}\n`,
  );
  const verify = JSON.parse(manifest).verify as { intact: boolean; broken: number } | null;
  if (verify && !verify.intact) {
    io.stderr.write(
      `warning: the history hash chain is broken (${verify.broken} ${verify.broken === 1 ? 'link' : 'links'}): see manifest.json "verify"\n`,
    );
  }
  return EXIT.ok;
}
