/**
 * multi_api_pacing_efficiency: a first sync where summaries and rules are both due and the
 * simulator rate-limits every API at the same R calls per minute. Each API's limit alone forces
 * its calls to take floor((calls - 1) / R) windows; the run can do no better than the inventory
 * plus the longest of those (the APIs work side by side, each on its own budget), so
 * ideal / actual says how well the phases overlap. Run one after the other they would add up.
 */
import type { ApiName } from '../src/domain.js';
import { benchApp, benchEnv, freshDatabase, round, spawnSimulator, timed } from './support.js';

export interface MultiApiResult {
  multi_api_pacing_efficiency: number;
  multi_api_seconds: number;
  multi_api_ideal_seconds: number;
  /** What the phases one after another would need at least: the sum of the forced times. */
  multi_api_sequential_seconds: number;
  multi_api_inventory_seconds: number;
  /** When the last scope's summaries were written (the drill-down must not push this out). */
  multi_api_summaries_seconds: number;
  multi_api_rate_per_minute: number;
  multi_api_calls: Record<string, number>;
  multi_api_429s: number;
}

/** APIs whose calls the run paces after the inventory (each its own budget). */
const PACED: readonly ApiName[] = [
  'ListImageRiskConfigs',
  'ListImageRiskConfigRules',
  'ShowImageCheckRuleDetail',
];

export async function measureMultiApi(
  adminUrl: string,
  o: { images: number; ratePerMinute: number },
): Promise<MultiApiResult> {
  const db = await freshDatabase(adminUrl);
  const sim = await spawnSimulator({ images: o.images, ratePerMinute: o.ratePerMinute });
  let app: ReturnType<typeof benchApp> | undefined;
  try {
    app = benchApp(
      benchEnv(db.url, sim.url, {
        HSS_RATE_LIMIT_PER_MINUTE: String(o.ratePerMinute),
        HSS_FETCH_CONCURRENCY: '8',
        HSS_RULE_DETAIL: 'failed',
      }),
    );
    const a = app;
    const t0 = performance.now();
    let inventoryDone: number | null = null;
    let summariesDone: number | null = null;
    const { value: report, seconds } = await timed(() =>
      a.sync({
        trigger: 'test',
        deadlineMs: null,
        onProgress: (e) => {
          if (e.phase === 'inventory' && e.done >= e.total) inventoryDone ??= performance.now();
          if (e.phase === 'done') summariesDone = performance.now();
        },
      }),
    );
    if (report.status !== 'succeeded')
      throw new Error(`multi-API bench sync ended ${report.status}: ${report.error}`);
    if ((report.ruleCounts?.ruleImagesPending ?? 1) !== 0)
      throw new Error('multi-API bench sync left rules pending');
    const forced = PACED.map((api) => {
      const calls = report.callsByApi[api] ?? 0;
      return calls > 0 ? Math.floor((calls - 1) / o.ratePerMinute) * 60 : 0;
    });
    const longest = Math.max(...forced);
    if (longest === 0)
      throw new Error(`multi-API bench needs more than ${o.ratePerMinute} calls of some API`);
    const inventory = ((inventoryDone ?? t0) - t0) / 1000;
    const ideal = inventory + longest;
    return {
      multi_api_pacing_efficiency: round(ideal / seconds),
      multi_api_seconds: round(seconds),
      multi_api_ideal_seconds: round(ideal),
      multi_api_sequential_seconds: round(inventory + forced.reduce((x, y) => x + y, 0)),
      multi_api_inventory_seconds: round(inventory),
      multi_api_summaries_seconds: round(((summariesDone ?? t0) - t0) / 1000),
      multi_api_rate_per_minute: o.ratePerMinute,
      multi_api_calls: Object.fromEntries(PACED.map((api) => [api, report.callsByApi[api] ?? 0])),
      multi_api_429s: (await sim.stats()).throttled,
    };
  } finally {
    await app?.close();
    await sim.close();
    await db.drop();
  }
}
