-- Coverage per present content of the scope, from what is stored today: current results, the
-- listing's scan_status, and the fetch record (OFFSET 0 keeps the state computed once per content
-- instead of once per count). The coverage and the rule backlog are LEFT JOINs of one-row
-- aggregates, so a query that reads neither skips them. The rule backlog repeats the summary signature of
-- src/db/rules/due.ts (they must stay equal): an image's rules are due while the signature of its
-- current summaries differs from the one its rules were fetched for.
CREATE OR REPLACE VIEW hss.scope_status AS
SELECT
  s.target,
  s.project_id, s.enterprise_project_id, s.image_type,
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
FROM hss_internal.scope_state s
LEFT JOIN LATERAL (
  SELECT r.status, r.started_at, r.finished_at, r.images_pending, r.eta_seconds, r.error
  FROM hss_internal.sync_scope_runs r
  WHERE r.project_id = s.project_id AND r.enterprise_project_id = s.enterprise_project_id AND r.image_type = s.image_type
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
    FROM hss_internal.image_refs r
    WHERE r.project_id = s.project_id AND r.enterprise_project_id = s.enterprise_project_id AND r.image_type = s.image_type
      AND r.removed_at IS NULL
    GROUP BY r.image_id
  ) x
  LEFT JOIN LATERAL (
    SELECT c.fetched_at, c.outcome
    FROM hss_internal.image_contents c
    WHERE c.project_id = s.project_id AND c.enterprise_project_id = s.enterprise_project_id AND c.image_type = s.image_type
      AND c.image_id = x.image_id
    OFFSET 0
  ) c ON true
  CROSS JOIN LATERAL (
    SELECT CASE
      WHEN EXISTS (
        SELECT 1 FROM hss_internal.image_baseline_history h
        WHERE h.valid_to IS NULL
          AND h.project_id = s.project_id AND h.enterprise_project_id = s.enterprise_project_id AND h.image_type = s.image_type
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
      SELECT 1 FROM hss_internal.image_rule_state rs
      WHERE rs.project_id = s.project_id
        AND rs.enterprise_project_id = s.enterprise_project_id
        AND rs.image_type = s.image_type) AS has_rules,
    (count(*) FILTER (WHERE rs.summary_signature IS DISTINCT FROM sig.signature))::integer AS pending
  FROM hss_internal.image_contents c
  CROSS JOIN LATERAL (
    SELECT md5(coalesce(string_agg(
      h.result_key::text || ':' || coalesce(h.check_rule_num::text, '-') || ':' || coalesce(h.failed_rule_num::text, '-'),
      ',' ORDER BY h.result_key), '')) AS signature
    FROM hss_internal.image_baseline_history h
    WHERE h.valid_to IS NULL
      AND h.project_id = c.project_id AND h.enterprise_project_id = c.enterprise_project_id AND h.image_type = c.image_type AND h.image_id = c.image_id
  ) sig
  LEFT JOIN LATERAL (
    SELECT rs.summary_signature
    FROM hss_internal.image_rule_state rs
    WHERE rs.project_id = c.project_id AND rs.enterprise_project_id = c.enterprise_project_id AND rs.image_type = c.image_type AND rs.image_id = c.image_id
    OFFSET 0
  ) rs ON true
  WHERE c.project_id = s.project_id AND c.enterprise_project_id = s.enterprise_project_id AND c.image_type = s.image_type
    AND c.removed_at IS NULL
    AND c.outcome = 'fetched'
) ru ON true;

SELECT hss_internal.comment_on_view('hss.scope_status', $doc$
One row per scope (project, enterprise project, image type) ever synced: inventory freshness and the outcome of its latest run.
target: Name of the configured target the scope belongs to.
images_listed: Image references (tags) listed by the last inventory.
last_inventory_at: When the image list was last paged.
last_complete_inventory_at: When the image list was last paged completely (the proof retirement needs).
last_success_at: When a run last succeeded for the scope.
last_status: Status of the latest scope run: running, succeeded, partial, failed or aborted.
last_started_at: When the latest scope run started.
last_finished_at: When the latest scope run ended; NULL while running.
images_pending: Images the latest run left for later.
eta_seconds: Estimated seconds to fetch the pending images.
last_error: Why the latest scope run did not succeed.
images_present: Image contents (distinct image_id) present upstream now: the sum of the five coverage counts.
images_covered: Present contents with current results (image_posture coverage results).
images_not_scanned: Present contents without results that HSS has not scanned (recorded not_scanned; image_posture coverage not_scanned).
images_scan_failed: Present contents without results whose listing says scan_status failed.
images_no_results: Present contents fetched, for which HSS returned no results (image_posture coverage no_results, scan failures apart).
images_not_fetched: Present contents whose results were never fetched yet (image_posture coverage pending, scan failures apart).
rule_images_pending: Present images whose rules are still due: their current summaries differ from those their rules were fetched for. NULL when no rules were ever fetched in the scope (HSS_RULE_DETAIL=off).
$doc$);

REVOKE ALL ON hss.scope_status FROM hss_reader, hss_writer;
GRANT SELECT ON hss.scope_status TO hss_reader, hss_writer;
