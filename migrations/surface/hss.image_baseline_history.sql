CREATE OR REPLACE VIEW hss.image_baseline_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, severity, check_rule_num, failed_rule_num, check_type_desc, valid_from, valid_to, opened_run_id, closed_run_id, result_key,
  hss.severity_rank(severity) AS severity_rank, prev_hash, chain_hash, scanned_at, source_api
FROM hss_internal.image_baseline_history;

COMMENT ON VIEW hss.image_baseline_history IS 'Every version of every baseline result. A version is valid over [valid_from, valid_to); versions of one result never overlap.';
COMMENT ON COLUMN hss.image_baseline_history.version_id IS 'Version identifier.';
COMMENT ON COLUMN hss.image_baseline_history.project_id IS 'Huawei Cloud project ID (result key).';
COMMENT ON COLUMN hss.image_baseline_history.enterprise_project_id IS 'Enterprise project ID (result key).';
COMMENT ON COLUMN hss.image_baseline_history.image_type IS 'HSS image type (result key).';
COMMENT ON COLUMN hss.image_baseline_history.image_id IS 'Image content ID (result key).';
COMMENT ON COLUMN hss.image_baseline_history.check_name IS 'Baseline name, e.g. CentOS 7 (result key; empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_history.check_type IS 'Baseline type (result key; empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_history.standard IS 'Standard: cn_standard, hw_standard, ... (result key; empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_history.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.';
COMMENT ON COLUMN hss.image_baseline_history.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss.image_baseline_history.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss.image_baseline_history.check_type_desc IS 'Description of the baseline type.';
COMMENT ON COLUMN hss.image_baseline_history.valid_from IS 'When this version was first fetched.';
COMMENT ON COLUMN hss.image_baseline_history.valid_to IS 'When a fetch first showed it changed or gone; NULL = current version.';
COMMENT ON COLUMN hss.image_baseline_history.opened_run_id IS 'Run that opened this version.';
COMMENT ON COLUMN hss.image_baseline_history.closed_run_id IS 'Run that closed this version.';
COMMENT ON COLUMN hss.image_baseline_history.result_key IS 'Hash of the 7 result-key columns (md5 of each prefixed by its length), used by the constraints.';
COMMENT ON COLUMN hss.image_baseline_history.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.image_baseline_history.prev_hash IS 'chain_hash of the previous version of the same result key; NULL for its first version (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss.image_baseline_history.chain_hash IS 'SHA-256 of the canonical form of this version and prev_hash, sealed with valid_to and closed_run_id once closed (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss.image_baseline_history.scanned_at IS 'The HSS scan time that produced this version (the image''s latest_scan_time when it was fetched); NULL when HSS gave none. Set when the version opens; a new scan time alone opens no version.';
COMMENT ON COLUMN hss.image_baseline_history.source_api IS 'The HSS API the values came from: ListImageRiskConfigs, or ListCheckRulesInfo (summaries derived from rule results); NULL for versions written before it was recorded.';

REVOKE ALL ON hss.image_baseline_history FROM hss_reader, hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON hss.image_baseline_history TO hss_writer;
GRANT SELECT ON hss.image_baseline_history TO hss_reader;
