CREATE OR REPLACE VIEW hss.image_baseline_daily AS
SELECT
  f.day,
  k.project_id,
  k.enterprise_project_id,
  k.image_type,
  k.image_id,
  k.check_name,
  k.check_type,
  k.standard,
  f.severity,
  f.check_rule_num,
  f.failed_rule_num,
  f.observed_at,
  f.version_id,
  f.result_key,
  hss.severity_rank(f.severity) AS severity_rank
FROM hss_internal.image_baseline_daily_facts f
LEFT JOIN hss_internal.result_keys k ON k.result_key = f.result_key;

COMMENT ON VIEW hss.image_baseline_daily IS 'Daily facts: one row per UTC day and result key current at the end of that day (today: as of the last run), with its values. Dense: days without a run are carried forward from the history by the next run, so charts need no gap filling.';
COMMENT ON COLUMN hss.image_baseline_daily.day IS 'UTC day.';
COMMENT ON COLUMN hss.image_baseline_daily.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_baseline_daily.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.image_baseline_daily.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_baseline_daily.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_baseline_daily.check_name IS 'Baseline name (empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_daily.check_type IS 'Baseline type (empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_daily.standard IS 'Standard: cn_standard, hw_standard, ... (empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_daily.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.';
COMMENT ON COLUMN hss.image_baseline_daily.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss.image_baseline_daily.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss.image_baseline_daily.observed_at IS 'When these values were last confirmed by an API call, as known at the end of the day; older than the day when the image was not refetched.';
COMMENT ON COLUMN hss.image_baseline_daily.version_id IS 'The image_baseline_history version in force that day.';
COMMENT ON COLUMN hss.image_baseline_daily.result_key IS 'Hash of the 7 key columns (as image_baseline_history.result_key).';
COMMENT ON COLUMN hss.image_baseline_daily.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';

REVOKE ALL ON hss.image_baseline_daily FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_baseline_daily TO hss_reader;
GRANT SELECT ON hss.image_baseline_daily TO hss_writer;
