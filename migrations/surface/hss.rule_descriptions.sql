CREATE OR REPLACE VIEW hss.rule_descriptions AS
SELECT * FROM hss_internal.rule_descriptions;

SELECT hss_internal.comment_on_view('hss.rule_descriptions', $doc$
One description per rule (ShowImageCheckRuleDetail): the same text for every image, fetched once and refreshed every 30 days.
standard: Standard of the rule.
check_rule_id: Rule ID within the baseline.
rule_key: Hash of (check_name, check_type, standard, check_rule_id).
description: What the rule checks.
reference: Where the rule comes from.
audit: How to check it by hand.
remediation: How to fix a failure.
check_info_list: JSON array of {check_description, current_value, suggest_value}.
fetched_at: When the description was fetched.
$doc$);

REVOKE ALL ON hss.rule_descriptions FROM hss_reader, hss_writer;
GRANT SELECT ON hss.rule_descriptions TO hss_reader, hss_writer;
