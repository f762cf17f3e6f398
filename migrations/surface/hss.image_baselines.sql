CREATE OR REPLACE VIEW hss.image_baselines AS
SELECT
  h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type, h.standard,
  h.severity,
  h.check_rule_num,
  h.failed_rule_num,
  h.check_type_desc,
  (
    SELECT min(f.valid_from)
    FROM hss_internal.image_baseline_history f
    WHERE f.result_key = h.result_key
  ) AS first_seen_at,
  c.fetched_at AS last_verified_at,
  hss.severity_rank(h.severity) AS severity_rank,
  h.scanned_at,
  h.source_api
FROM hss_internal.image_baseline_history h
JOIN hss_internal.image_contents c
  ON c.project_id = h.project_id AND c.enterprise_project_id = h.enterprise_project_id AND c.image_type = h.image_type AND c.image_id = h.image_id
WHERE h.valid_to IS NULL
  AND c.removed_at IS NULL;

SELECT hss_internal.comment_on_view('hss.image_baselines', $doc$
Current baseline results of the images present upstream: the open versions of image_baseline_history.
check_name: Baseline name (empty string when absent).
check_type: Baseline type (empty string when absent).
standard: Standard (empty string when absent).
severity: Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.
check_rule_num: Number of check items.
failed_rule_num: Number of failed check items.
check_type_desc: Description of the baseline type.
first_seen_at: When this result was first fetched (earliest version).
last_verified_at: When the image's results were last fetched from HSS.
scanned_at: The HSS scan time that produced the current values (scanned_at of the open version); NULL when HSS gave none or before it was recorded.
source_api: The HSS API the current values came from (source_api of the open version).
$doc$);

REVOKE ALL ON hss.image_baselines FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_baselines TO hss_reader, hss_writer;
