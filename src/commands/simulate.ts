/**
 * `simulate`: serves the HSS simulator until SIGTERM/SIGINT. It accepts the token(s) given with
 * --token (default sim-token) and the documented test key pair (SIM_TEST_ACCESS_KEY /
 * SIM_TEST_SECRET_KEY) for AK/SK signing. The rate limit is off by default (--rate-limit 0): a
 * first sync of the default world then takes seconds, where HSS's documented 5 calls per minute
 * per API (--rate-limit 5) make it take about an hour.
 */
import { parseCommandArgs } from '../cli-args.js';
import { EXIT } from '../exit-codes.js';
import { listenForStop } from '../lifecycle.js';
import { createSimulator, SIM_TEST_ACCESS_KEY, SIM_TEST_SECRET_KEY } from '../simulator/index.js';
import { paceHint, syncRateFor } from '../simulator/pace-hint.js';
import { SIMULATE } from './specs.js';
import type { CliIo } from './types.js';

export async function run(io: CliIo, args: string[]): Promise<number> {
  const values = parseCommandArgs(SIMULATE, args);
  const rate = values['rate-limit'] ?? 0;
  const cicd = values['cicd-risk-configs'] ?? 'empty';
  const projectId = values.project ?? 'proj-demo';
  const eps = (values['enterprise-projects'] ?? '0')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const token = values.token?.[0] ?? 'sim-token';
  const sim = createSimulator({
    seed: values.seed ?? 1,
    imagesPerScope: values.images ?? 40,
    rateLimitPerMinute: rate === 0 ? null : rate,
    projects: [{ projectId, enterpriseProjects: eps }],
    cicdRiskConfigs: cicd,
    auth: {
      tokens: values.token ?? ['sim-token'],
      accessKeys: [{ ak: SIM_TEST_ACCESS_KEY, sk: SIM_TEST_SECRET_KEY }],
    },
  });
  const { url } = await sim.listen({
    port: values.port ?? 8080,
    host: values.host ?? '127.0.0.1',
  });
  const target = `HSS_ENDPOINT=${url} HSS_REGION=cn-north-4 HSS_PROJECT_ID=${projectId} HSS_RATE_LIMIT_PER_MINUTE=${syncRateFor(rate)}`;
  io.stdout.write(
    `HSS simulator listening on ${url}\n` +
      `  project ${projectId}, enterprise projects ${eps.join(',')}, rate limit ${rate === 0 ? 'off' : `${rate}/min per API`}, ` +
      `ListImageRiskConfigs for cicd: ${cicd === 'seed' ? "the seed's summaries" : 'empty (official)'}\n` +
      paceHint(rate) +
      `  try (token): ${target} HSS_AUTH_TOKEN=${token} hss-baseline-sync sync\n` +
      `  try (AK/SK, a public test key pair only this simulator accepts): ${target} HSS_ACCESS_KEY=${SIM_TEST_ACCESS_KEY} HSS_SECRET_KEY=${SIM_TEST_SECRET_KEY} hss-baseline-sync sync\n` +
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
