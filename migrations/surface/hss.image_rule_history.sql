CREATE OR REPLACE VIEW hss.image_rule_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, check_rule_id, check_rule_name, severity, scan_result, valid_from, valid_to, opened_run_id, closed_run_id, rule_result_key, rule_key,
  hss.severity_rank(severity) AS severity_rank, prev_hash, chain_hash, scanned_at, source_api
FROM hss_internal.image_rule_history;

SELECT hss_internal.comment_on_view('hss.image_rule_history', $doc$
Every version of every rule result (ListImageRiskConfigRules) of an image: valid over [valid_from, valid_to), valid_to NULL = current. Failed rules are kept (and passed ones with HSS_RULE_DETAIL=all); a rule that stops failing has its version closed. No two versions of one rule result overlap.
version_id: Identity of the version.
image_id: Image content ID (shared by its tags).
check_name: Baseline name, e.g. CentOS 7.
check_type: Baseline type (for Windows e.g. Windows Server 2019 R2).
standard: cn_standard (MLPS) or hw_standard (cloud security practice).
check_rule_id: Rule (check item) ID within the baseline.
check_rule_name: Rule (check item) name.
severity: Rule severity as HSS reports it: Security, Low, Medium, High, Critical.
scan_result: failed or pass.
valid_from: When this version became current.
valid_to: When it stopped being current; NULL = current.
opened_run_id: Run that opened the version.
closed_run_id: Run that closed the version.
rule_result_key: Hash of the 8 key columns (project .. check_rule_id), for constraints and joins.
rule_key: Hash of (check_name, check_type, standard, check_rule_id): the key of hss.rule_descriptions.
prev_hash: chain_hash of the previous version of the same rule result key; NULL for its first version (docs/sql.md, "Tamper evidence").
chain_hash: SHA-256 of the canonical form of this version and prev_hash, sealed with valid_to and closed_run_id once closed (docs/sql.md, "Tamper evidence").
scanned_at: The HSS scan time that produced this version (the image's latest_scan_time when its rules were fetched); NULL when HSS gave none. Set when the version opens; a new scan time alone opens no version.
source_api: The HSS API the rule came from: ListImageRiskConfigRules or ListCheckRulesInfo; NULL for versions written before it was recorded.
$doc$);

REVOKE ALL ON hss.image_rule_history FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_rule_history TO hss_reader, hss_writer;
