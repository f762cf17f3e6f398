/**
 * What the report reads, as of one instant, from the public views of schema hss only (so a login
 * in hss_reader runs it). Results, rules and changes come from the history (valid_from, valid_to),
 * never from the current state; only runs that finished at or before the instant count. Every
 * ORDER BY ends on a full key, and text is ordered with COLLATE "C", so the rows come back in the
 * same order on every run and server. Days and instants are formatted in SQL or in table.ts, never
 * by the session's DateStyle or time zone.
 */
import pg from 'pg';
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
  /** The instant as UTC ISO 8601 text to the microsecond (passed to SQL as text, never as a Date). */
  asOf: string;
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

const TIMESTAMPTZ_OID = 1184;
const PG_UTC = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamptz as PostgreSQL sends it in a UTC session (`2026-03-01 00:00:00.275123+00`) as
 * UTC ISO 8601 text that keeps its microseconds (a JS Date would cut them): milliseconds when the
 * digits after them are zero (the form of Date.toISOString()), else six fractional digits.
 */
export function instantText(pgText: string): string {
  const m = PG_UTC.exec(pgText);
  if (!m) return new Date(pgText).toISOString();
  const frac = (m[3] ?? '').padEnd(6, '0');
  return `${m[1]}T${m[2]}.${frac.endsWith('000') ? frac.slice(0, 3) : frac}Z`;
}

/** The report's instants arrive as text (instantText), everything else as pg parses it. */
const REPORT_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID && format !== 'binary'
      ? instantText
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export async function rows(db: Queryable, sql: string, q: ReportQuery, withDays = false): Promise<Row[]> {
  const f = q.filters;
  const values: unknown[] = [q.asOf, f.targets, f.enterpriseProjects, f.imageTypes];
  if (withDays) values.push(q.days);
  const r = await db.query<Row>({ text: sql, values, types: REPORT_TYPES });
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

/** The coverage states of hss.image_coverage, in the order of its precedence (and of the page). */
export const COVERAGE_STATES = [
  'scan_failed',
  'not_scanned',
  'pending',
  'no_results',
  'inconsistent',
  'covered',
] as const;

/**
 * Coverage of each scope at the instant: the image contents listed then (a reference first seen
 * by then and not removed before it), each in exactly one of the states of hss.image_coverage,
 * decided by the same precedence as hss_internal.coverage_state (which a reader may not execute,
 * so the CASE is repeated here; test/integration/report-coverage.test.ts holds them equal at
 * T = now). The inputs as of T:
 * - the listing (scan status, scan time, unsafe settings) is the one stored today, taken from the
 *   present reference with the latest scan (HSS keeps no history of it); a scan listed after T
 *   says nothing of T, so then the scan known at T is the one the results valid at T came from;
 * - the fetch record: hss.image_coverage's `checked_at` / `checked_scan_time` when that fetch
 *   happened by T, else the results valid at T (their scan time), unless the record says today
 *   that the content is not fetched; a content fetched before T with no results, and fetched
 *   again since, reads as `pending` at T (the public surface has no history of fetches);
 * - the results: those valid at T.
 */
export function loadCoverage(db: Queryable, q: ReportQuery): Promise<Row[]> {
  const counts = COVERAGE_STATES.map(
    (st) => `(count(*) filter (where st.state = '${st}'))::int as images_${st}`,
  ).join(',\n            ');
  return rows(
    db,
    `with ${SCOPES},
     listing as (
       select distinct on (i.project_id, i.enterprise_project_id, i.image_type, i.image_id)
              i.project_id, i.enterprise_project_id, i.image_type, i.image_id,
              i.scan_status, i.latest_scan_time, i.unsafe_setting_num
         from hss.images i
         join scopes s using (${KEY})
        where i.first_seen_at <= $1::timestamptz and (i.removed_at is null or i.removed_at > $1::timestamptz)
        order by i.project_id, i.enterprise_project_id, i.image_type, i.image_id,
                 i.latest_scan_time desc nulls last, i.latest_update_time desc nulls last,
                 i.namespace collate "C", i.image_name collate "C", i.image_version collate "C",
                 i.instance_id collate "C", i.host_id collate "C"
     ),
     res as (
       select b.project_id, b.enterprise_project_id, b.image_type, b.image_id,
              count(*)::int as baselines,
              (count(*) filter (where b.failed_rule_num > 0))::int as baselines_failing,
              max(b.scanned_at) as scanned_at
         from hss.image_baselines_as_of($1::timestamptz) b
         join scopes s using (${KEY})
        group by b.project_id, b.enterprise_project_id, b.image_type, b.image_id
     ),
     inputs as (
       select l.project_id, l.enterprise_project_id, l.image_type, l.image_id, l.scan_status,
              (l.latest_scan_time is null or l.latest_scan_time <= $1::timestamptz) as listed_by_then,
              l.latest_scan_time, l.unsafe_setting_num,
              (c.checked_at <= $1::timestamptz
                or (coalesce(r.baselines, 0) > 0 and (c.image_id is null or c.checked_at is not null))) as fetched,
              case when c.checked_at <= $1::timestamptz then c.checked_scan_time else r.scanned_at end
                as fetched_scan_time,
              r.baselines, r.baselines_failing
         from listing l
         left join hss.image_coverage c using (${KEY}, image_id)
         left join res r using (${KEY}, image_id)
     ),
     state as (
       select project_id, enterprise_project_id, image_type,
              case
                when listed_by_then and scan_status = 'failed' then 'scan_failed'
                when (listed_by_then and (scan_status in ('unscan', 'waiting_for_scan', 'scanning')
                                          or latest_scan_time is null))
                  or (not listed_by_then and fetched_scan_time is null) then 'not_scanned'
                when fetched is not true or fetched_scan_time is null
                  or (listed_by_then and fetched_scan_time < latest_scan_time) then 'pending'
                when coalesce(baselines, 0) = 0 then 'no_results'
                when listed_by_then and ((unsafe_setting_num > 0 and coalesce(baselines_failing, 0) = 0)
                  or (unsafe_setting_num = 0 and baselines_failing > 0)) then 'inconsistent'
                else 'covered'
              end as state
         from inputs
     )
     select s.target, s.project_id, s.enterprise_project_id, s.image_type,
            count(st.state)::int as images_listed,
            ${counts}
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
 * Severities of the daily series, worst first: those HSS gives results and rules (Critical only
 * for rules so far; docs/hss-api.md) and `other` for any other value or none, so every failed
 * item of every result is counted somewhere.
 */
export const DAILY_SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Security', 'other'] as const;

/**
 * Failed check items per UTC day and severity of the result, for the `days` whole days that end
 * at or before the instant, from the first day that ends after the first scope run of the chosen
 * scopes finished (before it nothing was observed: no row, never a 0): the results valid at the
 * end of each day (dense from there: a day and severity without failures is a 0). Linear in the
 * versions that overlap the period: each failing version adds its items at the first day end it
 * covers and takes them back after the last, and a running sum over the days adds them up.
 */
export function loadDaily(db: Queryable, q: ReportQuery): Promise<Row[]> {
  const sevs = DAILY_SEVERITIES.map((v, i) => `('${v}', ${i})`).join(', ');
  const known = DAILY_SEVERITIES.filter((v) => v !== 'other')
    .map((v) => `'${v}'`)
    .join(', ');
  return rows(
    db,
    `with ${SCOPES},
     bounds as (
       select date_trunc('day', $1::timestamptz at time zone 'UTC') as last_end,
              date_trunc('day', $1::timestamptz at time zone 'UTC') - make_interval(days => $5::int - 1) as first_end,
              (select min(r.finished_at) at time zone 'UTC'
                 from hss.sync_scope_runs r join scopes s using (${KEY})
                where r.finished_at <= $1::timestamptz) as observed_from
     ),
     ends as (
       select g.m from bounds b, generate_series(b.first_end, b.last_end, interval '1 day') g(m)
        where g.m >= b.observed_from
     ),
     sev(severity, ord) as (values ${sevs}),
     spans as (
       select case when h.severity in (${known}) then h.severity else 'other' end as severity,
              h.failed_rule_num as failed,
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
     ),
     series as (
       select e.m, sev.severity, sev.ord,
              (sum(coalesce(d.delta, 0)) over (partition by sev.severity order by e.m
                                              rows between unbounded preceding and current row))::bigint
                as failed_items
         from (select g.m from bounds b, generate_series(b.first_end, b.last_end, interval '1 day') g(m)) e
        cross join sev
         left join deltas d on d.m = e.m and d.severity = sev.severity
     )
     select to_char(x.m - interval '1 day', 'YYYY-MM-DD') as day, x.severity, x.failed_items
       from series x
       join ends e on e.m = x.m
      order by x.m, x.ord`,
    q,
    true,
  );
}
