/**
 * The faults that bend a 200 page after its handler built it: total_num drift, short and long
 * pages, schema-invalid items, total_num left out, and hostile values. Applied in that order.
 */
import type { FaultInjector } from './faults.js';
import { plantValues } from './hostile.js';
import type { Reply } from './reply.js';
import type { StatsRecorder } from './stats.js';

export interface BendContext {
  api: string;
  /** The query as asked (before page shifts). */
  q: Map<string, string>;
  /** The limit asked for (NaN when not a number). */
  asked: number;
  /** One of the image list APIs. */
  isList: boolean;
  faults: FaultInjector;
  stats: StatsRecorder;
}

/** Bends `reply` (a handler's answer) in place as the faults say. */
export function bendPage(reply: Reply, ctx: BendContext): void {
  const { api, faults, stats, isList } = ctx;
  if (reply.status !== 200 || typeof reply.body !== 'object' || reply.body === null) return;
  const page = reply.body as { total_num?: number; data_list?: unknown[] };
  if (isList && faults.drift(api) && typeof page.total_num === 'number') {
    stats.fault('drift');
    page.total_num += 1;
  }
  if (isList && Array.isArray(page.data_list)) {
    const asked = Number.isFinite(ctx.asked) ? ctx.asked : 10;
    const keep = Math.min(page.data_list.length, faults.pageLimit(asked) + faults.extraRows);
    if (keep < page.data_list.length) {
      stats.fault('shortPage');
      page.data_list = page.data_list.slice(0, keep);
    }
  }
  if (Array.isArray(page.data_list)) {
    page.data_list = page.data_list.map((item) => {
      if (!faults.invalidItem(api)) return item;
      stats.fault('invalidItem');
      if (isList) return { ...(item as object), latest_scan_time: 'not-a-time' };
      // A rule id that is neither text nor a number: schema-invalid. (An empty or absent
      // check_rule_id is valid, as every field is optional in the official models.)
      if (api === 'ListImageRiskConfigRules' || api === 'ListCheckRulesInfo') {
        return { ...(item as object), check_rule_id: true };
      }
      return { ...(item as object), check_rule_num: 'many' };
    });
  }
  if ('total_num' in page && faults.omitTotalNum(api)) {
    stats.fault('omitTotalNum');
    delete page.total_num;
  }
  if (faults.hostileValues.length > 0) {
    const text = plantValues(api, page, ctx.q.get('image_id'), faults.hostileValues, isList);
    if (text !== null) {
      stats.fault('hostileValue');
      reply.body = text;
    }
  }
}
