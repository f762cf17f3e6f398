-- Hand-written: the public surface as BI tools and auditors meet it (issue 16).
-- * a numeric severity_rank beside every severity column, one severity vocabulary in comments;
-- * posture_daily.observed, image_baseline_changes.fixed / regressed, the view baseline_fixes,
--   scope_status's rule backlog and coverage counts;
-- * one integer type per quantity: counts of images, tags and results are integer everywhere
--   (as in the ledger), sums of check items are bigint everywhere;
-- * plans that stay linear without statistics (the worker's login cannot ANALYZE and autovacuum
--   may lag): per-image aggregates are LATERAL subqueries probing an index, history pairs are
--   window functions over one pass instead of self-joins whose row estimate is a default guess.
-- Views whose column types change are dropped and recreated (CREATE OR REPLACE cannot change a
-- type), so their grants and comments are given again below; the others only gain columns at the
-- end (CREATE OR REPLACE keeps their grants and comments).

COMMENT ON FUNCTION hss.severity_rank(text) IS 'Severity as a number to sort and colour by: Security 0, Low 1, Medium 2, High 3, Critical 4 (Critical is reported for rules only); NULL when absent or unknown. ORDER BY hss.severity_rank(severity) DESC puts the worst first; every public severity column has a *_rank column beside it.';
--> statement-breakpoint
CREATE OR REPLACE VIEW hss.image_baselines AS
SELECT
  h.project_id,
  h.enterprise_project_id,
  h.image_type,
  h.image_id,
  h.check_name,
  h.check_type,
  h.standard,
  h.severity,
  h.check_rule_num,
  h.failed_rule_num,
  h.check_type_desc,
  (
    SELECT min(f.valid_from)
    FROM hss.image_baseline_history f
    WHERE f.result_key = h.result_key
  ) AS first_seen_at,
  c.fetched_at AS last_verified_at,
  hss.severity_rank(h.severity) AS severity_rank
FROM hss.image_baseline_history h
JOIN hss.image_contents c
  ON c.project_id = h.project_id
  AND c.enterprise_project_id = h.enterprise_project_id
  AND c.image_type = h.image_type
  AND c.image_id = h.image_id
WHERE h.valid_to IS NULL
  AND c.removed_at IS NULL;
--> statement-breakpoint
CREATE OR REPLACE VIEW hss.image_baseline_daily AS
SELECT
  f.day,
  k.project_id,
  k.enterprise_project_id,
  k.image_type,
  k.image_id,
  k.check_name,
  k.check_type,
  k.standard,
  f.severity,
  f.check_rule_num,
  f.failed_rule_num,
  f.observed_at,
  f.version_id,
  f.result_key,
  hss.severity_rank(f.severity) AS severity_rank
FROM hss.image_baseline_daily_facts f
LEFT JOIN hss.result_keys k ON k.result_key = f.result_key;
--> statement-breakpoint
-- observed: a scalar EXISTS in the select list is evaluated only when a query reads the column,
-- one probe of sync_scope_runs_scope_started_idx per row; trends that do not read it cost the same.
DROP VIEW hss.posture_daily;
--> statement-breakpoint
CREATE VIEW hss.posture_daily AS
SELECT
  p.day,
  p.project_id,
  p.enterprise_project_id,
  p.image_type,
  p.check_name,
  p.check_type,
  p.standard,
  p.severity,
  hss.severity_rank(p.severity) AS severity_rank,
  p.images,
  p.images_failing,
  p.failed_items,
  p.check_items,
  EXISTS (
    SELECT 1
    FROM hss.sync_scope_runs r
    WHERE r.project_id = p.project_id
      AND r.enterprise_project_id = p.enterprise_project_id
      AND r.image_type = p.image_type
      AND r.started_at >= (p.day::timestamp AT TIME ZONE 'UTC')
      AND r.started_at < ((p.day + 1)::timestamp AT TIME ZONE 'UTC')
      AND r.status IN ('succeeded', 'partial')
  ) AS observed
FROM hss.posture_daily_facts p;
--> statement-breakpoint
-- Driven by the present references grouped per content; the content's fetch record and its
-- current results are probed per content (primary key, image_baseline_history_open_image_idx),
-- so the plan is linear whatever the planner guesses about row counts.
DROP VIEW hss.image_posture;
--> statement-breakpoint
CREATE VIEW hss.image_posture AS
SELECT
  refs.project_id,
  refs.enterprise_project_id,
  refs.image_type,
  refs.image_id,
  refs.image_names,
  refs.tags,
  refs.latest_scan_time,
  CASE
    WHEN res.baselines > 0 THEN 'results'
    WHEN c.fetched_at IS NULL THEN 'pending'
    WHEN c.outcome = 'not_scanned' THEN 'not_scanned'
    ELSE 'no_results'
  END AS coverage,
  res.worst_severity,
  hss.severity_rank(res.worst_severity) AS worst_severity_rank,
  res.baselines,
  res.baselines_failing,
  res.failed_items,
  res.check_items,
  c.fetched_at AS last_verified_at,
  now() - c.fetched_at AS data_age,
  round((extract(epoch FROM now() - c.fetched_at) / 3600)::numeric, 1) AS data_age_hours
FROM (
  SELECT
    r.project_id,
    r.enterprise_project_id,
    r.image_type,
    r.image_id,
    count(*)::integer AS tags,
    string_agg(
      DISTINCT concat_ws(':', concat_ws('/', nullif(r.namespace, ''), r.image_name), nullif(r.image_version, '')),
      ', ') AS image_names,
    max(r.latest_scan_time) AS latest_scan_time
  FROM hss.image_refs r
  WHERE r.removed_at IS NULL
  GROUP BY r.project_id, r.enterprise_project_id, r.image_type, r.image_id
) refs
LEFT JOIN LATERAL (
  SELECT c.fetched_at, c.outcome
  FROM hss.image_contents c
  WHERE c.project_id = refs.project_id
    AND c.enterprise_project_id = refs.enterprise_project_id
    AND c.image_type = refs.image_type
    AND c.image_id = refs.image_id
  OFFSET 0
) c ON true
CROSS JOIN LATERAL (
  SELECT
    count(*)::integer AS baselines,
    (count(*) FILTER (WHERE h.failed_rule_num > 0))::integer AS baselines_failing,
    coalesce(sum(h.failed_rule_num), 0)::bigint AS failed_items,
    coalesce(sum(h.check_rule_num), 0)::bigint AS check_items,
    (array_agg(h.severity ORDER BY hss.severity_rank(h.severity) DESC NULLS LAST))[1] AS worst_severity
  FROM hss.image_baseline_history h
  WHERE h.valid_to IS NULL
    AND h.project_id = refs.project_id
    AND h.enterprise_project_id = refs.enterprise_project_id
    AND h.image_type = refs.image_type
    AND h.image_id = refs.image_id
) res;
--> statement-breakpoint
-- fixed / regressed: a failing result (failed items > 0; NULL counts as not failing) becoming
-- not failing, and the other way round, between two versions that meet. hss.baseline_fixes uses
-- the same rule, so every fixed change ends exactly one fixed period there.
CREATE OR REPLACE VIEW hss.image_baseline_changes AS
SELECT
  h.valid_from AS changed_at,
  h.project_id,
  h.enterprise_project_id,
  h.image_type,
  h.image_id,
  h.check_name,
  h.check_type,
  h.standard,
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
  (p.version_id IS NOT NULL AND coalesce(p.failed_rule_num, 0) = 0 AND coalesce(h.failed_rule_num, 0) > 0) AS regressed
FROM hss.image_baseline_history h
LEFT JOIN hss.image_baseline_history p
  ON p.result_key = h.result_key AND p.valid_to = h.valid_from
UNION ALL
SELECT
  h.valid_to AS changed_at,
  h.project_id,
  h.enterprise_project_id,
  h.image_type,
  h.image_id,
  h.check_name,
  h.check_type,
  h.standard,
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
  false AS regressed
FROM hss.image_baseline_history h
WHERE h.valid_to IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM hss.image_baseline_history n
    WHERE n.result_key = h.result_key AND n.valid_from = h.valid_to);
--> statement-breakpoint
-- Failing periods by gaps and islands over one ordered pass of the history: a version fails when
-- failed_rule_num > 0; a period starts at a failing version that no failing version meets, and
-- ends at a failing version that no failing version continues. The end is a fix when a version
-- meets it, a disappearance when none does, open while the version is current. Windows are
-- partitioned by the key columns (not the key hash) so a filter on image_id, check_name... is
-- pushed down to the scan of the history.
CREATE VIEW hss.baseline_fixes AS
WITH v AS (
  SELECT
    h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type, h.standard,
    h.result_key, h.version_id, h.valid_from, h.valid_to, h.severity, h.failed_rule_num, h.check_rule_num,
    coalesce(h.failed_rule_num, 0) > 0 AS failing,
    coalesce(lag(h.valid_to) OVER w = h.valid_from AND lag(h.failed_rule_num) OVER w > 0, false) AS continues,
    coalesce(lead(h.valid_from) OVER w = h.valid_to AND lead(h.failed_rule_num) OVER w > 0, false) AS continued,
    coalesce(lead(h.valid_from) OVER w = h.valid_to, false) AS met
  FROM hss.image_baseline_history h
  WINDOW w AS (
    PARTITION BY h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type,
      h.standard
    ORDER BY h.valid_from)
), edges AS (
  SELECT
    v.*,
    NOT v.continues AS starts,
    NOT v.continued AS ends,
    CASE WHEN NOT v.continued THEN v.valid_to END AS end_to,
    CASE WHEN NOT v.continued THEN v.met END AS end_met
  FROM v
  WHERE v.failing AND (NOT v.continues OR NOT v.continued)
), periods AS (
  SELECT
    e.*,
    CASE WHEN e.ends THEN e.end_to ELSE lead(e.end_to) OVER w END AS period_to,
    CASE WHEN e.ends THEN e.end_met ELSE lead(e.end_met) OVER w END AS period_met
  FROM edges e
  WINDOW w AS (
    PARTITION BY e.project_id, e.enterprise_project_id, e.image_type, e.image_id, e.check_name, e.check_type,
      e.standard
    ORDER BY e.valid_from)
)
SELECT
  p.project_id,
  p.enterprise_project_id,
  p.image_type,
  p.image_id,
  p.check_name,
  p.check_type,
  p.standard,
  p.valid_from AS failed_since,
  CASE WHEN p.period_met THEN p.period_to END AS fixed_at,
  CASE WHEN p.period_to IS NOT NULL AND NOT p.period_met THEN p.period_to END AS disappeared_at,
  CASE WHEN p.period_to IS NULL THEN 'failing' WHEN p.period_met THEN 'fixed' ELSE 'disappeared' END AS status,
  CASE WHEN p.period_met THEN round(extract(epoch FROM p.period_to - p.valid_from) / 3600, 2) END AS hours_to_fix,
  p.severity,
  hss.severity_rank(p.severity) AS severity_rank,
  p.failed_rule_num,
  p.check_rule_num,
  p.version_id,
  p.result_key
FROM periods p
WHERE p.starts;
--> statement-breakpoint
-- Coverage per present content of the scope, from what is stored today: current results, the
-- listing's scan_status, and the fetch record (OFFSET 0 keeps the state computed once per content
-- instead of once per count). The coverage and the rule backlog are LEFT JOINs of one-row
-- aggregates, so a query that reads neither skips them. The rule backlog repeats the summary signature of
-- src/db/rules/due.ts (they must stay equal): an image's rules are due while the signature of its
-- current summaries differs from the one its rules were fetched for.
CREATE OR REPLACE VIEW hss.scope_status AS
SELECT
  s.target,
  s.project_id,
  s.enterprise_project_id,
  s.image_type,
  s.image_count AS images_listed,
  s.last_inventory_at,
  s.last_complete_inventory_at,
  s.last_success_at,
  l.status AS last_status,
  l.started_at AS last_started_at,
  l.finished_at AS last_finished_at,
  l.images_pending,
  l.eta_seconds,
  l.error AS last_error,
  cov.images_present,
  cov.images_covered,
  cov.images_not_scanned,
  cov.images_scan_failed,
  cov.images_no_results,
  cov.images_not_fetched,
  CASE WHEN ru.has_rules THEN ru.pending END AS rule_images_pending
FROM hss.scope_state s
LEFT JOIN LATERAL (
  SELECT r.status, r.started_at, r.finished_at, r.images_pending, r.eta_seconds, r.error
  FROM hss.sync_scope_runs r
  WHERE r.project_id = s.project_id
    AND r.enterprise_project_id = s.enterprise_project_id
    AND r.image_type = s.image_type
  ORDER BY r.started_at DESC
  LIMIT 1
) l ON true
LEFT JOIN LATERAL (
  SELECT
    count(*)::integer AS images_present,
    (count(*) FILTER (WHERE st.state = 'covered'))::integer AS images_covered,
    (count(*) FILTER (WHERE st.state = 'not_scanned'))::integer AS images_not_scanned,
    (count(*) FILTER (WHERE st.state = 'scan_failed'))::integer AS images_scan_failed,
    (count(*) FILTER (WHERE st.state = 'no_results'))::integer AS images_no_results,
    (count(*) FILTER (WHERE st.state = 'not_fetched'))::integer AS images_not_fetched
  FROM (
    SELECT r.image_id, bool_or(r.scan_status = 'failed') AS scan_failed
    FROM hss.image_refs r
    WHERE r.project_id = s.project_id
      AND r.enterprise_project_id = s.enterprise_project_id
      AND r.image_type = s.image_type
      AND r.removed_at IS NULL
    GROUP BY r.image_id
  ) x
  LEFT JOIN LATERAL (
    SELECT c.fetched_at, c.outcome
    FROM hss.image_contents c
    WHERE c.project_id = s.project_id
      AND c.enterprise_project_id = s.enterprise_project_id
      AND c.image_type = s.image_type
      AND c.image_id = x.image_id
    OFFSET 0
  ) c ON true
  CROSS JOIN LATERAL (
    SELECT CASE
      WHEN EXISTS (
        SELECT 1 FROM hss.image_baseline_history h
        WHERE h.valid_to IS NULL
          AND h.project_id = s.project_id
          AND h.enterprise_project_id = s.enterprise_project_id
          AND h.image_type = s.image_type
          AND h.image_id = x.image_id) THEN 'covered'
      WHEN x.scan_failed THEN 'scan_failed'
      WHEN c.fetched_at IS NULL THEN 'not_fetched'
      WHEN c.outcome = 'not_scanned' THEN 'not_scanned'
      ELSE 'no_results'
    END AS state
    OFFSET 0
  ) st
) cov ON true
LEFT JOIN LATERAL (
  SELECT
    EXISTS (
      SELECT 1 FROM hss.image_rule_state rs
      WHERE rs.project_id = s.project_id
        AND rs.enterprise_project_id = s.enterprise_project_id
        AND rs.image_type = s.image_type) AS has_rules,
    (count(*) FILTER (WHERE rs.summary_signature IS DISTINCT FROM sig.signature))::integer AS pending
  FROM hss.image_contents c
  CROSS JOIN LATERAL (
    SELECT md5(coalesce(string_agg(
      h.result_key::text || ':' || coalesce(h.check_rule_num::text, '-') || ':' || coalesce(h.failed_rule_num::text, '-'),
      ',' ORDER BY h.result_key), '')) AS signature
    FROM hss.image_baseline_history h
    WHERE h.valid_to IS NULL
      AND h.project_id = c.project_id
      AND h.enterprise_project_id = c.enterprise_project_id
      AND h.image_type = c.image_type
      AND h.image_id = c.image_id
  ) sig
  LEFT JOIN LATERAL (
    SELECT rs.summary_signature
    FROM hss.image_rule_state rs
    WHERE rs.project_id = c.project_id
      AND rs.enterprise_project_id = c.enterprise_project_id
      AND rs.image_type = c.image_type
      AND rs.image_id = c.image_id
    OFFSET 0
  ) rs ON true
  WHERE c.project_id = s.project_id
    AND c.enterprise_project_id = s.enterprise_project_id
    AND c.image_type = s.image_type
    AND c.removed_at IS NULL
    AND c.outcome = 'fetched'
) ru ON true;
--> statement-breakpoint
CREATE OR REPLACE VIEW hss.image_failed_rules AS
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
  d.audit,
  hss.severity_rank(h.severity) AS severity_rank
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
-- Counted per rule_key over narrow columns first (no text carried through the aggregate: the old
-- view sorted remediation texts and spilled to disk), then each rule's names and description
-- probed once (image_rule_history_open_rule_idx, the primary key). The severity is the worst the
-- rule is reported with; the names are the same in every version of a rule_key.
DROP VIEW hss.rule_failure_counts;
--> statement-breakpoint
CREATE VIEW hss.rule_failure_counts AS
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
  FROM hss.image_rule_history h
  WHERE h.valid_to IS NULL AND h.scan_result = 'failed'
    AND EXISTS (
      SELECT 1 FROM hss.image_contents c
      WHERE c.project_id = h.project_id
        AND c.enterprise_project_id = h.enterprise_project_id
        AND c.image_type = h.image_type
        AND c.image_id = h.image_id
        AND c.removed_at IS NULL)
  GROUP BY h.rule_key
) g
CROSS JOIN LATERAL (
  SELECT r.check_name, r.check_type, r.standard, r.check_rule_id, r.check_rule_name, r.severity
  FROM hss.image_rule_history r
  WHERE r.rule_key = g.rule_key AND r.valid_to IS NULL AND r.scan_result = 'failed'
  LIMIT 1
) n
LEFT JOIN hss.rule_descriptions d ON d.rule_key = g.rule_key;
--> statement-breakpoint
-- One severity vocabulary in every comment.
COMMENT ON COLUMN hss.image_baseline_history.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.';
COMMENT ON COLUMN hss.image_baselines.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.';
COMMENT ON COLUMN hss.image_baselines.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.image_baseline_daily_facts.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules).';
COMMENT ON COLUMN hss.image_baseline_daily.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.';
COMMENT ON COLUMN hss.image_baseline_daily.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.posture_daily_facts.severity IS 'Severity of the results in the group: Security, Low, Medium, High (Critical for rules).';
COMMENT ON COLUMN hss.image_rule_history.severity IS 'Rule severity as HSS reports it: Security, Low, Medium, High, Critical.';
COMMENT ON COLUMN hss.image_failed_rules.severity IS 'Rule severity as HSS reports it: Security, Low, Medium, High, Critical; severity_rank orders them.';
COMMENT ON COLUMN hss.image_failed_rules.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.image_baseline_changes.severity_before IS 'Severity before the change (Security, Low, Medium, High); NULL when it appeared.';
COMMENT ON COLUMN hss.image_baseline_changes.severity_after IS 'Severity after the change (Security, Low, Medium, High); NULL when it disappeared.';
COMMENT ON COLUMN hss.image_baseline_changes.severity_before_rank IS 'severity_before as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.image_baseline_changes.severity_after_rank IS 'severity_after as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.image_baseline_changes.fixed IS 'True when the result stopped failing: failed check items went from more than 0 to 0 (or absent) between two versions that meet. Each fixed change ends one fixed period of hss.baseline_fixes.';
COMMENT ON COLUMN hss.image_baseline_changes.regressed IS 'True when the result started failing again: failed check items went from 0 (or absent) to more than 0 between two versions that meet. False when it appeared failing.';
--> statement-breakpoint
COMMENT ON VIEW hss.posture_daily IS 'Posture per UTC day, project, enterprise project, image type, baseline, standard and severity: the daily facts summed (an image has at most one result per group). An image with results under several baselines or standards counts once in each group. observed tells days a sync looked at the scope from days carried forward.';
COMMENT ON COLUMN hss.posture_daily.day IS 'UTC day.';
COMMENT ON COLUMN hss.posture_daily.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.posture_daily.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.posture_daily.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.posture_daily.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.posture_daily.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.posture_daily.standard IS 'Standard.';
COMMENT ON COLUMN hss.posture_daily.severity IS 'Severity of the results in the group: Security, Low, Medium, High; severity_rank orders them.';
COMMENT ON COLUMN hss.posture_daily.images IS 'Images with a result in the group.';
COMMENT ON COLUMN hss.posture_daily.images_failing IS 'Images whose result has at least one failed check item.';
COMMENT ON COLUMN hss.posture_daily.failed_items IS 'Failed check items, summed over the images.';
COMMENT ON COLUMN hss.posture_daily.check_items IS 'Check items, summed over the images.';
COMMENT ON COLUMN hss.posture_daily.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.posture_daily.observed IS 'True when a sync looked at the scope that UTC day (a scope run that started that day ended succeeded or partial); false when the day''s values were carried forward from an earlier day.';
--> statement-breakpoint
COMMENT ON VIEW hss.image_posture IS 'Latest posture per image content present upstream (listed by the last inventory): worst severity, failed items, coverage and age of the data.';
COMMENT ON COLUMN hss.image_posture.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_posture.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.image_posture.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_posture.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_posture.image_names IS 'Its present references as namespace/name:version, comma separated.';
COMMENT ON COLUMN hss.image_posture.tags IS 'Number of present references (tags) of the content.';
COMMENT ON COLUMN hss.image_posture.latest_scan_time IS 'Latest HSS scan time among its references.';
COMMENT ON COLUMN hss.image_posture.coverage IS 'results (has current results), no_results (fetched, HSS returned none), not_scanned (HSS has not scanned it) or pending (listed, not fetched yet).';
COMMENT ON COLUMN hss.image_posture.worst_severity IS 'Highest severity among its current results (Security < Low < Medium < High); NULL without results.';
COMMENT ON COLUMN hss.image_posture.worst_severity_rank IS 'worst_severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL without results.';
COMMENT ON COLUMN hss.image_posture.baselines IS 'Current results (baseline and standard pairs).';
COMMENT ON COLUMN hss.image_posture.baselines_failing IS 'Current results with at least one failed check item.';
COMMENT ON COLUMN hss.image_posture.failed_items IS 'Failed check items over its current results.';
COMMENT ON COLUMN hss.image_posture.check_items IS 'Check items over its current results.';
COMMENT ON COLUMN hss.image_posture.last_verified_at IS 'When its results were last fetched from HSS; NULL = never.';
COMMENT ON COLUMN hss.image_posture.data_age IS 'now() - last_verified_at.';
COMMENT ON COLUMN hss.image_posture.data_age_hours IS 'data_age in hours (one decimal), for tools that do not chart intervals.';
--> statement-breakpoint
COMMENT ON VIEW hss.baseline_fixes IS 'One row per result key and failing period (consecutive versions with failed check items > 0): since when it failed, when it was fixed (NULL while failing), hours to fix, and its severity when it started failing.';
COMMENT ON COLUMN hss.baseline_fixes.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.baseline_fixes.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.baseline_fixes.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.baseline_fixes.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.baseline_fixes.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.baseline_fixes.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.baseline_fixes.standard IS 'Standard.';
COMMENT ON COLUMN hss.baseline_fixes.failed_since IS 'When the period began: valid_from of its first failing version.';
COMMENT ON COLUMN hss.baseline_fixes.fixed_at IS 'When a version without failed check items replaced it (changed_at of the fixed change); NULL while still failing or when the result disappeared failing.';
COMMENT ON COLUMN hss.baseline_fixes.disappeared_at IS 'When the result disappeared while failing (its image left upstream); NULL otherwise.';
COMMENT ON COLUMN hss.baseline_fixes.status IS 'fixed, failing (still failing now) or disappeared (gone while failing).';
COMMENT ON COLUMN hss.baseline_fixes.hours_to_fix IS 'fixed_at - failed_since in hours (two decimals); NULL unless fixed.';
COMMENT ON COLUMN hss.baseline_fixes.severity IS 'Severity when it started failing: Security, Low, Medium, High.';
COMMENT ON COLUMN hss.baseline_fixes.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.baseline_fixes.failed_rule_num IS 'Failed check items when it started failing.';
COMMENT ON COLUMN hss.baseline_fixes.check_rule_num IS 'Check items when it started failing.';
COMMENT ON COLUMN hss.baseline_fixes.version_id IS 'The first failing version (hss.image_baseline_history.version_id).';
COMMENT ON COLUMN hss.baseline_fixes.result_key IS 'Hash of the 7 key columns (as image_baseline_history.result_key).';
--> statement-breakpoint
COMMENT ON COLUMN hss.scope_status.images_present IS 'Image contents (distinct image_id) present upstream now: the sum of the five coverage counts.';
COMMENT ON COLUMN hss.scope_status.images_covered IS 'Present contents with current results (image_posture coverage results).';
COMMENT ON COLUMN hss.scope_status.images_not_scanned IS 'Present contents without results that HSS has not scanned (recorded not_scanned; image_posture coverage not_scanned).';
COMMENT ON COLUMN hss.scope_status.images_scan_failed IS 'Present contents without results whose listing says scan_status failed.';
COMMENT ON COLUMN hss.scope_status.images_no_results IS 'Present contents fetched, for which HSS returned no results (image_posture coverage no_results, scan failures apart).';
COMMENT ON COLUMN hss.scope_status.images_not_fetched IS 'Present contents whose results were never fetched yet (image_posture coverage pending, scan failures apart).';
COMMENT ON COLUMN hss.scope_status.rule_images_pending IS 'Present images whose rules are still due: their current summaries differ from those their rules were fetched for. NULL when no rules were ever fetched in the scope (HSS_RULE_DETAIL=off).';
--> statement-breakpoint
COMMENT ON VIEW hss.rule_failure_counts IS 'Per rule: how many present images fail it now and since when (the earliest current failure): which rule fails most.';
COMMENT ON COLUMN hss.rule_failure_counts.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.rule_failure_counts.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.rule_failure_counts.standard IS 'Standard.';
COMMENT ON COLUMN hss.rule_failure_counts.check_rule_id IS 'Rule ID.';
COMMENT ON COLUMN hss.rule_failure_counts.check_rule_name IS 'Rule name.';
COMMENT ON COLUMN hss.rule_failure_counts.severity IS 'Rule severity (Security, Low, Medium, High, Critical): the worst it is reported with.';
COMMENT ON COLUMN hss.rule_failure_counts.images_failing IS 'Present images failing the rule now.';
COMMENT ON COLUMN hss.rule_failure_counts.failing_since IS 'The earliest failing_since among them.';
COMMENT ON COLUMN hss.rule_failure_counts.remediation IS 'How to fix it; NULL until its description is fetched.';
COMMENT ON COLUMN hss.rule_failure_counts.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
--> statement-breakpoint
GRANT SELECT ON hss.posture_daily, hss.image_posture, hss.baseline_fixes, hss.rule_failure_counts TO hss_reader;
GRANT SELECT ON hss.posture_daily, hss.image_posture, hss.baseline_fixes, hss.rule_failure_counts TO hss_writer;
