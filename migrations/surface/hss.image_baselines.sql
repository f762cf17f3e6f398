CREATE OR REPLACE VIEW hss.image_baselines AS
SELECT
  h.project_id,
  h.enterprise_project_id,
  h.image_type,
  h.image_id,
  h.check_name,
  h.check_type,
  h.standard,
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
  ON c.project_id = h.project_id
  AND c.enterprise_project_id = h.enterprise_project_id
  AND c.image_type = h.image_type
  AND c.image_id = h.image_id
WHERE h.valid_to IS NULL
  AND c.removed_at IS NULL;

COMMENT ON VIEW hss.image_baselines IS 'Current baseline results of the images present upstream: the open versions of image_baseline_history.';
COMMENT ON COLUMN hss.image_baselines.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_baselines.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.image_baselines.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_baselines.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_baselines.check_name IS 'Baseline name (empty string when absent).';
COMMENT ON COLUMN hss.image_baselines.check_type IS 'Baseline type (empty string when absent).';
COMMENT ON COLUMN hss.image_baselines.standard IS 'Standard (empty string when absent).';
COMMENT ON COLUMN hss.image_baselines.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.';
COMMENT ON COLUMN hss.image_baselines.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss.image_baselines.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss.image_baselines.check_type_desc IS 'Description of the baseline type.';
COMMENT ON COLUMN hss.image_baselines.first_seen_at IS 'When this result was first fetched (earliest version).';
COMMENT ON COLUMN hss.image_baselines.last_verified_at IS 'When the image''s results were last fetched from HSS.';
COMMENT ON COLUMN hss.image_baselines.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.image_baselines.scanned_at IS 'The HSS scan time that produced the current values (scanned_at of the open version); NULL when HSS gave none or before it was recorded.';
COMMENT ON COLUMN hss.image_baselines.source_api IS 'The HSS API the current values came from (source_api of the open version).';

REVOKE ALL ON hss.image_baselines FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_baselines TO hss_reader;
GRANT SELECT ON hss.image_baselines TO hss_writer;
