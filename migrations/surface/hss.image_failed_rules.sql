CREATE OR REPLACE VIEW hss.image_failed_rules AS
SELECT
  h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type, h.standard, h.check_rule_id,
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
  ON c.project_id = h.project_id AND c.enterprise_project_id = h.enterprise_project_id AND c.image_type = h.image_type AND c.image_id = h.image_id
LEFT JOIN hss_internal.image_rule_state s
  ON s.project_id = h.project_id AND s.enterprise_project_id = h.enterprise_project_id AND s.image_type = h.image_type AND s.image_id = h.image_id
LEFT JOIN hss_internal.rule_descriptions d ON d.rule_key = h.rule_key
WHERE h.valid_to IS NULL AND h.scan_result = 'failed' AND c.removed_at IS NULL;

SELECT hss_internal.comment_on_view('hss.image_failed_rules', $doc$
The failed rules of every present image now, with the rule description and remediation text. The number of rows of an image and baseline equals its failed_rule_num in image_baselines once its rules are fetched.
enterprise_project_id: Enterprise project ID.
image_id: Image content ID (join hss.images for its tags).
check_rule_id: Rule ID.
check_rule_name: Rule name.
severity: Rule severity as HSS reports it: Security, Low, Medium, High, Critical; severity_rank orders them.
failing_since: Since when this rule fails for this image with these values.
last_verified_at: When the image's rules were last fetched.
description: What the rule checks; NULL until its description is fetched.
remediation: How to fix it; NULL until its description is fetched.
reference: Where the rule comes from.
audit: How to check it by hand.
$doc$);

REVOKE ALL ON hss.image_failed_rules FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_failed_rules TO hss_reader, hss_writer;
