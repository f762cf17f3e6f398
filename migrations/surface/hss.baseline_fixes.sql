-- Failing periods by gaps and islands over one ordered pass of the history: a version fails when
-- failed_rule_num > 0; a period starts at a failing version that no failing version meets, and
-- ends at a failing version that no failing version continues. The end is a fix when a version
-- meets it, a disappearance when none does, open while the version is current. Windows are
-- partitioned by the key columns (not the key hash) so a filter on image_id, check_name... is
-- pushed down to the scan of the history.
CREATE OR REPLACE VIEW hss.baseline_fixes AS
WITH v AS (
  SELECT
    h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type, h.standard,
    h.result_key, h.version_id, h.valid_from, h.valid_to, h.severity, h.failed_rule_num, h.check_rule_num,
    coalesce(h.failed_rule_num, 0) > 0 AS failing,
    coalesce(lag(h.valid_to) OVER w = h.valid_from AND lag(h.failed_rule_num) OVER w > 0, false) AS continues,
    coalesce(lead(h.valid_from) OVER w = h.valid_to AND lead(h.failed_rule_num) OVER w > 0, false) AS continued,
    coalesce(lead(h.valid_from) OVER w = h.valid_to, false) AS met
  FROM hss_internal.image_baseline_history h
  WINDOW w AS (
    PARTITION BY h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type,
      h.standard
    ORDER BY h.valid_from)
), edges AS (
  SELECT
    v.*,
    NOT v.continues AS starts,
    NOT v.continued AS ends,
    CASE WHEN NOT v.continued THEN v.valid_to END AS end_to,
    CASE WHEN NOT v.continued THEN v.met END AS end_met
  FROM v
  WHERE v.failing AND (NOT v.continues OR NOT v.continued)
), periods AS (
  SELECT
    e.*,
    CASE WHEN e.ends THEN e.end_to ELSE lead(e.end_to) OVER w END AS period_to,
    CASE WHEN e.ends THEN e.end_met ELSE lead(e.end_met) OVER w END AS period_met
  FROM edges e
  WINDOW w AS (
    PARTITION BY e.project_id, e.enterprise_project_id, e.image_type, e.image_id, e.check_name, e.check_type,
      e.standard
    ORDER BY e.valid_from)
)
SELECT
  p.project_id, p.enterprise_project_id, p.image_type, p.image_id, p.check_name, p.check_type, p.standard,
  p.valid_from AS failed_since,
  CASE WHEN p.period_met THEN p.period_to END AS fixed_at,
  CASE WHEN p.period_to IS NOT NULL AND NOT p.period_met THEN p.period_to END AS disappeared_at,
  CASE WHEN p.period_to IS NULL THEN 'failing' WHEN p.period_met THEN 'fixed' ELSE 'disappeared' END AS status,
  CASE WHEN p.period_met THEN round(extract(epoch FROM p.period_to - p.valid_from) / 3600, 2) END AS hours_to_fix,
  p.severity,
  hss.severity_rank(p.severity) AS severity_rank,
  p.failed_rule_num,
  p.check_rule_num,
  p.version_id,
  p.result_key
FROM periods p
WHERE p.starts;

SELECT hss_internal.comment_on_view('hss.baseline_fixes', $doc$
One row per result key and failing period (consecutive versions with failed check items > 0): since when it failed, when it was fixed (NULL while failing), hours to fix, and its severity when it started failing.
failed_since: When the period began: valid_from of its first failing version.
fixed_at: When a version without failed check items replaced it (changed_at of the fixed change); NULL while still failing or when the result disappeared failing.
disappeared_at: When the result disappeared while failing (its image left upstream); NULL otherwise.
status: fixed, failing (still failing now) or disappeared (gone while failing).
hours_to_fix: fixed_at - failed_since in hours (two decimals); NULL unless fixed.
severity: Severity when it started failing: Security, Low, Medium, High.
failed_rule_num: Failed check items when it started failing.
check_rule_num: Check items when it started failing.
version_id: The first failing version (hss.image_baseline_history.version_id).
result_key: Hash of the 7 key columns (as image_baseline_history.result_key).
$doc$);

REVOKE ALL ON hss.baseline_fixes FROM hss_reader, hss_writer;
GRANT SELECT ON hss.baseline_fixes TO hss_reader, hss_writer;
