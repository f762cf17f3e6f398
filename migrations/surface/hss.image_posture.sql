CREATE OR REPLACE VIEW hss.image_posture AS
SELECT
  refs.project_id, refs.enterprise_project_id, refs.image_type, refs.image_id,
  refs.image_names,
  refs.tags,
  refs.latest_scan_time,
  hss_internal.coverage_state(l.scan_status, l.latest_scan_time,
    c.outcome = 'fetched' AND c.removed_at IS NULL, c.fetched_scan_time, l.unsafe_setting_num,
    res.baselines, res.baselines_failing) AS coverage,
  res.worst_severity,
  hss.severity_rank(res.worst_severity) AS worst_severity_rank,
  res.baselines,
  res.baselines_failing,
  res.failed_items,
  res.check_items,
  c.fetched_at AS last_verified_at,
  now() - c.fetched_at AS data_age,
  round((extract(epoch FROM now() - c.fetched_at) / 3600)::numeric, 1) AS data_age_hours
FROM (
  SELECT
    r.project_id, r.enterprise_project_id, r.image_type, r.image_id,
    count(*)::integer AS tags,
    string_agg(
      DISTINCT concat_ws(':', concat_ws('/', nullif(r.namespace, ''), r.image_name), nullif(r.image_version, '')),
      ', ') AS image_names,
    max(r.latest_scan_time) AS latest_scan_time
  FROM hss_internal.image_refs r
  WHERE r.removed_at IS NULL
  GROUP BY r.project_id, r.enterprise_project_id, r.image_type, r.image_id
) refs
JOIN hss_internal.content_listing l
  ON l.project_id = refs.project_id AND l.enterprise_project_id = refs.enterprise_project_id AND l.image_type = refs.image_type AND l.image_id = refs.image_id
LEFT JOIN LATERAL (
  SELECT c.fetched_at, c.outcome, c.fetched_scan_time, c.removed_at
  FROM hss_internal.image_contents c
  WHERE c.project_id = refs.project_id AND c.enterprise_project_id = refs.enterprise_project_id AND c.image_type = refs.image_type AND c.image_id = refs.image_id
  OFFSET 0
) c ON true
CROSS JOIN LATERAL (
  SELECT
    count(*)::integer AS baselines,
    (count(*) FILTER (WHERE h.failed_rule_num > 0))::integer AS baselines_failing,
    coalesce(sum(h.failed_rule_num), 0)::bigint AS failed_items,
    coalesce(sum(h.check_rule_num), 0)::bigint AS check_items,
    (array_agg(h.severity ORDER BY hss.severity_rank(h.severity) DESC NULLS LAST))[1] AS worst_severity
  FROM hss_internal.image_baseline_history h
  WHERE h.valid_to IS NULL
    AND h.project_id = refs.project_id AND h.enterprise_project_id = refs.enterprise_project_id AND h.image_type = refs.image_type AND h.image_id = refs.image_id
) res;

SELECT hss_internal.comment_on_view('hss.image_posture', $doc$
Latest posture per image content present upstream (listed by the last inventory): worst severity, failed items, coverage and age of the data.
image_names: Its present references as namespace/name:version, comma separated.
tags: Number of present references (tags) of the content.
latest_scan_time: Latest HSS scan time among its references; NULL when never scanned.
coverage: As hss.image_coverage.coverage: scan_failed, not_scanned, pending, no_results, inconsistent or covered (docs/sql.md, "Coverage").
worst_severity: Highest severity among its current results (Security < Low < Medium < High); NULL without results.
worst_severity_rank: worst_severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL without results.
baselines: Current results (baseline and standard pairs).
baselines_failing: Current results with at least one failed check item.
failed_items: Failed check items over its current results.
check_items: Check items over its current results.
last_verified_at: When its results were last fetched from HSS; NULL = never.
data_age: now() - last_verified_at.
data_age_hours: data_age in hours (one decimal), for tools that do not chart intervals.
$doc$);

REVOKE ALL ON hss.image_posture FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_posture TO hss_reader, hss_writer;
