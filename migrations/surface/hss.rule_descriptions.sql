CREATE OR REPLACE VIEW hss.rule_descriptions AS
SELECT * FROM hss_internal.rule_descriptions;

COMMENT ON VIEW hss.rule_descriptions IS 'One description per rule (ShowImageCheckRuleDetail): the same text for every image, fetched once and refreshed every 30 days.';
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

REVOKE ALL ON hss.rule_descriptions FROM hss_reader, hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON hss.rule_descriptions TO hss_writer;
GRANT SELECT ON hss.rule_descriptions TO hss_reader;
