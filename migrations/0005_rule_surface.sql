-- Hand-written: the rule drill-down's exclusion constraint, its public views and point-in-time
-- function, comments on every new table, view and column, and the grants (pattern of 0003).
ALTER TABLE hss.image_rule_history
  ADD CONSTRAINT image_rule_history_no_overlap
  EXCLUDE USING gist (rule_result_key WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&);
--> statement-breakpoint
CREATE VIEW hss.image_failed_rules AS
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
  d.audit
FROM hss.image_rule_history h
JOIN hss.image_contents c
  ON c.project_id = h.project_id
  AND c.enterprise_project_id = h.enterprise_project_id
  AND c.image_type = h.image_type
  AND c.image_id = h.image_id
LEFT JOIN hss.image_rule_state s
  ON s.project_id = h.project_id
  AND s.enterprise_project_id = h.enterprise_project_id
  AND s.image_type = h.image_type
  AND s.image_id = h.image_id
LEFT JOIN hss.rule_descriptions d ON d.rule_key = h.rule_key
WHERE h.valid_to IS NULL AND h.scan_result = 'failed' AND c.removed_at IS NULL;
--> statement-breakpoint
CREATE VIEW hss.rule_failure_counts AS
SELECT
  f.check_name,
  f.check_type,
  f.standard,
  f.check_rule_id,
  max(f.check_rule_name) AS check_rule_name,
  max(f.severity) AS severity,
  count(*)::integer AS images_failing,
  min(f.failing_since) AS failing_since,
  max(f.remediation) AS remediation
FROM hss.image_failed_rules f
GROUP BY f.check_name, f.check_type, f.standard, f.check_rule_id;
--> statement-breakpoint
-- A plain SQL function (like image_baselines_as_of) so the planner inlines it.
CREATE FUNCTION hss.image_baseline_rules_as_of(at_time timestamptz)
RETURNS TABLE (
  project_id text,
  enterprise_project_id text,
  image_type text,
  image_id text,
  check_name text,
  check_type text,
  standard text,
  check_rule_id text,
  check_rule_name text,
  severity text,
  scan_result text,
  valid_from timestamptz,
  valid_to timestamptz,
  version_id bigint
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type,
         h.standard, h.check_rule_id, h.check_rule_name, h.severity, h.scan_result, h.valid_from,
         h.valid_to, h.version_id
  FROM hss.image_rule_history h
  WHERE h.valid_from <= at_time AND (h.valid_to IS NULL OR h.valid_to > at_time)
$$;
--> statement-breakpoint
COMMENT ON TABLE hss.image_rule_history IS 'Every version of every rule result (ListImageRiskConfigRules) of an image: valid over [valid_from, valid_to), valid_to NULL = current. Failed rules are kept (and passed ones with HSS_RULE_DETAIL=all); a rule that stops failing has its version closed. No two versions of one rule result overlap.';
COMMENT ON COLUMN hss.image_rule_history.version_id IS 'Identity of the version.';
COMMENT ON COLUMN hss.image_rule_history.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_rule_history.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.image_rule_history.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_rule_history.image_id IS 'Image content ID (shared by its tags).';
COMMENT ON COLUMN hss.image_rule_history.check_name IS 'Baseline name, e.g. CentOS 7.';
COMMENT ON COLUMN hss.image_rule_history.check_type IS 'Baseline type (for Windows e.g. Windows Server 2019 R2).';
COMMENT ON COLUMN hss.image_rule_history.standard IS 'cn_standard (MLPS) or hw_standard (cloud security practice).';
COMMENT ON COLUMN hss.image_rule_history.check_rule_id IS 'Rule (check item) ID within the baseline.';
COMMENT ON COLUMN hss.image_rule_history.check_rule_name IS 'Rule (check item) name.';
COMMENT ON COLUMN hss.image_rule_history.severity IS 'Rule severity as HSS reports it.';
COMMENT ON COLUMN hss.image_rule_history.scan_result IS 'failed or pass.';
COMMENT ON COLUMN hss.image_rule_history.valid_from IS 'When this version became current.';
COMMENT ON COLUMN hss.image_rule_history.valid_to IS 'When it stopped being current; NULL = current.';
COMMENT ON COLUMN hss.image_rule_history.opened_run_id IS 'Run that opened the version.';
COMMENT ON COLUMN hss.image_rule_history.closed_run_id IS 'Run that closed the version.';
COMMENT ON COLUMN hss.image_rule_history.rule_result_key IS 'Hash of the 8 key columns (project .. check_rule_id), for constraints and joins.';
COMMENT ON COLUMN hss.image_rule_history.rule_key IS 'Hash of (check_name, check_type, standard, check_rule_id): the key of hss.rule_descriptions.';
COMMENT ON TABLE hss.image_rule_state IS 'Internal: per image content, the summary signature and HSS_RULE_DETAIL its stored rules were fetched for; a different current signature makes the rules due again.';
COMMENT ON COLUMN hss.image_rule_state.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_rule_state.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss.image_rule_state.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_rule_state.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_rule_state.summary_signature IS 'md5 over the open summary versions (key, check_rule_num, failed_rule_num) when the rules were fetched.';
COMMENT ON COLUMN hss.image_rule_state.rule_detail IS 'HSS_RULE_DETAIL of that fetch: failed or all.';
COMMENT ON COLUMN hss.image_rule_state.rule_count IS 'Rule results fetched.';
COMMENT ON COLUMN hss.image_rule_state.fetched_at IS 'When the rules were last fetched (last verification).';
COMMENT ON COLUMN hss.image_rule_state.run_id IS 'Run that fetched them.';
COMMENT ON TABLE hss.rule_descriptions IS 'One description per rule (ShowImageCheckRuleDetail): the same text for every image, fetched once and refreshed every 30 days.';
COMMENT ON COLUMN hss.rule_descriptions.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.rule_descriptions.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.rule_descriptions.standard IS 'Standard of the rule.';
COMMENT ON COLUMN hss.rule_descriptions.check_rule_id IS 'Rule ID within the baseline.';
COMMENT ON COLUMN hss.rule_descriptions.rule_key IS 'Hash of (check_name, check_type, standard, check_rule_id).';
COMMENT ON COLUMN hss.rule_descriptions.description IS 'What the rule checks.';
COMMENT ON COLUMN hss.rule_descriptions.reference IS 'Where the rule comes from.';
COMMENT ON COLUMN hss.rule_descriptions.audit IS 'How to check it by hand.';
COMMENT ON COLUMN hss.rule_descriptions.remediation IS 'How to fix a failure.';
COMMENT ON COLUMN hss.rule_descriptions.check_info_list IS 'JSON array of {check_description, current_value, suggest_value}.';
COMMENT ON COLUMN hss.rule_descriptions.fetched_at IS 'When the description was fetched.';
COMMENT ON COLUMN hss.sync_runs.rule_images_due IS 'Images whose rules were due (summary changed since their rules were fetched).';
COMMENT ON COLUMN hss.sync_runs.rule_images_fetched IS 'Images whose rules the run fetched and wrote.';
COMMENT ON COLUMN hss.sync_runs.rule_images_pending IS 'Images whose rules are still due after the run (deadline, failures).';
COMMENT ON COLUMN hss.sync_runs.rule_versions_opened IS 'Rule result versions opened.';
COMMENT ON COLUMN hss.sync_runs.rule_versions_closed IS 'Rule result versions closed.';
COMMENT ON COLUMN hss.sync_runs.rule_descriptions_fetched IS 'Rule descriptions fetched or refreshed.';
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
COMMENT ON COLUMN hss.image_failed_rules.severity IS 'Rule severity.';
COMMENT ON COLUMN hss.image_failed_rules.failing_since IS 'Since when this rule fails for this image with these values.';
COMMENT ON COLUMN hss.image_failed_rules.last_verified_at IS 'When the image''s rules were last fetched.';
COMMENT ON COLUMN hss.image_failed_rules.description IS 'What the rule checks; NULL until its description is fetched.';
COMMENT ON COLUMN hss.image_failed_rules.remediation IS 'How to fix it; NULL until its description is fetched.';
COMMENT ON COLUMN hss.image_failed_rules.reference IS 'Where the rule comes from.';
COMMENT ON COLUMN hss.image_failed_rules.audit IS 'How to check it by hand.';
COMMENT ON VIEW hss.rule_failure_counts IS 'Per rule: how many present images fail it now and since when (the earliest current failure): which rule fails most.';
COMMENT ON COLUMN hss.rule_failure_counts.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.rule_failure_counts.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.rule_failure_counts.standard IS 'Standard.';
COMMENT ON COLUMN hss.rule_failure_counts.check_rule_id IS 'Rule ID.';
COMMENT ON COLUMN hss.rule_failure_counts.check_rule_name IS 'Rule name.';
COMMENT ON COLUMN hss.rule_failure_counts.severity IS 'Rule severity.';
COMMENT ON COLUMN hss.rule_failure_counts.images_failing IS 'Present images failing the rule now.';
COMMENT ON COLUMN hss.rule_failure_counts.failing_since IS 'The earliest failing_since among them.';
COMMENT ON COLUMN hss.rule_failure_counts.remediation IS 'How to fix it; NULL until its description is fetched.';
COMMENT ON FUNCTION hss.image_baseline_rules_as_of(timestamptz) IS 'Point-in-time audit of rules: every rule result version valid at the given instant (valid_from <= t < valid_to), from image_rule_history.';
--> statement-breakpoint
GRANT SELECT ON hss.image_rule_history, hss.rule_descriptions, hss.image_failed_rules, hss.rule_failure_counts
  TO hss_reader;
GRANT EXECUTE ON FUNCTION hss.image_baseline_rules_as_of(timestamptz) TO hss_reader;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON hss.image_rule_history, hss.image_rule_state, hss.rule_descriptions
  TO hss_writer;
GRANT SELECT ON hss.image_failed_rules, hss.rule_failure_counts TO hss_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA hss TO hss_writer;
GRANT EXECUTE ON FUNCTION hss.image_baseline_rules_as_of(timestamptz) TO hss_writer;
