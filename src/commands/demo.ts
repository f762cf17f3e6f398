/**
 * `demo`: everything on one machine with no cloud account. Embedded PostgreSQL on a stable port
 * (--port, default 54329) with its data in .demo-data/ of the project (--data-dir; an inherited
 * DATABASE_URL is ignored: `--use-database-url` uses it, and a database holding other projects'
 * scopes is refused), the HSS simulator at a generous rate (--rate-limit, --images), a migration,
 * a read-only login for BI tools, a sync with visible progress, a few answers from the SQL
 * surface and what to try next (src/demo/hints.ts), then a sync every 20 s (the simulator rescans
 * a few images before each) until Ctrl-C. `--once` stops after the first sync.
 */

import { createApp } from '../app.js';
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
import type { ProgressEvent, RunReport } from '../sync/engine.js';
import { formatRunSummary } from '../sync/summary.js';
import { formatTable } from '../table-format.js';
import { DEMO } from './specs.js';
import type { CliIo } from './types.js';

export async function run(io: CliIo, args: string[], deps: DemoDeps = {}): Promise<number> {
  const values = parseCommandArgs(DEMO, args);
  const out = (s: string) => io.stdout.write(s);
  const opts = demoOptions(values);
  // From the start: a Ctrl-C during the first sync also ends with the pools closed, then the server.
  const stop = listenForStop({ stopping: () => {}, forced: (why) => out(`\n${why}\n`) }, io.signals);
  let own: OwnDatabase | null = null;
  let databaseUrl: string;
  if (values['use-database-url']) {
    databaseUrl = loadDatabaseUrl(io.env);
    out(`Database: DATABASE_URL (--use-database-url), ${describeUrl(databaseUrl)}\n`);
  } else {
    // An inherited DATABASE_URL (a shell set up for the real sync) is not the demo's to fill.
    if (isSet(io.env, 'DATABASE_URL')) {
      out(
        'DATABASE_URL is set but not used: the demo uses a database of its own (--use-database-url uses it)\n',
      );
    }
    own = await (deps.startOwnDatabase ?? startEmbeddedDemoDatabase)(out, opts).catch((err: unknown) => {
      stop.dispose();
      throw err;
    });
    databaseUrl = own.url;
    out(`Database: ${own.description}\n`);
  }
  const sim = createDemoSimulator(opts.ratePerMinute, opts.imagesPerScope);
  const { url: simUrl } = await sim.listen({ port: 0, host: '127.0.0.1' });
  out(`HSS simulator on ${simUrl} (project ${PROJECT}, enterprise projects ${EPS.join(', ')})\n`);

  const config = demoConfig(databaseUrl, simUrl, loadLogLevel(io.env, 'warn'), opts.ratePerMinute);
  const logger = createLogger({ level: config.logLevel, format: 'pretty', destination: io.stderr });
  const app = createApp(config, { logger });
  const pool = app.db.pool;

  const showAnswers = async (report: RunReport) => {
    out(`\n${formatRunSummary(report)}\n`);
    for (const q of DEMO_QUERIES) {
      const r = await pool.query(q.sql);
      out(`\n${q.title}:\n${formatTable(r.rows)}`);
    }
    const v = await pool.query<{ n: number }>(
      'select count(*)::int as n from hss_internal.image_baseline_history',
    );
    out(`\nhistory versions stored: ${v.rows[0]!.n}\n`);
  };

  let lastPrint = 0;
  const onProgress = (p: ProgressEvent) => {
    // A rule call only moves the per-API figures, which the demo does not print.
    if (p.phase === 'rules') return;
    const now = Date.now();
    if (p.phase === 'done' || now - lastPrint > 250) {
      lastPrint = now;
      out(`  ${p.scope.padEnd(40)} ${p.phase.padEnd(9)} ${p.done}/${p.total}\n`);
    }
  };

  try {
    const foreign = await foreignProjects(pool);
    if (foreign.length > 0) {
      throw new ConfigError(
        'DATABASE_URL',
        `${describeUrl(databaseUrl)} holds scopes that are not the demo's (project ${foreign.join(', ')}): the demo writes a simulated world and never mixes it into other data; give it an empty database, or run it without --use-database-url`,
      );
    }
    out('Migrating ...\n');
    await app.migrate();
    const readerUrl = own?.reader ? await ensureReaderLogin(pool, own.reader, databaseUrl) : null;
    out('Syncing ...\n');
    const first = await app.sync({
      trigger: 'demo',
      onProgress,
      deadlineMs: null,
      signal: stop.signal,
      // Without --once the demo goes on syncing on its schedule: recorded for `status`.
      ...(values.once ? {} : { schedule: { expression: config.schedule, timezone: 'UTC' } }),
    });
    await showAnswers(first);
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

    out('\nSyncing every 20 s; the simulator rescans a few images before each run. Ctrl-C to stop.\n');
    {
      const daemon = await startDaemon(app, {
        schedule: config.schedule,
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
        afterRun: showAnswers,
      });
      await stop.requested;
      out('\nStopping ...\n');
      await daemon.stop();
      return EXIT.ok;
    }
  } finally {
    // The pools close first (every connection ended), then the server stops: no 57P01.
    await app.close();
    await sim.close();
    await own?.stop();
    stop.dispose();
  }
}
