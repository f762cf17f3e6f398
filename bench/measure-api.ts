/** api_pipe_efficiency: a full sync against a simulator adding fixed latency, no rate limit. */
import { benchApp, benchEnv, freshDatabase, round, spawnSimulator, timed } from './support.js';

export interface ApiPipeResult {
  api_pipe_efficiency: number;
  calls: number;
  images: number;
  latency_ms: number;
  concurrency: number;
  seconds: number;
  ideal_seconds: number;
}

export async function measureApiPipe(
  adminUrl: string,
  o: { images: number; latencyMs: number; concurrency: number },
): Promise<ApiPipeResult> {
  const db = await freshDatabase(adminUrl);
  const sim = await spawnSimulator({ images: o.images });
  await sim.setFaults({ latencyMs: o.latencyMs });
  const url = sim.url;
  let app: ReturnType<typeof benchApp> | undefined;
  try {
    app = benchApp(benchEnv(db.url, url, { HSS_FETCH_CONCURRENCY: String(o.concurrency) }));
    const a = app;
    const { value: report, seconds } = await timed(() => a.sync({ trigger: 'test', deadlineMs: null }));
    if (report.status !== 'succeeded')
      throw new Error(`api bench sync ended ${report.status}: ${report.error}`);
    const calls = report.counts.apiCalls;
    const ideal = (calls * o.latencyMs) / 1000 / o.concurrency;
    return {
      api_pipe_efficiency: round(ideal / seconds),
      calls,
      images: report.counts.imagesListed,
      latency_ms: o.latencyMs,
      concurrency: o.concurrency,
      seconds: round(seconds),
      ideal_seconds: round(ideal),
    };
  } finally {
    await app?.close();
    await sim.close();
    await db.drop();
  }
}
