CREATE OR REPLACE VIEW hss.rule_failure_counts AS
SELECT
  n.check_name,
  n.check_type,
  n.standard,
  n.check_rule_id,
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
      WHERE c.project_id = h.project_id
        AND c.enterprise_project_id = h.enterprise_project_id
        AND c.image_type = h.image_type
        AND c.image_id = h.image_id
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

COMMENT ON VIEW hss.rule_failure_counts IS 'Per rule: how many present images fail it now and since when (the earliest current failure): which rule fails most.';
COMMENT ON COLUMN hss.rule_failure_counts.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.rule_failure_counts.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.rule_failure_counts.standard IS 'Standard.';
COMMENT ON COLUMN hss.rule_failure_counts.check_rule_id IS 'Rule ID.';
COMMENT ON COLUMN hss.rule_failure_counts.check_rule_name IS 'Rule name.';
COMMENT ON COLUMN hss.rule_failure_counts.severity IS 'Rule severity (Security, Low, Medium, High, Critical): the worst it is reported with.';
COMMENT ON COLUMN hss.rule_failure_counts.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.rule_failure_counts.images_failing IS 'Present images failing the rule now.';
COMMENT ON COLUMN hss.rule_failure_counts.failing_since IS 'The earliest failing_since among them.';
COMMENT ON COLUMN hss.rule_failure_counts.remediation IS 'How to fix it; NULL until its description is fetched.';

REVOKE ALL ON hss.rule_failure_counts FROM hss_reader, hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON hss.rule_failure_counts TO hss_writer;
GRANT SELECT ON hss.rule_failure_counts TO hss_reader;
