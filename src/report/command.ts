/**
 * `report --as-of <instant> --out DIR`: evidence of the posture as of an instant. Needs only
 * DATABASE_URL and reads only the public views (a login in hss_reader is enough). Every query
 * runs in one read-only REPEATABLE READ transaction, so all tables describe the same snapshot.
 * It refuses, writing nothing, when the history hash chain is broken (unless --allow-broken),
 * when there is nothing to report at the instant, when retention deleted history in force then
 * (66), and while a sync run that started by the instant is open (75, src/verify/stable.ts).
 * Nothing is half-written (see out-dir.ts).
 */

import { resolve } from 'node:path';
import type pg from 'pg';
import { commandHelp, REPORT } from '../commands/specs.js';
import type { CliIo } from '../commands/types.js';
import { loadDatabaseUrl } from '../config/load.js';
import { createDb } from '../db/pool.js';
import { DbError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { escapeControls } from '../text.js';
import { AsOfPrunedError } from '../verify/as-of.js';
import { assertStableBefore, assertStableIn, UnstableInstantError } from '../verify/stable.js';
import { packageVersion } from '../version.js';
import { generateReport, type ReportVerifier } from './generate.js';
import { sha256, type VerifyResult } from './manifest.js';
import { parseReportArgs, UsageError } from './options.js';
import { checkOut, type OutFs, writeReportFiles } from './out-dir.js';
import { findNothingToReport } from './preflight.js';

export interface ReportDeps {
  /** Checks the history hash chain; without it the manifest says `"verify": null`. */
  verifier?: ReportVerifier;
  /** The file operations of --out (a test seam: inject EBUSY, EACCES). */
  fs?: OutFs;
}

const PREFIX = 'hss-baseline-sync report: ';

/** The broken links as one line for stderr: how many and the first few, by key and version. */
function brokenLine(v: VerifyResult): string {
  const first = v.links
    .slice(0, 3)
    .map(
      (l) =>
        `${l.history} ${Object.entries(l.key)
          .map(([k, x]) => `${k}=${JSON.stringify(x)}`)
          .join(' ')} version ${l.version_id} (${l.kind})`,
    )
    .join('; ');
  return `the history hash chain is broken (${v.broken} ${v.broken === 1 ? 'link' : 'links'}: ${first}${v.broken > 3 ? '; …' : ''})`;
}

type ReportOptions = ReturnType<typeof parseReportArgs>;
type Client = pg.PoolClient;

/** The options, the --out directory checked; the usage exit code, with the usage, when they are wrong. */
async function optionsOf(io: CliIo, args: string[]): Promise<ReportOptions | number> {
  try {
    const opts = parseReportArgs(args);
    opts.out = resolve(opts.out);
    await checkOut(opts.out);
    return opts;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`${PREFIX}${escapeControls(err.message)}\n\n${commandHelp(REPORT)}`);
    return EXIT.usage;
  }
}

/** Refuses a database without the hss schema or one this login may not use; an exit code for an instant still to come. */
async function checkInstant(io: CliIo, client: Client, opts: ReportOptions): Promise<number | null> {
  const check = await client.query<{
    usable: boolean | null;
    fn: string | null;
    late: boolean;
    now: Date;
  }>(
    `select case when to_regnamespace('hss') is not null then has_schema_privilege('hss', 'USAGE') end as usable,
            to_regprocedure('hss.image_baselines_as_of(timestamptz)')::text as fn,
            $1::timestamptz > now() as late, now() as now`,
    [opts.asOfText],
  );
  const row = check.rows[0];
  if (row?.usable === false)
    throw Object.assign(new Error('permission denied for schema hss'), { code: '42501' });
  if (!row?.fn)
    throw new DbError('the database has no hss schema yet: run `hss-baseline-sync migrate` first');
  if (!row.late) return null;
  io.stderr.write(
    `${PREFIX}--as-of ${opts.asOfText} is later than the database's clock (${row.now.toISOString()}): the record of that instant is not complete yet\n`,
  );
  return EXIT.usage;
}

/** The report's files, read in one read-only snapshot; an exit code when there is nothing to report. */
async function readReport(
  io: CliIo,
  client: Client,
  opts: ReportOptions,
  deps: ReportDeps,
): Promise<Map<string, string> | number> {
  // The instant is stable once every run that started by then has ended (src/verify/stable.ts):
  // checked before the snapshot is taken and again inside it.
  const dead = await assertStableBefore(client, opts.asOfText);
  await client.query('begin isolation level repeatable read read only');
  await client.query(`set local timezone = 'UTC'`);
  await client.query(`set local datestyle = 'ISO, YMD'`);
  const refused = await checkInstant(io, client, opts);
  if (refused !== null) {
    await client.query('rollback');
    return refused;
  }
  await assertStableIn(client, opts.asOfText, dead);
  const query = {
    asOf: opts.asOfText,
    days: opts.days,
    filters: {
      targets: opts.targets,
      enterpriseProjects: opts.enterpriseProjects,
      imageTypes: opts.imageTypes,
    },
  };
  const nothing = await findNothingToReport(client, query);
  if (nothing) {
    io.stderr.write(`${PREFIX}${escapeControls(nothing)}\n`);
    await client.query('rollback');
    return EXIT.noData;
  }
  const files = await generateReport(client, {
    ...query,
    toolVersion: packageVersion(),
    ...(deps.verifier ? { verifier: deps.verifier } : {}),
  });
  await client.query('commit');
  return files;
}

/** Connects with one connection, reads the report, and closes the pool. */
async function readFromDatabase(
  io: CliIo,
  opts: ReportOptions,
  deps: ReportDeps,
): Promise<Map<string, string> | number> {
  const url = loadDatabaseUrl(io.env);
  const db = createDb(url, { maxConnections: 1, applicationName: 'hss-baseline-sync-report' });
  try {
    const client = await db.pool.connect();
    try {
      return await readReport(io, client, opts, deps);
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  } catch (err) {
    if (err instanceof UnstableInstantError || err instanceof AsOfPrunedError) {
      io.stderr.write(`${PREFIX}${escapeControls(err.message)}: nothing was written\n`);
      return err instanceof UnstableInstantError ? EXIT.tempFail : EXIT.noData;
    }
    // A login without hss_reader meets "permission denied" on the first view it reads: it is
    // thrown on, and the CLI names the role (src/permission.ts).
    throw err;
  } finally {
    await db.close();
  }
}

/** The broken links the manifest's verification found (null: intact, or not verified). */
function brokenOf(manifest: string): VerifyResult | null {
  const verify = JSON.parse(manifest).verify as {
    intact: boolean;
    broken: number;
    broken_links: VerifyResult['links'];
  } | null;
  return verify && !verify.intact
    ? { intact: false, broken: verify.broken, links: verify.broken_links }
    : null;
}

/** `report`: returns the exit code (configuration errors are thrown, for the CLI to map to 78). */
export async function cmdReport(io: CliIo, args: string[], deps: ReportDeps = {}): Promise<number> {
  const opts = await optionsOf(io, args);
  if (typeof opts === 'number') return opts;
  const files = await readFromDatabase(io, opts, deps);
  if (typeof files === 'number') return files;
  const manifest = files.get('manifest.json') ?? '';
  const broken = brokenOf(manifest);
  if (broken && !opts.allowBroken) {
    io.stderr.write(
      `${PREFIX}${escapeControls(brokenLine(broken))}: the evidence may have been altered, so nothing was written; \`hss-baseline-sync verify\` names every broken link; --allow-broken writes the report with them marked\n`,
    );
    return EXIT.broken;
  }
  try {
    await writeReportFiles(opts.out, files, deps.fs);
  } catch (err) {
    io.stderr.write(`${PREFIX}${escapeControls((err as Error).message)}\n`);
    return EXIT.failed;
  }
  io.stdout.write(
    `report as of ${opts.asOfText} written to ${opts.out}: ${files.size} files; manifest.json sha256 ${sha256(manifest)}\n`,
  );
  if (broken) {
    io.stderr.write(
      `warning: ${escapeControls(brokenLine(broken))}: written with --allow-broken; the page and manifest.json "verify" name the broken links\n`,
    );
  }
  return EXIT.ok;
}
