/**
 * What the report reads, as of one instant, from the public views of schema hss only (so a login
 * in hss_reader runs it). Results, rules and changes come from the history (valid_from, valid_to),
 * never from the current state; only runs that finished at or before the instant count. Every
 * ORDER BY ends on a full key, and text is ordered with COLLATE "C", so the rows come back in the
 * same order on every run and server. Days and instants are formatted in SQL or in table.ts, never
 * by the session's DateStyle or time zone.
 */
import type pg from 'pg';
import type { Cell } from './table.js';

export type Queryable = Pick<pg.ClientBase, 'query'>;
export type Row = Record<string, Cell>;

export interface ReportFilters {
  /** Target names (the `name` of a target, or region/project); null = all. */
  targets: string[] | null;
  enterpriseProjects: string[] | null;
  imageTypes: string[] | null;
}

export interface ReportQuery {
  asOf: Date;
  days: number;
  filters: ReportFilters;
}

/** $1 the instant, $2–$4 the filters; every query below starts with this. */
export const SCOPES = `
  scopes as (
    select distinct on (r.project_id, r.enterprise_project_id, r.image_type)
           r.target, r.project_id, r.enterprise_project_id, r.image_type
      from hss.sync_scope_runs r
     where r.finished_at <= $1::timestamptz
       and ($2::text[] is null or r.target = any($2::text[]))
       and ($3::text[] is null or r.enterprise_project_id = any($3::text[]))
       and ($4::text[] is null or r.image_type = any($4::text[]))
     order by r.project_id, r.enterprise_project_id, r.image_type, r.started_at desc, r.run_id
  )`;

export const SCOPE_ORDER = `s.target collate "C", s.project_id collate "C", s.enterprise_project_id collate "C", s.image_type collate "C"`;
export const KEY = 'project_id, enterprise_project_id, image_type';

export async function rows(db: Queryable, sql: string, q: ReportQuery, withDays = false): Promise<Row[]> {
  const f = q.filters;
  const params: unknown[] = [q.asOf.toISOString(), f.targets, f.enterpriseProjects, f.imageTypes];
  if (withDays) params.push(q.days);
  const r = await db.query<Row>(sql, params);
  return r.rows;
}

/**
 * Per scope known at the instant: its last scope run that finished by then (the run the evidence
 * rests on) and its last succeeded one, with the hours between that and the instant.
 */
export function loadFreshness(db: Queryable, q: ReportQuery): Promise<Row[]> {
  const lastRun = (status: string) => `
    select r.run_id, r.status, r.finished_at
      from hss.sync_scope_runs r
     where r.project_id = s.project_id and r.enterprise_project_id = s.enterprise_project_id
       and r.image_type = s.image_type and r.finished_at <= $1::timestamptz ${status}
     order by r.finished_at desc, r.run_id desc
     limit 1`;
  return rows(
    db,
    `with ${SCOPES}
     select s.target, s.project_id, s.enterprise_project_id, s.image_type,
            l.run_id as last_run_id, l.status as last_run_status, l.finished_at as last_run_finished_at,
            ok.run_id as last_success_run_id, ok.finished_at as last_success_at,
            round((extract(epoch from $1::timestamptz - ok.finished_at) / 3600)::numeric, 1)::text
              as hours_since_success
       from scopes s
       left join lateral (${lastRun('')}) l on true
       left join lateral (${lastRun(`and r.status = 'succeeded'`)}) ok on true
      order by ${SCOPE_ORDER}`,
    q,
  );
}

/**
 * Coverage of each scope at the instant: the image contents listed then (a reference first seen
 * by then and not removed before it), split into exactly one state each. The history gives
 * `covered` (results valid at the instant); for the others the listing's scan facts are the ones
 * stored today (HSS keeps no history of them): `scan_failed` (scan_status failed), `not_scanned`
 * (no scan listed at or before the instant), else `no_results` (scanned, no results valid).
 * The one place to change when a view with more coverage states (hss.image_coverage) arrives.
 */
export function loadCoverage(db: Queryable, q: ReportQuery): Promise<Row[]> {
  return rows(
    db,
    `with ${SCOPES},
     present as (
       select i.project_id, i.enterprise_project_id, i.image_type, i.image_id,
              bool_or(i.scan_status = 'failed') as scan_failed,
              bool_or(i.latest_scan_time <= $1::timestamptz) as scanned
         from hss.images i
         join scopes s using (${KEY})
        where i.first_seen_at <= $1::timestamptz and (i.removed_at is null or i.removed_at > $1::timestamptz)
        group by i.project_id, i.enterprise_project_id, i.image_type, i.image_id
     ),
     covered as (
       select distinct b.project_id, b.enterprise_project_id, b.image_type, b.image_id
         from hss.image_baselines_as_of($1::timestamptz) b
         join scopes s using (${KEY})
     ),
     state as (
       select p.project_id, p.enterprise_project_id, p.image_type,
              case when c.image_id is not null then 'covered'
                   when p.scan_failed then 'scan_failed'
                   when p.scanned then 'no_results'
                   else 'not_scanned' end as state
         from present p
         left join covered c using (${KEY}, image_id)
     )
     select s.target, s.project_id, s.enterprise_project_id, s.image_type,
            count(st.state)::int as images_listed,
            (count(*) filter (where st.state = 'covered'))::int as images_covered,
            (count(*) filter (where st.state = 'not_scanned'))::int as images_not_scanned,
            (count(*) filter (where st.state = 'scan_failed'))::int as images_scan_failed,
            (count(*) filter (where st.state = 'no_results'))::int as images_no_results
       from scopes s
       left join state st using (${KEY})
      group by s.target, s.project_id, s.enterprise_project_id, s.image_type
      order by ${SCOPE_ORDER}`,
    q,
  );
}

/** Results valid at the instant, by standard and severity. */
export function loadPosture(db: Queryable, q: ReportQuery): Promise<Row[]> {
  return rows(
    db,
    `with ${SCOPES}
     select b.standard, b.severity,
            count(*)::int as results,
            count(distinct (b.project_id, b.enterprise_project_id, b.image_type, b.image_id))::int as images,
            (count(*) filter (where b.failed_rule_num > 0))::int as results_failing,
            coalesce(sum(b.failed_rule_num), 0)::bigint as failed_items,
            coalesce(sum(b.check_rule_num), 0)::bigint as check_items
       from hss.image_baselines_as_of($1::timestamptz) b
       join scopes s using (${KEY})
      group by b.standard, b.severity
      order by b.standard collate "C", hss.severity_rank(b.severity) desc nulls last, b.severity collate "C" nulls last`,
    q,
  );
}

/**
 * Failed check items per UTC day and severity of the result, for the `days` whole days that end
 * at or before the instant: the results valid at the end of each day (dense: a day and severity
 * without failures is a 0). Severities are those of the baseline results (Critical is reported
 * for rules only, so it is 0 here unless HSS starts reporting it for results). Linear in the
 * versions that overlap the period: each failing version adds its items at the first day end it
 * covers and takes them back after the last, and a running sum over the days adds them up.
 */
export function loadDaily(db: Queryable, q: ReportQuery): Promise<Row[]> {
  return rows(
    db,
    `with ${SCOPES},
     bounds as (
       select date_trunc('day', $1::timestamptz at time zone 'UTC') as last_end,
              date_trunc('day', $1::timestamptz at time zone 'UTC') - make_interval(days => $5::int - 1) as first_end
     ),
     ends as (
       select g.m from bounds b, generate_series(b.first_end, b.last_end, interval '1 day') g(m)
     ),
     sev(severity) as (values ('Critical'), ('High'), ('Medium'), ('Low')),
     spans as (
       select h.severity, h.failed_rule_num as failed,
              greatest(date_trunc('day', (h.valid_from at time zone 'UTC') + interval '1 day' - interval '1 microsecond'),
                       b.first_end) as m_from,
              least(coalesce(date_trunc('day', (h.valid_to at time zone 'UTC') - interval '1 microsecond'), b.last_end),
                    b.last_end) as m_to
         from hss.image_baseline_history h
         join scopes s using (${KEY})
         cross join bounds b
        where h.failed_rule_num > 0
          and h.valid_from <= (b.last_end at time zone 'UTC')
          and (h.valid_to is null or h.valid_to > (b.first_end at time zone 'UTC'))
     ),
     deltas as (
       select severity, m, sum(delta)::bigint as delta
         from (select severity, m_from as m, failed as delta from spans where m_from <= m_to
               union all
               select severity, m_to + interval '1 day', -failed from spans where m_from <= m_to) x
        group by severity, m
     )
     select to_char(e.m - interval '1 day', 'YYYY-MM-DD') as day, sev.severity,
            (sum(coalesce(d.delta, 0)) over (partition by sev.severity order by e.m
                                            rows between unbounded preceding and current row))::bigint as failed_items
       from ends e
      cross join sev
       left join deltas d on d.m = e.m and d.severity = sev.severity
      order by e.m, hss.severity_rank(sev.severity) desc`,
    q,
    true,
  );
}
