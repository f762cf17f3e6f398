CREATE OR REPLACE VIEW hss.image_baseline_daily AS
SELECT
  f.day,
  k.project_id, k.enterprise_project_id, k.image_type, k.image_id, k.check_name, k.check_type, k.standard,
  f.severity,
  f.check_rule_num,
  f.failed_rule_num,
  f.observed_at,
  f.version_id,
  f.result_key,
  hss.severity_rank(f.severity) AS severity_rank
FROM hss_internal.image_baseline_daily_facts f
LEFT JOIN hss_internal.result_keys k ON k.result_key = f.result_key;

SELECT hss_internal.comment_on_view('hss.image_baseline_daily', $doc$
Daily facts: one row per UTC day and result key current at the end of that day (today: as of the last run), with its values. Dense: days without a run are carried forward from the history by the next run, so charts need no gap filling.
day: UTC day.
check_name: Baseline name (empty string when absent).
check_type: Baseline type (empty string when absent).
standard: Standard: cn_standard, hw_standard, ... (empty string when absent).
severity: Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.
check_rule_num: Number of check items.
failed_rule_num: Number of failed check items.
observed_at: When these values were last confirmed by an API call, as known at the end of the day; older than the day when the image was not refetched.
version_id: The image_baseline_history version in force that day.
result_key: Hash of the 7 key columns (as image_baseline_history.result_key).
$doc$);

REVOKE ALL ON hss.image_baseline_daily FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_baseline_daily TO hss_reader, hss_writer;
