CREATE OR REPLACE VIEW hss.image_failed_rules AS
SELECT
  h.project_id,
  h.enterprise_project_id,
  h.image_type,
  h.image_id,
  h.check_name,
  h.check_type,
  h.standard,
  h.check_rule_id,
  h.check_rule_name,
  h.severity,
  h.valid_from AS failing_since,
  s.fetched_at AS last_verified_at,
  d.description,
  d.remediation,
  d.reference,
  d.audit,
  hss.severity_rank(h.severity) AS severity_rank
FROM hss_internal.image_rule_history h
JOIN hss_internal.image_contents c
  ON c.project_id = h.project_id
  AND c.enterprise_project_id = h.enterprise_project_id
  AND c.image_type = h.image_type
  AND c.image_id = h.image_id
LEFT JOIN hss_internal.image_rule_state s
  ON s.project_id = h.project_id
  AND s.enterprise_project_id = h.enterprise_project_id
  AND s.image_type = h.image_type
  AND s.image_id = h.image_id
LEFT JOIN hss_internal.rule_descriptions d ON d.rule_key = h.rule_key
WHERE h.valid_to IS NULL AND h.scan_result = 'failed' AND c.removed_at IS NULL;

COMMENT ON VIEW hss.image_failed_rules IS 'The failed rules of every present image now, with the rule description and remediation text. The number of rows of an image and baseline equals its failed_rule_num in image_baselines once its rules are fetched.';
COMMENT ON COLUMN hss.image_failed_rules.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_failed_rules.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss.image_failed_rules.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_failed_rules.image_id IS 'Image content ID (join hss.images for its tags).';
COMMENT ON COLUMN hss.image_failed_rules.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.image_failed_rules.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.image_failed_rules.standard IS 'Standard.';
COMMENT ON COLUMN hss.image_failed_rules.check_rule_id IS 'Rule ID.';
COMMENT ON COLUMN hss.image_failed_rules.check_rule_name IS 'Rule name.';
COMMENT ON COLUMN hss.image_failed_rules.severity IS 'Rule severity as HSS reports it: Security, Low, Medium, High, Critical; severity_rank orders them.';
COMMENT ON COLUMN hss.image_failed_rules.failing_since IS 'Since when this rule fails for this image with these values.';
COMMENT ON COLUMN hss.image_failed_rules.last_verified_at IS 'When the image''s rules were last fetched.';
COMMENT ON COLUMN hss.image_failed_rules.description IS 'What the rule checks; NULL until its description is fetched.';
COMMENT ON COLUMN hss.image_failed_rules.remediation IS 'How to fix it; NULL until its description is fetched.';
COMMENT ON COLUMN hss.image_failed_rules.reference IS 'Where the rule comes from.';
COMMENT ON COLUMN hss.image_failed_rules.audit IS 'How to check it by hand.';
COMMENT ON COLUMN hss.image_failed_rules.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';

REVOKE ALL ON hss.image_failed_rules FROM hss_reader, hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON hss.image_failed_rules TO hss_writer;
GRANT SELECT ON hss.image_failed_rules TO hss_reader;
