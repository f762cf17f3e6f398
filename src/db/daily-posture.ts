/**
 * The daily posture (hss_internal.posture_daily_facts, read through the view hss.posture_daily): the daily
 * facts summed per day and group, kept beside them so a trend over months reads a few hundred
 * rows a day instead of one per result. Rebuilt for the days a daily-facts refresh touched, in
 * the same transaction, writing only the groups that differ.
 */

import { reconcileDaysSql } from './daily-reconcile.js';

const GROUP_COLUMNS = [
  'project_id',
  'enterprise_project_id',
  'image_type',
  'check_name',
  'check_type',
  'standard',
  'severity',
] as const;

// Each column prefixed by its length (or '-' for NULL): injective whatever the strings hold.
const GROUP_KEY = `md5(${GROUP_COLUMNS.map(
  (c) => `coalesce(length(g.${c})::text, '-') || ':' || coalesce(g.${c}, '')`,
).join(' || ')})::uuid`;

const SUMS = ['images', 'images_failing', 'failed_items', 'check_items'] as const;

/**
 * The statement that brings the posture of days [$1 .. $2] in line with the daily facts of
 * those days: inserts missing groups, updates differing sums, deletes groups no longer present.
 * Returns the three counts.
 */
export function refreshPostureSql(): string {
  const cols = [...GROUP_COLUMNS];
  return `
WITH g AS (
  SELECT f.day, ${cols.map((c) => (c === 'severity' ? 'f.severity' : `k.${c}`)).join(', ')},
    count(*)::int AS images,
    (count(*) FILTER (WHERE f.failed_rule_num > 0))::int AS images_failing,
    coalesce(sum(f.failed_rule_num), 0)::bigint AS failed_items,
    coalesce(sum(f.check_rule_num), 0)::bigint AS check_items
  FROM hss_internal.image_baseline_daily_facts f
  JOIN hss_internal.result_keys k ON k.result_key = f.result_key
  WHERE f.day BETWEEN $1::date AND $2::date
  GROUP BY f.day, ${cols.map((c) => (c === 'severity' ? 'f.severity' : `k.${c}`)).join(', ')}
),
want AS MATERIALIZED (
  SELECT g.*, ${GROUP_KEY} AS group_key FROM g
),
${reconcileDaysSql({
  table: 'hss_internal.posture_daily_facts',
  alias: 'p',
  from: '$1',
  to: '$2',
  key: 'group_key',
  values: SUMS,
  insertOnly: cols,
})}
SELECT (SELECT count(*) FROM inserted)::int AS inserted, (SELECT count(*) FROM updated)::int AS updated,
  (SELECT count(*) FROM deleted)::int AS deleted`;
}
