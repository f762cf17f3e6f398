/**
 * `start`: the daemon (src/daemon.ts) until SIGTERM/SIGINT. A stop that finishes within the
 * shutdown bound exits 0; a forced one exits 3 (src/lifecycle.ts).
 */

import { createApp } from '../app.js';
import { parseCommandArgs } from '../cli-args.js';
import { loadConfig } from '../config/load.js';
import { type Daemon, startDaemon } from '../daemon.js';
import { EXIT } from '../exit-codes.js';
import { listenForStop } from '../lifecycle.js';
import { createLogger, resolveLogFormat } from '../log.js';
import { createMetrics } from '../metrics.js';
import { START } from './specs.js';
import type { CliIo } from './types.js';

export async function run(io: CliIo, args: string[] = []): Promise<number> {
  parseCommandArgs(START, args);
  const config = loadConfig(io.env);
  const format = resolveLogFormat(config.logFormat, io.stdout);
  const logger = createLogger({ level: config.logLevel, format, destination: io.stdout });
  const metrics = createMetrics();
  const app = createApp(config, { logger, observer: metrics.observer });
  metrics.watchPacer(app.pacer);
  // Listen before booting: a SIGTERM during the boot migration then stops the daemon cleanly
  // instead of killing the process mid-way.
  const stop = listenForStop(
    {
      stopping: (signal) => logger.info({ signal }, 'shutting down'),
      forced: (why) => logger.error(why),
    },
    io.signals,
  );
  try {
    let daemon: Daemon;
    try {
      daemon = await startDaemon(app, {
        schedule: config.schedule,
        timezone: config.timezone,
        runOnStart: config.runOnStart,
        migrateOnStart: config.migrateOnStart,
        httpPort: config.httpPort,
        httpHost: config.httpHost,
        metrics,
      });
    } catch (err) {
      await app.close();
      throw err;
    }
    await stop.requested;
    await daemon.stop();
    await app.close();
    logger.info('stopped');
    return EXIT.ok;
  } finally {
    stop.dispose();
  }
}
