-- Hand-written (issue 14): coverage, the listing fields and the per-image rule values on the public
-- surface. In order: the two coverage helpers of hss_internal (the content's listing, its state);
-- hss.image_coverage; hss.image_posture.coverage on the same states; the listing fields appended
-- to hss.images; the ledger's coverage column in hss.sync_runs; hss.image_rule_values; comments;
-- grants. docs/sql.md ("Coverage", "Listing fields", "Rule current values") documents them.
-- ==============================================================================================
-- Coverage helpers (defined once; hss.image_coverage and hss.image_posture both use them)
-- ==============================================================================================
-- The listing of a present image content: of its present references, the one with the latest
-- scan (the planner's signal, src/sync/plan.ts), then the most recently changed, then ref_key.
-- A filter on the content's key columns is pushed into the scan of image_refs.
CREATE VIEW hss_internal.content_listing AS
SELECT DISTINCT ON (r.project_id, r.enterprise_project_id, r.image_type, r.image_id)
  r.project_id, r.enterprise_project_id, r.image_type, r.image_id, r.ref_key, r.scan_status,
  r.latest_scan_time, r.unsafe_setting_num, r.scan_failed_desc, r.scan_failed_code, r.non_scan_reason,
  r.listed_image_type, r.severity_level, r.last_seen_at, r.changed_at, r.namespace, r.image_name,
  r.image_version, r.instance_id
FROM hss_internal.image_refs r
WHERE r.removed_at IS NULL
ORDER BY r.project_id, r.enterprise_project_id, r.image_type, r.image_id,
  r.latest_scan_time DESC NULLS LAST, r.changed_at DESC, r.ref_key;
--> statement-breakpoint
-- The coverage state from the listing (scan status and time, unsafe settings), the fetch record
-- (`fetched`: results fetched and the content not removed since; the scan time they answered)
-- and the current results (how many; how many with failed items). Precedence: the first that
-- holds. A plain SQL function: the planner inlines it.
CREATE FUNCTION hss_internal.coverage_state(
  scan_status text, latest_scan_time timestamptz, fetched boolean, fetched_scan_time timestamptz,
  unsafe_setting_num integer, baselines integer, baselines_failing integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN scan_status = 'failed' THEN 'scan_failed'
    WHEN scan_status IN ('unscan', 'waiting_for_scan', 'scanning') OR latest_scan_time IS NULL THEN 'not_scanned'
    WHEN fetched IS NOT TRUE OR fetched_scan_time IS NULL OR fetched_scan_time < latest_scan_time THEN 'pending'
    WHEN coalesce(baselines, 0) = 0 THEN 'no_results'
    WHEN (unsafe_setting_num > 0 AND coalesce(baselines_failing, 0) = 0)
      OR (unsafe_setting_num = 0 AND baselines_failing > 0) THEN 'inconsistent'
    ELSE 'covered'
  END
$$;
--> statement-breakpoint
-- ==============================================================================================
-- hss.image_coverage: one row per present image content and scope
-- ==============================================================================================
CREATE VIEW hss.image_coverage AS
SELECT
  l.project_id,
  l.enterprise_project_id,
  l.image_type,
  l.image_id,
  hss_internal.coverage_state(l.scan_status, l.latest_scan_time,
    c.outcome = 'fetched' AND c.removed_at IS NULL, c.fetched_scan_time, l.unsafe_setting_num,
    res.baselines, res.baselines_failing) AS coverage,
  l.scan_status,
  l.latest_scan_time,
  l.unsafe_setting_num,
  res.failed_items,
  res.baselines,
  l.scan_failed_desc,
  l.scan_failed_code,
  l.non_scan_reason,
  CASE WHEN c.outcome = 'fetched' THEN c.fetched_at END AS checked_at,
  CASE WHEN c.outcome = 'fetched' THEN c.fetched_scan_time END AS checked_scan_time,
  greatest(l.last_seen_at, s.last_complete_inventory_at) AS last_listed_at,
  res.baselines_failing,
  l.listed_image_type,
  CASE WHEN l.image_type = 'registry' THEN l.listed_image_type END AS registry_kind,
  l.severity_level,
  hss.severity_rank(l.severity_level) AS severity_level_rank
FROM hss_internal.content_listing l
LEFT JOIN hss_internal.image_contents c
  ON c.project_id = l.project_id
  AND c.enterprise_project_id = l.enterprise_project_id
  AND c.image_type = l.image_type
  AND c.image_id = l.image_id
LEFT JOIN hss_internal.scope_state s
  ON s.project_id = l.project_id
  AND s.enterprise_project_id = l.enterprise_project_id
  AND s.image_type = l.image_type
CROSS JOIN LATERAL (
  SELECT
    count(*)::integer AS baselines,
    (count(*) FILTER (WHERE h.failed_rule_num > 0))::integer AS baselines_failing,
    coalesce(sum(h.failed_rule_num), 0)::bigint AS failed_items
  FROM hss_internal.image_baseline_history h
  WHERE h.valid_to IS NULL
    AND h.project_id = l.project_id
    AND h.enterprise_project_id = l.enterprise_project_id
    AND h.image_type = l.image_type
    AND h.image_id = l.image_id
) res;
--> statement-breakpoint
-- ==============================================================================================
-- hss.image_posture: coverage takes the states of hss.image_coverage (same columns as before)
-- ==============================================================================================
CREATE OR REPLACE VIEW hss.image_posture AS
SELECT
  refs.project_id,
  refs.enterprise_project_id,
  refs.image_type,
  refs.image_id,
  refs.image_names,
  refs.tags,
  refs.latest_scan_time,
  hss_internal.coverage_state(l.scan_status, l.latest_scan_time,
    c.outcome = 'fetched' AND c.removed_at IS NULL, c.fetched_scan_time, l.unsafe_setting_num,
    res.baselines, res.baselines_failing) AS coverage,
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
  FROM hss_internal.image_refs r
  WHERE r.removed_at IS NULL
  GROUP BY r.project_id, r.enterprise_project_id, r.image_type, r.image_id
) refs
JOIN hss_internal.content_listing l
  ON l.project_id = refs.project_id
  AND l.enterprise_project_id = refs.enterprise_project_id
  AND l.image_type = refs.image_type
  AND l.image_id = refs.image_id
LEFT JOIN LATERAL (
  SELECT c.fetched_at, c.outcome, c.fetched_scan_time, c.removed_at
  FROM hss_internal.image_contents c
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
  FROM hss_internal.image_baseline_history h
  WHERE h.valid_to IS NULL
    AND h.project_id = refs.project_id
    AND h.enterprise_project_id = refs.enterprise_project_id
    AND h.image_type = refs.image_type
    AND h.image_id = refs.image_id
) res;
--> statement-breakpoint
-- ==============================================================================================
-- hss.images: the listing fields appended (CREATE OR REPLACE VIEW adds columns at the end only)
-- ==============================================================================================
CREATE OR REPLACE VIEW hss.images AS
SELECT
  r.project_id,
  r.enterprise_project_id,
  r.image_type,
  r.image_id,
  r.image_digest,
  r.namespace,
  r.image_name,
  r.image_version,
  r.instance_id,
  r.host_id,
  r.scan_status,
  r.latest_scan_time,
  r.first_seen_at,
  CASE
    WHEN r.removed_at IS NULL THEN greatest(r.last_seen_at, s.last_complete_inventory_at)
    ELSE r.last_seen_at
  END AS last_seen_at,
  r.removed_at,
  r.registry_name,
  r.registry_type,
  r.host_name,
  r.unsafe_setting_num,
  r.image_size,
  r.latest_update_time,
  r.listed_image_type,
  CASE WHEN r.image_type = 'registry' THEN r.listed_image_type END AS registry_kind,
  r.severity_level,
  hss.severity_rank(r.severity_level) AS severity_level_rank,
  r.scan_failed_desc,
  r.scan_failed_code,
  r.non_scan_reason,
  r.latest_version,
  r.latest_sync_time,
  r.instance_name,
  r.is_multiple_arch,
  r.cicd_name,
  r.pipeline_type,
  r.local_image_type,
  r.agent_id,
  r.host_num,
  r.raw
FROM hss_internal.image_refs r
LEFT JOIN hss_internal.scope_state s
  ON s.project_id = r.project_id
  AND s.enterprise_project_id = r.enterprise_project_id
  AND s.image_type = r.image_type;
--> statement-breakpoint
-- ==============================================================================================
-- hss.sync_runs: the ledger's coverage column (SELECT * expands again, the new column last)
-- ==============================================================================================
CREATE OR REPLACE VIEW hss.sync_runs AS
SELECT * FROM hss_internal.sync_runs;
--> statement-breakpoint
-- ==============================================================================================
-- hss.image_rule_values: the values of present contents only (a retired content's are not current)
-- ==============================================================================================
CREATE VIEW hss.image_rule_values AS
SELECT
  v.project_id,
  v.enterprise_project_id,
  v.image_type,
  v.image_id,
  v.check_name,
  v.check_type,
  v.standard,
  v.check_rule_id,
  v.check_info_list,
  v.fetched_at,
  v.run_id,
  v.version_id,
  v.rule_key,
  v.rule_result_key
FROM hss_internal.image_rule_values v
JOIN hss_internal.image_contents c
  ON c.project_id = v.project_id
  AND c.enterprise_project_id = v.enterprise_project_id
  AND c.image_type = v.image_type
  AND c.image_id = v.image_id
WHERE c.removed_at IS NULL;
--> statement-breakpoint
-- ==============================================================================================
-- Comments
-- ==============================================================================================
COMMENT ON VIEW hss_internal.content_listing IS 'Internal: per present image content, the listing of one of its present references (latest scan, then most recently changed, then ref_key): what the coverage reads.';
COMMENT ON FUNCTION hss_internal.coverage_state(text, timestamptz, boolean, timestamptz, integer, integer, integer) IS 'The coverage state of an image content (docs/sql.md, "Coverage"): scan_failed, not_scanned, pending, no_results, inconsistent or covered, the first that holds in that order.';
--> statement-breakpoint
COMMENT ON COLUMN hss_internal.image_refs.listed_image_type IS 'The row''s own image_type as listed; in the registry scope the registry kind (SWR, Harbor, JFrog...).';
COMMENT ON COLUMN hss_internal.image_refs.severity_level IS 'Image risk level as listed (severity_level).';
COMMENT ON COLUMN hss_internal.image_refs.scan_failed_desc IS 'Why the scan failed, as listed (scan_failed_desc).';
COMMENT ON COLUMN hss_internal.image_refs.scan_failed_code IS 'Scan failure code, as listed (scan_failed_code).';
COMMENT ON COLUMN hss_internal.image_refs.non_scan_reason IS 'Why the image is not scanned, as listed (non_scan_reason).';
COMMENT ON COLUMN hss_internal.image_refs.latest_version IS 'Latest version of the image, as listed (latest_version).';
COMMENT ON COLUMN hss_internal.image_refs.latest_sync_time IS 'When HSS last synchronised the image from its registry (latest_sync_time).';
COMMENT ON COLUMN hss_internal.image_refs.instance_name IS 'SWR enterprise instance name, as listed.';
COMMENT ON COLUMN hss_internal.image_refs.is_multiple_arch IS 'Whether the image is multi-architecture, as listed.';
COMMENT ON COLUMN hss_internal.image_refs.cicd_name IS 'CI/CD name, for cicd images.';
COMMENT ON COLUMN hss_internal.image_refs.pipeline_type IS 'Pipeline type, for cicd images.';
COMMENT ON COLUMN hss_internal.image_refs.local_image_type IS 'Local image type, for local images.';
COMMENT ON COLUMN hss_internal.image_refs.agent_id IS 'HSS agent ID of the host, for local images.';
COMMENT ON COLUMN hss_internal.image_refs.host_num IS 'Hosts holding the image, for local images.';
COMMENT ON COLUMN hss_internal.image_refs.raw IS 'The whole listing item as received (JSON): nothing the API says is lost. NULL for references last written before it was kept.';
COMMENT ON COLUMN hss.images.listed_image_type IS 'The row''s own image_type as listed; in the registry scope the registry kind (SWR, Harbor, JFrog...).';
COMMENT ON COLUMN hss.images.registry_kind IS 'In the registry scope (image_type registry), the registry''s own kind (SWR, Harbor, JFrog...): listed_image_type; NULL in other scopes.';
COMMENT ON COLUMN hss.images.severity_level IS 'Image risk level as listed (severity_level).';
COMMENT ON COLUMN hss.images.severity_level_rank IS 'severity_level as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.images.scan_failed_desc IS 'Why the scan failed, as listed (scan_failed_desc).';
COMMENT ON COLUMN hss.images.scan_failed_code IS 'Scan failure code, as listed (scan_failed_code).';
COMMENT ON COLUMN hss.images.non_scan_reason IS 'Why the image is not scanned, as listed (non_scan_reason).';
COMMENT ON COLUMN hss.images.latest_version IS 'Latest version of the image, as listed (latest_version).';
COMMENT ON COLUMN hss.images.latest_sync_time IS 'When HSS last synchronised the image from its registry (latest_sync_time).';
COMMENT ON COLUMN hss.images.instance_name IS 'SWR enterprise instance name, as listed.';
COMMENT ON COLUMN hss.images.is_multiple_arch IS 'Whether the image is multi-architecture, as listed.';
COMMENT ON COLUMN hss.images.cicd_name IS 'CI/CD name, for cicd images.';
COMMENT ON COLUMN hss.images.pipeline_type IS 'Pipeline type, for cicd images.';
COMMENT ON COLUMN hss.images.local_image_type IS 'Local image type, for local images.';
COMMENT ON COLUMN hss.images.agent_id IS 'HSS agent ID of the host, for local images.';
COMMENT ON COLUMN hss.images.host_num IS 'Hosts holding the image, for local images.';
COMMENT ON COLUMN hss.images.raw IS 'The whole listing item as received (JSON): nothing the API says is lost. NULL for references last written before it was kept.';
COMMENT ON COLUMN hss.images.latest_scan_time IS 'When HSS last scanned the image; NULL when never (HSS lists 0 while an image waits for its first scan).';
--> statement-breakpoint
COMMENT ON VIEW hss.image_coverage IS 'One row per image content present upstream and scope: why it has (or has no) results. coverage is scan_failed, not_scanned, pending, no_results, inconsistent or covered (docs/sql.md, "Coverage"); no rows in hss.image_baselines never reads as clean.';
COMMENT ON COLUMN hss.image_coverage.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_coverage.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.image_coverage.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_coverage.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_coverage.coverage IS 'The first that holds: scan_failed (scan_status failed), not_scanned (unscan, waiting_for_scan, scanning, or no scan time), pending (scanned, its results not fetched for that scan yet), no_results (fetched, HSS answered none), inconsistent (unsafe_setting_num > 0 but no current result has failed items, or 0 while one has), covered.';
COMMENT ON COLUMN hss.image_coverage.scan_status IS 'HSS scan status as listed, from the content''s reference with the latest scan.';
COMMENT ON COLUMN hss.image_coverage.latest_scan_time IS 'When HSS last scanned it, as listed; NULL when never.';
COMMENT ON COLUMN hss.image_coverage.unsafe_setting_num IS 'Failed baseline items HSS reports in the listing.';
COMMENT ON COLUMN hss.image_coverage.failed_items IS 'Failed check items over its current results (sum of failed_rule_num).';
COMMENT ON COLUMN hss.image_coverage.baselines IS 'Current results (baseline and standard pairs).';
COMMENT ON COLUMN hss.image_coverage.scan_failed_desc IS 'Why the scan failed, as listed; NULL when not given.';
COMMENT ON COLUMN hss.image_coverage.scan_failed_code IS 'Scan failure code, as listed; NULL when not given.';
COMMENT ON COLUMN hss.image_coverage.non_scan_reason IS 'Why the image is not scanned, as listed; NULL when not given.';
COMMENT ON COLUMN hss.image_coverage.checked_at IS 'When the sync last fetched its results from HSS; NULL when never.';
COMMENT ON COLUMN hss.image_coverage.checked_scan_time IS 'The HSS scan time the last fetched results answered to; NULL when never fetched.';
COMMENT ON COLUMN hss.image_coverage.last_listed_at IS 'When an inventory last listed it.';
COMMENT ON COLUMN hss.image_coverage.baselines_failing IS 'Current results with at least one failed check item.';
COMMENT ON COLUMN hss.image_coverage.listed_image_type IS 'The row''s own image_type as listed.';
COMMENT ON COLUMN hss.image_coverage.registry_kind IS 'In the registry scope, the registry''s own kind (SWR, Harbor, JFrog...); NULL in other scopes.';
COMMENT ON COLUMN hss.image_coverage.severity_level IS 'Image risk level as listed.';
COMMENT ON COLUMN hss.image_coverage.severity_level_rank IS 'severity_level as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.image_posture.coverage IS 'As hss.image_coverage.coverage: scan_failed, not_scanned, pending, no_results, inconsistent or covered (docs/sql.md, "Coverage").';
COMMENT ON COLUMN hss.image_posture.latest_scan_time IS 'Latest HSS scan time among its references; NULL when never scanned.';
--> statement-breakpoint
COMMENT ON COLUMN hss_internal.sync_runs.coverage IS 'Current images per coverage state in the run''s scopes when it ended: {"covered", "not_scanned", "scan_failed", "no_results", "inconsistent", "pending"} (hss.image_coverage). NULL when not counted (an aborted run) or for runs recorded before this column existed.';
COMMENT ON COLUMN hss.sync_runs.coverage IS 'Current images per coverage state in the run''s scopes when it ended: {"covered", "not_scanned", "scan_failed", "no_results", "inconsistent", "pending"} (hss.image_coverage). NULL when not counted (an aborted run) or for runs recorded before this column existed.';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.image_rule_values IS 'Internal: per image and failed rule, the current values ShowImageCheckRuleDetail answered for that image; read it through hss.image_rule_values.';
COMMENT ON VIEW hss.image_rule_values IS 'Per present image content and failed rule: the image''s current values (check_info_list[].current_value) as ShowImageCheckRuleDetail answered them. Descriptions and remediation stay once per rule in hss.rule_descriptions (join on rule_key).';
DO $$
DECLARE
  c record;
  d text;
BEGIN
  FOR c IN
    SELECT a.attname FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = 'hss_internal.image_rule_values'::regclass AND a.attnum > 0 AND NOT a.attisdropped
  LOOP
    d := CASE c.attname
      WHEN 'project_id' THEN 'Huawei Cloud project ID.'
      WHEN 'enterprise_project_id' THEN 'Enterprise project ID (0 = default).'
      WHEN 'image_type' THEN 'HSS image type.'
      WHEN 'image_id' THEN 'Image content ID.'
      WHEN 'check_name' THEN 'Baseline name.'
      WHEN 'check_type' THEN 'Baseline type.'
      WHEN 'standard' THEN 'Standard.'
      WHEN 'check_rule_id' THEN 'Rule ID within the baseline.'
      WHEN 'rule_result_key' THEN 'Hash of the 8 key columns (as image_rule_history.rule_result_key).'
      WHEN 'rule_key' THEN 'Hash of (check_name, check_type, standard, check_rule_id): the rule''s description (rule_descriptions.rule_key).'
      WHEN 'check_info_list' THEN 'JSON array of {check_description, current_value, suggest_value}: current_value is this image''s value.'
      WHEN 'version_id' THEN 'The rule result version (image_rule_history.version_id) current when the values were fetched; NULL when none was.'
      WHEN 'fetched_at' THEN 'When the values were fetched. Values fetched before the rule result''s current version began are refetched.'
      WHEN 'run_id' THEN 'The run that fetched them.'
    END;
    EXECUTE format('COMMENT ON COLUMN hss_internal.image_rule_values.%I IS %L', c.attname, d);
    EXECUTE format('COMMENT ON COLUMN hss.image_rule_values.%I IS %L', c.attname, d);
  END LOOP;
END
$$;
--> statement-breakpoint
-- ==============================================================================================
-- Grants (as in 0001_surface.sql): the reader reads the public views; the worker reads the views
-- it queries and writes the tables of hss_internal
-- ==============================================================================================
GRANT SELECT ON hss.image_coverage, hss.image_rule_values TO hss_reader;
GRANT SELECT ON hss.image_coverage, hss.image_rule_values, hss_internal.content_listing TO hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON hss_internal.image_rule_values TO hss_writer;
GRANT EXECUTE ON FUNCTION hss_internal.coverage_state(text, timestamptz, boolean, timestamptz, integer, integer, integer)
  TO hss_writer;
