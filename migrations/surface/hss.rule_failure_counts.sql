CREATE OR REPLACE VIEW hss.rule_failure_counts AS
SELECT
  n.check_name, n.check_type, n.standard, n.check_rule_id,
  n.check_rule_name,
  coalesce((ARRAY['Security', 'Low', 'Medium', 'High', 'Critical'])[g.worst_rank + 1], n.severity) AS severity,
  g.worst_rank AS severity_rank,
  g.images_failing,
  g.failing_since,
  d.remediation
FROM (
  SELECT
    h.rule_key,
    max(hss.severity_rank(h.severity)) AS worst_rank,
    count(*)::integer AS images_failing,
    min(h.valid_from) AS failing_since
  FROM hss_internal.image_rule_history h
  WHERE h.valid_to IS NULL AND h.scan_result = 'failed'
    AND EXISTS (
      SELECT 1 FROM hss_internal.image_contents c
      WHERE c.project_id = h.project_id AND c.enterprise_project_id = h.enterprise_project_id AND c.image_type = h.image_type AND c.image_id = h.image_id
        AND c.removed_at IS NULL)
  GROUP BY h.rule_key
) g
CROSS JOIN LATERAL (
  SELECT r.check_name, r.check_type, r.standard, r.check_rule_id, r.check_rule_name, r.severity
  FROM hss_internal.image_rule_history r
  WHERE r.rule_key = g.rule_key AND r.valid_to IS NULL AND r.scan_result = 'failed'
  LIMIT 1
) n
LEFT JOIN hss_internal.rule_descriptions d ON d.rule_key = g.rule_key;

SELECT hss_internal.comment_on_view('hss.rule_failure_counts', $doc$
Per rule: how many present images fail it now and since when (the earliest current failure): which rule fails most.
check_rule_id: Rule ID.
check_rule_name: Rule name.
severity: Rule severity (Security, Low, Medium, High, Critical): the worst it is reported with.
images_failing: Present images failing the rule now.
failing_since: The earliest failing_since among them.
remediation: How to fix it; NULL until its description is fetched.
$doc$);

REVOKE ALL ON hss.rule_failure_counts FROM hss_reader, hss_writer;
GRANT SELECT ON hss.rule_failure_counts TO hss_reader, hss_writer;
