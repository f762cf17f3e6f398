CREATE OR REPLACE VIEW hss.image_baseline_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, severity, check_rule_num, failed_rule_num, check_type_desc, valid_from, valid_to, opened_run_id, closed_run_id, result_key,
  hss.severity_rank(severity) AS severity_rank, prev_hash, chain_hash, scanned_at, source_api
FROM hss_internal.image_baseline_history;

SELECT hss_internal.comment_on_view('hss.image_baseline_history', $doc$
Every version of every baseline result. A version is valid over [valid_from, valid_to); versions of one result never overlap.
version_id: Version identifier.
project_id: Huawei Cloud project ID (result key).
enterprise_project_id: Enterprise project ID (result key).
image_type: HSS image type (result key).
image_id: Image content ID (result key).
check_name: Baseline name, e.g. CentOS 7 (result key; empty string when absent).
check_type: Baseline type (result key; empty string when absent).
standard: Standard: cn_standard, hw_standard, ... (result key; empty string when absent).
severity: Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.
check_rule_num: Number of check items.
failed_rule_num: Number of failed check items.
check_type_desc: Description of the baseline type.
valid_from: When this version was first fetched.
valid_to: When a fetch first showed it changed or gone; NULL = current version.
opened_run_id: Run that opened this version.
closed_run_id: Run that closed this version.
result_key: Hash of the 7 result-key columns (md5 of each prefixed by its length), used by the constraints.
prev_hash: chain_hash of the previous version of the same result key; NULL for its first version (docs/sql.md, "Tamper evidence").
chain_hash: SHA-256 of the canonical form of this version and prev_hash, sealed with valid_to and closed_run_id once closed (docs/sql.md, "Tamper evidence").
scanned_at: The HSS scan time that produced this version (the image's latest_scan_time when it was fetched); NULL when HSS gave none. Set when the version opens; a new scan time alone opens no version.
source_api: The HSS API the values came from: ListImageRiskConfigs, or ListCheckRulesInfo (summaries derived from rule results); NULL for versions written before it was recorded.
$doc$);

REVOKE ALL ON hss.image_baseline_history FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_baseline_history TO hss_reader, hss_writer;
