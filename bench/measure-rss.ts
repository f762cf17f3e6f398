/**
 * rss_growth_ratio (peak RSS of a sync of 10x the images / of 1x, each in its own process) and,
 * on the 1x database, noop_resync_tuples and resync_call_ratio: an unchanged re-sync must write
 * no tuple in any data table and spend (almost) no result call.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { benchSimulator, freshDatabase, round } from './support.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./rss-child.js', import.meta.url));

/** Ledger and bookkeeping tables: allowed one small row per scope and run; everything else is data. */
const LEDGER_TABLES = ['sync_runs', 'sync_scope_runs', 'scope_state', '__drizzle_migrations'];

interface ChildReport {
  status: string;
  fetched: number;
  listed: number;
  riskCalls: number;
  maxRssBytes: number;
}

async function syncInChild(dbUrl: string, simUrl: string): Promise<ChildReport> {
  const { stdout } = await run(process.execPath, [CHILD, dbUrl, simUrl], { maxBuffer: 1 << 20 });
  const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildReport;
  if (report.status !== 'succeeded') throw new Error(`bench child sync ended ${report.status}`);
  return report;
}

/** inserted + updated + deleted tuples of the data tables, once the statistics are flushed. */
async function dataTuples(dbUrl: string): Promise<{ total: number; byTable: Record<string, number> }> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    let last = '';
    for (let i = 0; i < 20; i++) {
      // Backends flush their counters when they exit; wait until two readings agree.
      await c.query('select pg_stat_clear_snapshot()');
      const r = await c.query<{ relname: string; n: string }>(
        `select relname, (n_tup_ins + n_tup_upd + n_tup_del)::text as n
           from pg_stat_user_tables where schemaname = 'hss_internal' and not (relname = any($1)) order by relname`,
        [LEDGER_TABLES],
      );
      const byTable = Object.fromEntries(r.rows.map((x) => [x.relname, Number(x.n)]));
      const key = JSON.stringify(byTable);
      if (key === last) return { total: Object.values(byTable).reduce((a, b) => a + b, 0), byTable };
      last = key;
      await new Promise((res) => setTimeout(res, 300));
    }
    throw new Error('pg_stat_user_tables did not settle');
  } finally {
    await c.end();
  }
}

export interface RssResult {
  rss_growth_ratio: number;
  rss_images_1x: number;
  rss_images_10x: number;
  rss_peak_bytes_1x: number;
  rss_peak_bytes_10x: number;
  noop_resync_tuples: number;
  noop_resync_tuples_by_table: Record<string, number>;
  resync_call_ratio: number;
  resync_detail_calls: number;
  resync_images: number;
}

export async function measureRss(adminUrl: string, o: { images: number }): Promise<RssResult> {
  const one = await freshDatabase(adminUrl);
  const ten = await freshDatabase(adminUrl);
  const small = await benchSimulator({ imagesPerScope: o.images });
  const large = await benchSimulator({ imagesPerScope: o.images * 10 });
  try {
    const r1 = await syncInChild(one.url, small.url);
    const r10 = await syncInChild(ten.url, large.url);

    // Unchanged re-sync on the 1x database.
    const before = await dataTuples(one.url);
    const again = await syncInChild(one.url, small.url);
    const after = await dataTuples(one.url);
    const byTable: Record<string, number> = {};
    for (const [t, n] of Object.entries(after.byTable)) byTable[t] = n - (before.byTable[t] ?? 0);
    return {
      rss_growth_ratio: round(r10.maxRssBytes / r1.maxRssBytes),
      rss_images_1x: r1.listed,
      rss_images_10x: r10.listed,
      rss_peak_bytes_1x: r1.maxRssBytes,
      rss_peak_bytes_10x: r10.maxRssBytes,
      noop_resync_tuples: after.total - before.total,
      noop_resync_tuples_by_table: byTable,
      resync_call_ratio: round(again.riskCalls / r1.listed, 4),
      resync_detail_calls: again.riskCalls,
      resync_images: r1.listed,
    };
  } finally {
    await small.sim.close();
    await large.sim.close();
    await one.drop();
    await ten.drop();
  }
}
