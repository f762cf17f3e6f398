/**
 * Runs one sync in its own process and reports its peak RSS: `node dist/bench/rss-child.js
 * <database-url> <simulator-url>`. Prints one JSON line on stdout.
 */
import { benchApp, benchEnv } from './support.js';

async function child(): Promise<void> {
  const [dbUrl, simUrl] = process.argv.slice(2);
  if (!dbUrl || !simUrl) throw new Error('usage: rss-child <database-url> <simulator-url>');
  const app = benchApp(benchEnv(dbUrl, simUrl, { HSS_FETCH_CONCURRENCY: '8' }));
  try {
    const report = await app.sync({ trigger: 'test', deadlineMs: null });
    process.stdout.write(
      `${JSON.stringify({
        status: report.status,
        fetched: report.counts.imagesFetched,
        listed: report.counts.imagesListed,
        riskCalls: report.callsByApi.ListImageRiskConfigs ?? 0,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
      })}\n`,
    );
  } finally {
    await app.close();
  }
}

child().catch((err: unknown) => {
  process.stderr.write(`rss-child: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
