/**
 * `demo`: everything on one machine with no cloud account. Embedded PostgreSQL on a stable port
 * (--port, default 54329) with its data in .demo-data/ of the project (--data-dir; an inherited
 * DATABASE_URL is ignored: `--use-database-url` uses it, and a database holding other projects'
 * scopes is refused), the HSS simulator at a generous rate (--rate-limit, --images), a migration,
 * a read-only login for BI tools, a sync with visible progress, a few answers from the SQL
 * surface and what to try next (src/demo/hints.ts), then a sync every 20 s (the simulator rescans
 * a few images before each) until Ctrl-C. `--once` stops after the first sync.
 */

import { type App, createApp } from '../app.js';
import { parseCommandArgs } from '../cli-args.js';
import { isSet, loadDatabaseUrl, loadLogLevel } from '../config/load.js';
import { startDaemon } from '../daemon.js';
import { formatConnectHints, formatOnceEnd } from '../demo/hints.js';
import { ensureReaderLogin } from '../demo/reader.js';
import {
  createDemoSimulator,
  DEMO_QUERIES,
  type DemoDeps,
  demoConfig,
  demoOptions,
  describeUrl,
  EPS,
  foreignProjects,
  type OwnDatabase,
  PROJECT,
  startEmbeddedDemoDatabase,
  withoutPassword,
} from '../demo.js';
import { ConfigError } from '../errors.js';
import { EXIT, runExitCode } from '../exit-codes.js';
import { listenForStop } from '../lifecycle.js';
import { createLogger } from '../log.js';
import type { Simulator } from '../simulator/index.js';
import type { ProgressEvent, RunReport } from '../sync/engine.js';
import { formatRunSummary } from '../sync/summary.js';
import { formatTable } from '../table-format.js';
import { DEMO } from './specs.js';
import type { CliIo } from './types.js';

type Out = (s: string) => void;
type Stop = ReturnType<typeof listenForStop>;

/** The demo's database: the given DATABASE_URL (--use-database-url), or an embedded server of its own. */
async function openDatabase(
  io: CliIo,
  values: ReturnType<typeof parseCommandArgs>,
  opts: ReturnType<typeof demoOptions>,
  deps: DemoDeps,
  out: Out,
  stop: Stop,
): Promise<{ databaseUrl: string; own: OwnDatabase | null }> {
  if (values['use-database-url']) {
    const databaseUrl = loadDatabaseUrl(io.env);
    out(`Database: DATABASE_URL (--use-database-url), ${describeUrl(databaseUrl)}\n`);
    return { databaseUrl, own: null };
  }
  // An inherited DATABASE_URL (a shell set up for the real sync) is not the demo's to fill.
  if (isSet(io.env, 'DATABASE_URL')) {
    out(
      'DATABASE_URL is set but not used: the demo uses a database of its own (--use-database-url uses it)\n',
    );
  }
  const own = await (deps.startOwnDatabase ?? startEmbeddedDemoDatabase)(out, opts).catch((err: unknown) => {
    stop.dispose();
    throw err;
  });
  out(`Database: ${own.description}\n`);
  return { databaseUrl: own.url, own };
}

/** After each run: its summary, the demo's questions answered from the SQL surface, the versions stored. */
async function showAnswers(pool: App['db']['pool'], out: Out, report: RunReport): Promise<void> {
  out(`\n${formatRunSummary(report)}\n`);
  for (const q of DEMO_QUERIES) {
    const r = await pool.query(q.sql);
    out(`\n${q.title}:\n${formatTable(r.rows)}`);
  }
  const v = await pool.query<{ n: number }>(
    'select count(*)::int as n from hss_internal.image_baseline_history',
  );
  out(`\nhistory versions stored: ${v.rows[0]!.n}\n`);
}

/** Progress lines of the first sync, at most one per 250 ms but for each scope's end. */
function progressPrinter(out: Out): (p: ProgressEvent) => void {
  let lastPrint = 0;
  return (p) => {
    // A rule call only moves the per-API figures, which the demo does not print.
    if (p.phase === 'rules') return;
    const now = Date.now();
    if (p.phase === 'done' || now - lastPrint > 250) {
      lastPrint = now;
      out(`  ${p.scope.padEnd(40)} ${p.phase.padEnd(9)} ${p.done}/${p.total}\n`);
    }
  };
}

/** The demo writes a simulated world and never mixes it into a database holding other projects' scopes. */
async function refuseForeignScopes(pool: App['db']['pool'], databaseUrl: string): Promise<void> {
  const foreign = await foreignProjects(pool);
  if (foreign.length > 0) {
    throw new ConfigError(
      'DATABASE_URL',
      `${describeUrl(databaseUrl)} holds scopes that are not the demo's (project ${foreign.join(', ')}): the demo writes a simulated world and never mixes it into other data; give it an empty database, or run it without --use-database-url`,
    );
  }
}

/** Syncs on the demo's schedule until Ctrl-C, the simulator rescanning a few images before each run. */
async function syncUntilStopped(app: App, sim: Simulator, out: Out, stop: Stop): Promise<number> {
  out('\nSyncing every 20 s; the simulator rescans a few images before each run. Ctrl-C to stop.\n');
  const daemon = await startDaemon(app, {
    schedule: app.config.schedule,
    timezone: 'UTC',
    runOnStart: false,
    migrateOnStart: false,
    httpPort: 0,
    beforeRun: () => {
      const scopes = sim.world.scopes();
      const scope = scopes[Math.floor(Math.random() * scopes.length)];
      if (scope) {
        const ids = sim.world.rescan(scope, 3);
        out(
          `\nsimulator: rescanned ${ids.length} image(s) in ${scope.projectId}/${scope.enterpriseProjectId}/${scope.imageType}\n`,
        );
      }
    },
    afterRun: (report) => showAnswers(app.db.pool, out, report),
  });
  await stop.requested;
  out('\nStopping ...\n');
  await daemon.stop();
  return EXIT.ok;
}

export async function run(io: CliIo, args: string[], deps: DemoDeps = {}): Promise<number> {
  const values = parseCommandArgs(DEMO, args);
  const out = (s: string) => io.stdout.write(s);
  const opts = demoOptions(values);
  // From the start: a Ctrl-C during the first sync also ends with the pools closed, then the server.
  const stop = listenForStop({ stopping: () => {}, forced: (why) => out(`\n${why}\n`) }, io.signals);
  const { databaseUrl, own } = await openDatabase(io, values, opts, deps, out, stop);
  const sim = createDemoSimulator(opts.ratePerMinute, opts.imagesPerScope);
  const { url: simUrl } = await sim.listen({ port: 0, host: '127.0.0.1' });
  out(`HSS simulator on ${simUrl} (project ${PROJECT}, enterprise projects ${EPS.join(', ')})\n`);

  const config = demoConfig(databaseUrl, simUrl, loadLogLevel(io.env, 'warn'), opts.ratePerMinute);
  const logger = createLogger({ level: config.logLevel, format: 'pretty', destination: io.stderr });
  const app = createApp(config, { logger });
  const pool = app.db.pool;
  try {
    await refuseForeignScopes(pool, databaseUrl);
    out('Migrating ...\n');
    await app.migrate();
    const readerUrl = own?.reader ? await ensureReaderLogin(pool, own.reader, databaseUrl) : null;
    out('Syncing ...\n');
    const onProgress = progressPrinter(out);
    const first = await app.sync({
      trigger: 'demo',
      onProgress,
      deadlineMs: null,
      signal: stop.signal,
      // Without --once the demo goes on syncing on its schedule: recorded for `status`.
      ...(values.once ? {} : { schedule: { expression: config.schedule, timezone: 'UTC' } }),
    });
    await showAnswers(pool, out, first);
    // The embedded server's password is a local throwaway; a given URL's is the user's secret.
    out(
      formatConnectHints({
        ownerUrl: own ? databaseUrl : withoutPassword(databaseUrl),
        readerUrl,
        readerPasswordFile: own?.reader?.passwordFile ?? null,
        ownDatabase: own !== null,
      }),
    );
    if (values.once) out(formatOnceEnd(own ? (own.dataDir ?? null) : null));
    if (values.once || stop.signal.aborted) return runExitCode(first);
    return await syncUntilStopped(app, sim, out, stop);
  } finally {
    // The pools close first (every connection ended), then the server stops: no 57P01.
    await app.close();
    await sim.close();
    await own?.stop();
    stop.dispose();
  }
}
