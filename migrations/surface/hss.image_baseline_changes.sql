CREATE OR REPLACE VIEW hss.image_baseline_changes AS
SELECT
  h.valid_from AS changed_at,
  h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type, h.standard,
  CASE
    WHEN p.version_id IS NULL THEN 'appeared'
    WHEN (coalesce(hss.severity_rank(h.severity), -1), coalesce(h.failed_rule_num, -1))
       > (coalesce(hss.severity_rank(p.severity), -1), coalesce(p.failed_rule_num, -1)) THEN 'worsened'
    WHEN (coalesce(hss.severity_rank(h.severity), -1), coalesce(h.failed_rule_num, -1))
       < (coalesce(hss.severity_rank(p.severity), -1), coalesce(p.failed_rule_num, -1)) THEN 'improved'
    ELSE 'changed'
  END AS change,
  p.severity AS severity_before,
  h.severity AS severity_after,
  p.failed_rule_num AS failed_before,
  h.failed_rule_num AS failed_after,
  p.check_rule_num AS check_items_before,
  h.check_rule_num AS check_items_after,
  h.opened_run_id AS run_id,
  h.version_id,
  hss.severity_rank(p.severity) AS severity_before_rank,
  hss.severity_rank(h.severity) AS severity_after_rank,
  (p.version_id IS NOT NULL AND coalesce(p.failed_rule_num, 0) > 0 AND coalesce(h.failed_rule_num, 0) = 0) AS fixed,
  (p.version_id IS NOT NULL AND coalesce(p.failed_rule_num, 0) = 0 AND coalesce(h.failed_rule_num, 0) > 0) AS regressed,
  h.scanned_at,
  h.source_api
FROM hss_internal.image_baseline_history h
LEFT JOIN hss_internal.image_baseline_history p
  ON p.result_key = h.result_key AND p.valid_to = h.valid_from
UNION ALL
SELECT
  h.valid_to AS changed_at,
  h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type, h.standard,
  'disappeared' AS change,
  h.severity AS severity_before,
  NULL AS severity_after,
  h.failed_rule_num AS failed_before,
  NULL AS failed_after,
  h.check_rule_num AS check_items_before,
  NULL AS check_items_after,
  h.closed_run_id AS run_id,
  h.version_id,
  hss.severity_rank(h.severity) AS severity_before_rank,
  NULL::integer AS severity_after_rank,
  false AS fixed,
  false AS regressed,
  NULL::timestamptz AS scanned_at,
  NULL::text AS source_api
FROM hss_internal.image_baseline_history h
WHERE h.valid_to IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM hss_internal.image_baseline_history n
    WHERE n.result_key = h.result_key AND n.valid_from = h.valid_to);

SELECT hss_internal.comment_on_view('hss.image_baseline_changes', $doc$
Every change of a result key: appeared, worsened, improved, changed (same severity and failed items, another value) or disappeared, with the values before and after.
changed_at: When the change was recorded (valid_from of the new version; valid_to of the last one for disappeared).
change: appeared, worsened, improved, changed or disappeared. Worse = higher severity, or the same severity with more failed items.
severity_before: Severity before the change (Security, Low, Medium, High); NULL when it appeared.
severity_after: Severity after the change (Security, Low, Medium, High); NULL when it disappeared.
failed_before: Failed check items before; NULL when it appeared.
failed_after: Failed check items after; NULL when it disappeared.
check_items_before: Check items before; NULL when it appeared.
check_items_after: Check items after; NULL when it disappeared.
run_id: The run that recorded the change (hss.sync_runs.run_id).
version_id: The version opened (or, for disappeared, closed) by the change.
severity_before_rank: severity_before as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.
severity_after_rank: severity_after as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.
fixed: True when the result stopped failing: failed check items went from more than 0 to 0 (or absent) between two versions that meet. Each fixed change ends one fixed period of hss.baseline_fixes.
regressed: True when the result started failing again: failed check items went from 0 (or absent) to more than 0 between two versions that meet. False when it appeared failing.
scanned_at: The HSS scan time that produced the new values (scanned_at of the version opened); NULL for disappeared, or when HSS gave none.
source_api: The HSS API the new values came from (source_api of the version opened); NULL for disappeared.
$doc$);

REVOKE ALL ON hss.image_baseline_changes FROM hss_reader, hss_writer;
GRANT SELECT ON hss.image_baseline_changes TO hss_reader, hss_writer;
