/**
 * The findings of the report as of the instant (see queries.ts for the conventions): the worst
 * images with their failing baselines, the changes in the period before it, the rules failing
 * at it with their remediation.
 */
import { KEY, type Queryable, type ReportQuery, type Row, rows, SCOPES } from './queries.js';

/** Rows of the worst images shown; the page says how many failed in all. */
export const WORST_IMAGES_LIMIT = 20;
/** Failing rules shown: those failing on most images first. */
export const RULES_LIMIT = 100;

/**
 * Image contents with a failing result valid at the instant, worst first: worst severity, then
 * failed items. `failing_baselines` lists each failing baseline (one a line) with its failed and checked
 * items; `images_failing_total` (on every row) is how many images failed in all.
 */
export function loadWorstImages(db: Queryable, q: ReportQuery): Promise<Row[]> {
  return rows(
    db,
    `with ${SCOPES},
     per as (
       select b.project_id, b.enterprise_project_id, b.image_type, b.image_id,
              max(hss.severity_rank(b.severity)) as worst_rank,
              (array_agg(b.severity order by hss.severity_rank(b.severity) desc nulls last,
                         b.severity collate "C"))[1] as worst_severity,
              count(*)::int as baselines_failing,
              sum(b.failed_rule_num)::bigint as failed_items,
              coalesce(sum(b.check_rule_num), 0)::bigint as check_items,
              string_agg(
                b.check_name || case when b.check_type <> b.check_name then ' / ' || b.check_type else '' end
                  || ' (' || b.standard || '): ' || b.failed_rule_num || ' of '
                  || coalesce(b.check_rule_num::text, '?') || ' failed, ' || coalesce(b.severity, 'no severity'),
                E'\n' order by hss.severity_rank(b.severity) desc nulls last, b.failed_rule_num desc,
                  b.check_name collate "C", b.check_type collate "C", b.standard collate "C") as failing_baselines
         from hss.image_baselines_as_of($1::timestamptz) b
         join scopes s using (${KEY})
        where b.failed_rule_num > 0
        group by b.project_id, b.enterprise_project_id, b.image_type, b.image_id
     )
     select s.target, p.enterprise_project_id, p.image_type, p.image_id,
            (select string_agg(distinct concat_ws(':', concat_ws('/', nullif(i.namespace, ''), i.image_name),
                                                  nullif(i.image_version, '')) collate "C", ', ')
               from hss.images i
              where i.project_id = p.project_id and i.enterprise_project_id = p.enterprise_project_id
                and i.image_type = p.image_type and i.image_id = p.image_id
                and i.first_seen_at <= $1::timestamptz
                and (i.removed_at is null or i.removed_at > $1::timestamptz)) as image_names,
            p.worst_severity, p.baselines_failing, p.failed_items, p.check_items, p.failing_baselines,
            (count(*) over ())::int as images_failing_total
       from per p
       join scopes s using (${KEY})
      order by p.worst_rank desc nulls last, p.failed_items desc, p.project_id collate "C",
               p.enterprise_project_id collate "C", p.image_type collate "C", p.image_id collate "C"
      limit ${WORST_IMAGES_LIMIT}`,
    q,
  );
}

/** Kinds of change counted in the period, in the order shown. */
export const CHANGE_KINDS = [
  'appeared',
  'fixed',
  'regressed',
  'worsened',
  'improved',
  'disappeared',
] as const;

const IN_PERIOD = `c.changed_at > $1::timestamptz - make_interval(days => $5::int) and c.changed_at <= $1::timestamptz`;

/**
 * Changes of results in the period (instant - days, instant], per kind: `appeared`, `fixed`
 * (failing to not failing), `regressed` (not failing to failing), `worsened`, `improved`,
 * `disappeared` (hss.image_baseline_changes; a change may count as worsened and regressed).
 */
export function loadChangeSummary(db: Queryable, q: ReportQuery): Promise<Row[]> {
  const kinds = CHANGE_KINDS.map((k, i) => `('${k}', ${i})`).join(', ');
  return rows(
    db,
    `with ${SCOPES},
     kinds(kind, ord) as (values ${kinds}),
     hits as (
       select k.kind, c.project_id, c.enterprise_project_id, c.image_type, c.image_id
         from hss.image_baseline_changes c
         join scopes s using (${KEY})
         join kinds k on k.kind = c.change
                      or (k.kind = 'fixed' and c.fixed) or (k.kind = 'regressed' and c.regressed)
        where ${IN_PERIOD}
     )
     select k.kind, count(h.kind)::int as results,
            -- A left join gives a kind without hits one all-NULL row, and a row of NULLs is a
            -- distinct value to count(distinct (…)): count only the hits.
            (count(distinct (h.project_id, h.enterprise_project_id, h.image_type, h.image_id))
               filter (where h.kind is not null))::int as images
       from kinds k
       left join hits h on h.kind = k.kind
      group by k.kind, k.ord
      order by k.ord`,
    q,
    true,
  );
}

/** Every fix and regression in the period, oldest first. */
export function loadFixesAndRegressions(db: Queryable, q: ReportQuery): Promise<Row[]> {
  return rows(
    db,
    `with ${SCOPES}
     select c.changed_at, case when c.fixed then 'fixed' else 'regressed' end as kind,
            s.target, c.enterprise_project_id, c.image_type, c.image_id, c.check_name, c.check_type, c.standard,
            c.severity_before, c.severity_after, c.failed_before, c.failed_after, c.run_id
       from hss.image_baseline_changes c
       join scopes s using (${KEY})
      where (c.fixed or c.regressed) and ${IN_PERIOD}
      order by c.changed_at, c.project_id collate "C", c.enterprise_project_id collate "C",
               c.image_type collate "C", c.image_id collate "C", c.check_name collate "C",
               c.check_type collate "C", c.standard collate "C"`,
    q,
    true,
  );
}

/**
 * Rules (check items) failing at the instant, from the rule history: on how many images, since
 * when (the earliest start of a failing version valid then), with the remediation the drill-down
 * fetched (the description as stored today: HSS texts have no history). Worst severity, then most
 * images first; `rules_failing_total` is how many rules failed in all.
 */
export function loadFailingRules(db: Queryable, q: ReportQuery): Promise<Row[]> {
  return rows(
    db,
    `with ${SCOPES},
     failing as (
       select r.check_name, r.check_type, r.standard, r.check_rule_id,
              max(r.check_rule_name collate "C") as check_rule_name,
              max(hss.severity_rank(r.severity)) as worst_rank,
              (array_agg(r.severity order by hss.severity_rank(r.severity) desc nulls last,
                         r.severity collate "C"))[1] as severity,
              count(distinct (r.project_id, r.enterprise_project_id, r.image_type, r.image_id))::int
                as images_failing,
              min(r.valid_from) as failing_since
         from hss.image_baseline_rules_as_of($1::timestamptz) r
         join scopes s using (${KEY})
        where r.scan_result = 'failed'
        group by r.check_name, r.check_type, r.standard, r.check_rule_id
     )
     select f.check_name, f.check_type, f.standard, f.check_rule_id, f.check_rule_name, f.severity,
            f.images_failing, f.failing_since, d.remediation,
            (count(*) over ())::int as rules_failing_total
       from failing f
       left join hss.rule_descriptions d
         on d.check_name = f.check_name and d.check_type = f.check_type and d.standard = f.standard
        and d.check_rule_id = f.check_rule_id
      order by f.worst_rank desc nulls last, f.images_failing desc, f.check_name collate "C",
               f.check_type collate "C", f.standard collate "C", f.check_rule_id collate "C"
      limit ${RULES_LIMIT}`,
    q,
  );
}
