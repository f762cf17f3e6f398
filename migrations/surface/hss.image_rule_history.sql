CREATE OR REPLACE VIEW hss.image_rule_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, check_rule_id, check_rule_name, severity, scan_result, valid_from, valid_to, opened_run_id, closed_run_id, rule_result_key, rule_key,
  hss.severity_rank(severity) AS severity_rank, prev_hash, chain_hash, scanned_at, source_api
FROM hss_internal.image_rule_history;

COMMENT ON VIEW hss.image_rule_history IS 'Every version of every rule result (ListImageRiskConfigRules) of an image: valid over [valid_from, valid_to), valid_to NULL = current. Failed rules are kept (and passed ones with HSS_RULE_DETAIL=all); a rule that stops failing has its version closed. No two versions of one rule result overlap.';
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
COMMENT ON COLUMN hss.image_rule_history.severity IS 'Rule severity as HSS reports it: Security, Low, Medium, High, Critical.';
COMMENT ON COLUMN hss.image_rule_history.scan_result IS 'failed or pass.';
COMMENT ON COLUMN hss.image_rule_history.valid_from IS 'When this version became current.';
COMMENT ON COLUMN hss.image_rule_history.valid_to IS 'When it stopped being current; NULL = current.';
COMMENT ON COLUMN hss.image_rule_history.opened_run_id IS 'Run that opened the version.';
COMMENT ON COLUMN hss.image_rule_history.closed_run_id IS 'Run that closed the version.';
COMMENT ON COLUMN hss.image_rule_history.rule_result_key IS 'Hash of the 8 key columns (project .. check_rule_id), for constraints and joins.';
COMMENT ON COLUMN hss.image_rule_history.rule_key IS 'Hash of (check_name, check_type, standard, check_rule_id): the key of hss.rule_descriptions.';
COMMENT ON COLUMN hss.image_rule_history.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.image_rule_history.prev_hash IS 'chain_hash of the previous version of the same rule result key; NULL for its first version (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss.image_rule_history.chain_hash IS 'SHA-256 of the canonical form of this version and prev_hash, sealed with valid_to and closed_run_id once closed (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss.image_rule_history.scanned_at IS 'The HSS scan time that produced this version (the image''s latest_scan_time when its rules were fetched); NULL when HSS gave none. Set when the version opens; a new scan time alone opens no version.';
COMMENT ON COLUMN hss.image_rule_history.source_api IS 'The HSS API the rule came from: ListImageRiskConfigRules or ListCheckRulesInfo; NULL for versions written before it was recorded.';

REVOKE ALL ON hss.image_rule_history FROM hss_reader, hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON hss.image_rule_history TO hss_writer;
GRANT SELECT ON hss.image_rule_history TO hss_reader;
