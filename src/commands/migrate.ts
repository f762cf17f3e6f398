/** `migrate`: applies pending database migrations (needs only DATABASE_URL). */
import { parseCommandArgs } from '../cli-args.js';
import { loadDatabaseUrl, loadLogSettings } from '../config/load.js';
import { migrate } from '../db/migrate.js';
import { createDb } from '../db/pool.js';
import { EXIT } from '../exit-codes.js';
import { createLogger, resolveLogFormat } from '../log.js';
import { MIGRATE } from './specs.js';
import type { CliIo } from './types.js';

export async function run(io: CliIo, args: string[] = []): Promise<number> {
  parseCommandArgs(MIGRATE, args);
  const url = loadDatabaseUrl(io.env);
  const log = loadLogSettings(io.env);
  const logger = createLogger({
    level: log.level,
    format: resolveLogFormat(log.format, io.stderr),
    destination: io.stderr,
  });
  const db = createDb(url, { logger });
  try {
    await migrate(db, logger);
    io.stdout.write('migrations applied\n');
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
