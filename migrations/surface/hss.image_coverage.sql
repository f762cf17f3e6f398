CREATE OR REPLACE VIEW hss.image_coverage AS
SELECT
  l.project_id, l.enterprise_project_id, l.image_type, l.image_id,
  hss_internal.coverage_state(l.scan_status, l.latest_scan_time,
    c.outcome = 'fetched' AND c.removed_at IS NULL, c.fetched_scan_time, l.unsafe_setting_num,
    res.baselines, res.baselines_failing) AS coverage,
  l.scan_status,
  l.latest_scan_time,
  l.unsafe_setting_num,
  res.failed_items,
  res.baselines,
  l.scan_failed_desc,
  l.scan_failed_code,
  l.non_scan_reason,
  CASE WHEN c.outcome = 'fetched' THEN c.fetched_at END AS checked_at,
  CASE WHEN c.outcome = 'fetched' THEN c.fetched_scan_time END AS checked_scan_time,
  greatest(l.last_seen_at, s.last_complete_inventory_at) AS last_listed_at,
  res.baselines_failing,
  l.listed_image_type,
  CASE WHEN l.image_type = 'registry' THEN l.listed_image_type END AS registry_kind,
  l.severity_level,
  hss.severity_rank(l.severity_level) AS severity_level_rank
FROM hss_internal.content_listing l
LEFT JOIN hss_internal.image_contents c
  ON c.project_id = l.project_id AND c.enterprise_project_id = l.enterprise_project_id AND c.image_type = l.image_type AND c.image_id = l.image_id
LEFT JOIN hss_internal.scope_state s
  ON s.project_id = l.project_id AND s.enterprise_project_id = l.enterprise_project_id AND s.image_type = l.image_type
CROSS JOIN LATERAL (
  SELECT
    count(*)::integer AS baselines,
    (count(*) FILTER (WHERE h.failed_rule_num > 0))::integer AS baselines_failing,
    coalesce(sum(h.failed_rule_num), 0)::bigint AS failed_items
  FROM hss_internal.image_baseline_history h
  WHERE h.valid_to IS NULL
    AND h.project_id = l.project_id AND h.enterprise_project_id = l.enterprise_project_id AND h.image_type = l.image_type AND h.image_id = l.image_id
) res;

SELECT hss_internal.comment_on_view('hss.image_coverage', $doc$
One row per image content present upstream and scope: why it has (or has no) results. coverage is scan_failed, not_scanned, pending, no_results, inconsistent or covered (docs/sql.md, "Coverage"); no rows in hss.image_baselines never reads as clean.
coverage: The first that holds: scan_failed (scan_status failed), not_scanned (unscan, waiting_for_scan, scanning, or no scan time), pending (scanned, its results not fetched for that scan yet), no_results (fetched, HSS answered none), inconsistent (unsafe_setting_num > 0 but no current result has failed items, or 0 while one has), covered.
scan_status: HSS scan status as listed, from the content's reference with the latest scan.
latest_scan_time: When HSS last scanned it, as listed; NULL when never.
unsafe_setting_num: Failed baseline items HSS reports in the listing.
failed_items: Failed check items over its current results (sum of failed_rule_num).
baselines: Current results (baseline and standard pairs).
scan_failed_desc: Why the scan failed, as listed; NULL when not given.
scan_failed_code: Scan failure code, as listed; NULL when not given.
non_scan_reason: Why the image is not scanned, as listed; NULL when not given.
checked_at: When the sync last fetched its results from HSS; NULL when never.
checked_scan_time: The HSS scan time the last fetched results answered to; NULL when never fetched.
last_listed_at: When an inventory last listed it.
baselines_failing: Current results with at least one failed check item.
listed_image_type: The row's own image_type as listed.
registry_kind: In the registry scope, the registry's own kind (SWR, Harbor, JFrog...); NULL in other scopes.
severity_level: Image risk level as listed.
severity_level_rank: severity_level as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.
$doc$);

REVOKE ALL ON hss.image_coverage FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_coverage TO hss_reader, hss_writer;
