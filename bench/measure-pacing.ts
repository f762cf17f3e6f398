/**
 * pacing_efficiency: a rate-limited sync with more result calls than one window holds. The
 * limit forces call k (0-based) to start no earlier than floor(k / R) windows after the first.
 */
import { benchApp, benchEnv, freshDatabase, round, spawnSimulator, timed } from './support.js';

export interface PacingResult {
  pacing_efficiency: number;
  pacing_calls: number;
  rate_per_minute: number;
  pacing_seconds: number;
  pacing_ideal_seconds: number;
  pacing_429s: number;
}

export async function measurePacing(
  adminUrl: string,
  o: { images: number; ratePerMinute: number },
): Promise<PacingResult> {
  const db = await freshDatabase(adminUrl);
  const sim = await spawnSimulator({ images: o.images, ratePerMinute: o.ratePerMinute });
  const url = sim.url;
  let app: ReturnType<typeof benchApp> | undefined;
  try {
    app = benchApp(
      benchEnv(db.url, url, {
        HSS_RATE_LIMIT_PER_MINUTE: String(o.ratePerMinute),
        HSS_FETCH_CONCURRENCY: '8',
      }),
    );
    const a = app;
    const { value: report, seconds } = await timed(() => a.sync({ trigger: 'test', deadlineMs: null }));
    if (report.status !== 'succeeded')
      throw new Error(`pacing bench sync ended ${report.status}: ${report.error}`);
    const calls = report.callsByApi.ListImageRiskConfigs ?? 0;
    if (calls <= o.ratePerMinute)
      throw new Error(`pacing bench needs more than ${o.ratePerMinute} calls, made ${calls}`);
    const ideal = Math.floor((calls - 1) / o.ratePerMinute) * 60;
    return {
      pacing_efficiency: round(ideal / seconds),
      pacing_calls: calls,
      rate_per_minute: o.ratePerMinute,
      pacing_seconds: round(seconds),
      pacing_ideal_seconds: ideal,
      pacing_429s: (await sim.stats()).throttled,
    };
  } finally {
    await app?.close();
    await sim.close();
    await db.drop();
  }
}
