/** `simulate`: serves the HSS simulator until SIGTERM/SIGINT. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { listenForStop } from '../lifecycle.js';
import { createSimulator } from '../simulator/index.js';
import type { CliIo } from './types.js';

function int(flag: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(
      `--${flag}`,
      `${JSON.stringify(raw)} is not a whole number in range`,
      `${min}–${max}`,
    );
  return n;
}

export async function run(io: CliIo, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      images: { type: 'string' },
      'rate-limit': { type: 'string' },
      token: { type: 'string', multiple: true },
      project: { type: 'string' },
      'enterprise-projects': { type: 'string' },
    },
    strict: true,
  });
  const rate = int('rate-limit', values['rate-limit'], 0, 0, 100_000);
  const projectId = values.project ?? 'proj-demo';
  const eps = (values['enterprise-projects'] ?? '0')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const sim = createSimulator({
    seed: int('seed', values.seed, 1, 0, 2 ** 31 - 1),
    imagesPerScope: int('images', values.images, 40, 0, 1_000_000),
    rateLimitPerMinute: rate === 0 ? null : rate,
    projects: [{ projectId, enterpriseProjects: eps }],
    auth: { tokens: values.token ?? ['sim-token'] },
  });
  const { url } = await sim.listen({
    port: int('port', values.port, 8080, 0, 65_535),
    host: values.host ?? '127.0.0.1',
  });
  io.stdout.write(
    `HSS simulator listening on ${url}\n` +
      `  project ${projectId}, enterprise projects ${eps.join(',')}, rate limit ${rate === 0 ? 'off' : `${rate}/min per API`}\n` +
      `  try: HSS_ENDPOINT=${url} HSS_REGION=cn-north-4 HSS_PROJECT_ID=${projectId} HSS_AUTH_TOKEN=sim-token hss-baseline-sync sync\n` +
      `  control: ${url}/_sim/scopes, POST ${url}/_sim/rescan\n`,
  );
  const stop = listenForStop(
    { stopping: () => {}, forced: (why) => io.stderr.write(`${why}\n`) },
    io.signals,
  );
  try {
    await stop.requested;
    await sim.close();
    return EXIT.ok;
  } finally {
    stop.dispose();
  }
}
