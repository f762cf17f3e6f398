/** `sync`: one run now; a one-line summary on stdout, progress and logs on stderr. */

import { createApp } from '../app.js';
import { parseCommandArgs } from '../cli-args.js';
import { loadConfig } from '../config/load.js';
import { runExitCode } from '../exit-codes.js';
import { withStopSignal } from '../lifecycle.js';
import { createLogger, resolveLogFormat } from '../log.js';
import { createProgressReporter, progressMode } from '../progress.js';
import { scopesOf } from '../sync/engine.js';
import { formatRunSummary } from '../sync/summary.js';
import { escapeControls } from '../text.js';
import { SYNC } from './specs.js';
import type { CliIo } from './types.js';

export async function run(io: CliIo, args: string[] = []): Promise<number> {
  parseCommandArgs(SYNC, args);
  const config = loadConfig(io.env);
  const format = resolveLogFormat(config.logFormat, io.stderr);
  // A live bar on a terminal (log lines pass through it), plain lines or nothing elsewhere.
  const progress = createProgressReporter({
    out: io.stderr,
    mode: progressMode(io.stderr, format),
    scopes: scopesOf(config.targets).length,
    // Each target normally has its own credential, and so its own pace.
    fetchRatePerMinute:
      (config.rateLimitOverrides.ListImageRiskConfigs ?? config.rateLimitPerMinute) * config.targets.length,
  });
  const logger = createLogger({ level: config.logLevel, format, destination: progress.logDestination });
  const app = createApp(config, { logger });
  try {
    await app.assertMigrated();
    const report = await withStopSignal(
      {
        stopping: (name) => io.stderr.write(`received ${name}: stopping (committed results are kept)\n`),
        forced: (why) => io.stderr.write(`${why}\n`),
      },
      io.signals,
      (signal) => app.sync({ trigger: 'cli', signal, onProgress: progress.onProgress }),
    );
    progress.finish();
    io.stdout.write(`${formatRunSummary(report)}\n`);
    const skipped = report.scopes.filter((s) => s.status === 'skipped').map((s) => s.label);
    if (skipped.length > 0) {
      // Not a failure: another worker holds these scopes and syncs them (one writer per scope).
      io.stderr.write(
        `skipped ${skipped.length} scope(s) another worker is syncing: ${skipped.join(', ')}\n`,
      );
    }
    // A succeeded run's notes are warnings, already at the end of the summary line. The reasons
    // may quote upstream text (a request id): escaped for the terminal.
    if (report.error && report.status !== 'succeeded') {
      io.stderr.write(`problems: ${escapeControls(report.error)}\n`);
    }
    return runExitCode(report);
  } finally {
    progress.finish();
    await app.close();
  }
}
