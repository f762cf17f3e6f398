CREATE OR REPLACE VIEW hss.image_rule_values AS
SELECT
  v.project_id,
  v.enterprise_project_id,
  v.image_type,
  v.image_id,
  v.check_name,
  v.check_type,
  v.standard,
  v.check_rule_id,
  v.check_info_list,
  v.fetched_at,
  v.run_id,
  v.version_id,
  v.rule_key,
  v.rule_result_key
FROM hss_internal.image_rule_values v
JOIN hss_internal.image_contents c
  ON c.project_id = v.project_id
  AND c.enterprise_project_id = v.enterprise_project_id
  AND c.image_type = v.image_type
  AND c.image_id = v.image_id
WHERE c.removed_at IS NULL;

COMMENT ON VIEW hss.image_rule_values IS 'Per present image content and failed rule: the image''s current values (check_info_list[].current_value) as ShowImageCheckRuleDetail answered them. Descriptions and remediation stay once per rule in hss.rule_descriptions (join on rule_key).';
COMMENT ON COLUMN hss.image_rule_values.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_rule_values.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.image_rule_values.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_rule_values.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_rule_values.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.image_rule_values.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.image_rule_values.standard IS 'Standard.';
COMMENT ON COLUMN hss.image_rule_values.check_rule_id IS 'Rule ID within the baseline.';
COMMENT ON COLUMN hss.image_rule_values.check_info_list IS 'JSON array of {check_description, current_value, suggest_value}: current_value is this image''s value.';
COMMENT ON COLUMN hss.image_rule_values.fetched_at IS 'When the values were fetched. Values fetched before the rule result''s current version began are refetched.';
COMMENT ON COLUMN hss.image_rule_values.run_id IS 'The run that fetched them.';
COMMENT ON COLUMN hss.image_rule_values.version_id IS 'The rule result version (image_rule_history.version_id) current when the values were fetched; NULL when none was.';
COMMENT ON COLUMN hss.image_rule_values.rule_key IS 'Hash of (check_name, check_type, standard, check_rule_id): the rule''s description (rule_descriptions.rule_key).';
COMMENT ON COLUMN hss.image_rule_values.rule_result_key IS 'Hash of the 8 key columns (as image_rule_history.rule_result_key).';

REVOKE ALL ON hss.image_rule_values FROM hss_reader, hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON hss.image_rule_values TO hss_writer;
GRANT SELECT ON hss.image_rule_values TO hss_reader;
