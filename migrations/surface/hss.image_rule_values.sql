CREATE OR REPLACE VIEW hss.image_rule_values AS
SELECT
  v.project_id, v.enterprise_project_id, v.image_type, v.image_id, v.check_name, v.check_type, v.standard, v.check_rule_id,
  v.check_info_list,
  v.fetched_at,
  v.run_id,
  v.version_id,
  v.rule_key,
  v.rule_result_key
FROM hss_internal.image_rule_values v
JOIN hss_internal.image_contents c
  ON c.project_id = v.project_id AND c.enterprise_project_id = v.enterprise_project_id AND c.image_type = v.image_type AND c.image_id = v.image_id
WHERE c.removed_at IS NULL;

SELECT hss_internal.comment_on_view('hss.image_rule_values', $doc$
Per present image content and failed rule: the image's current values (check_info_list[].current_value) as ShowImageCheckRuleDetail answered them. Descriptions and remediation stay once per rule in hss.rule_descriptions (join on rule_key).
check_rule_id: Rule ID within the baseline.
check_info_list: JSON array of {check_description, current_value, suggest_value}: current_value is this image's value.
fetched_at: When the values were fetched. Values fetched before the rule result's current version began are refetched.
run_id: The run that fetched them.
version_id: The rule result version (image_rule_history.version_id) current when the values were fetched; NULL when none was.
rule_key: Hash of (check_name, check_type, standard, check_rule_id): the rule's description (rule_descriptions.rule_key).
rule_result_key: Hash of the 8 key columns (as image_rule_history.rule_result_key).
$doc$);

REVOKE ALL ON hss.image_rule_values FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_rule_values TO hss_reader, hss_writer;
