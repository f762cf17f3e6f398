-- Hand-written: the SQL surface for people and BI tools. Views with stable names over the
-- history and the daily facts, the point-in-time function, a comment on every public object,
-- and the roles hss_reader (BI: SELECT on the public surface only) and hss_writer (the worker's
-- login for syncs: reads and writes the data, owns nothing, cannot change the schema).

-- Roles are cluster-wide, grants are per database: a second database on the same server finds
-- the roles already there and only grants. Two databases migrating at once may both try to
-- create a role; the loser's CREATE waits for the winner and fails with a duplicate, which is
-- what we wanted anyway. A migration login without CREATEROLE gets a clear message.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['hss_reader', 'hss_writer'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'role % does not exist and % may not create roles', r, current_user
            USING HINT = 'Have an administrator run: CREATE ROLE hss_reader NOLOGIN; CREATE ROLE hss_writer NOLOGIN; then migrate again.';
      END;
    END IF;
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE FUNCTION hss.severity_rank(severity text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE severity
    WHEN 'Security' THEN 0 WHEN 'Low' THEN 1 WHEN 'Medium' THEN 2 WHEN 'High' THEN 3 WHEN 'Critical' THEN 4
  END
$$;
--> statement-breakpoint
-- A plain SQL function (no SET, not SECURITY DEFINER) so the planner inlines it and pushes a
-- caller's filters (image_id = ...) into the scan of the history.
CREATE FUNCTION hss.image_baselines_as_of(at_time timestamptz)
RETURNS TABLE (
  project_id text,
  enterprise_project_id text,
  image_type text,
  image_id text,
  check_name text,
  check_type text,
  standard text,
  severity text,
  check_rule_num integer,
  failed_rule_num integer,
  check_type_desc text,
  valid_from timestamptz,
  valid_to timestamptz,
  version_id bigint
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type,
         h.standard, h.severity, h.check_rule_num, h.failed_rule_num, h.check_type_desc, h.valid_from,
         h.valid_to, h.version_id
  FROM hss.image_baseline_history h
  WHERE h.valid_from <= at_time AND (h.valid_to IS NULL OR h.valid_to > at_time)
$$;
--> statement-breakpoint
-- LEFT JOIN on the key's primary key: a query that uses no key column skips the join.
CREATE VIEW hss.image_baseline_daily AS
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
  f.result_key
FROM hss.image_baseline_daily_facts f
LEFT JOIN hss.result_keys k ON k.result_key = f.result_key;
--> statement-breakpoint
-- The sums live in posture_daily_facts, refreshed with the daily facts (src/db/daily.ts).
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
  p.images,
  p.images_failing,
  p.failed_items,
  p.check_items
FROM hss.posture_daily_facts p;
--> statement-breakpoint
CREATE VIEW hss.image_posture AS
WITH refs AS (
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
), current_results AS (
  SELECT
    h.project_id,
    h.enterprise_project_id,
    h.image_type,
    h.image_id,
    count(*)::integer AS baselines,
    (count(*) FILTER (WHERE h.failed_rule_num > 0))::integer AS baselines_failing,
    coalesce(sum(h.failed_rule_num), 0)::integer AS failed_items,
    coalesce(sum(h.check_rule_num), 0)::integer AS check_items,
    (array_agg(h.severity ORDER BY hss.severity_rank(h.severity) DESC NULLS LAST))[1] AS worst_severity
  FROM hss.image_baseline_history h
  WHERE h.valid_to IS NULL
  GROUP BY h.project_id, h.enterprise_project_id, h.image_type, h.image_id
)
SELECT
  refs.project_id,
  refs.enterprise_project_id,
  refs.image_type,
  refs.image_id,
  refs.image_names,
  refs.tags,
  refs.latest_scan_time,
  CASE
    WHEN res.baselines IS NOT NULL THEN 'results'
    WHEN c.fetched_at IS NULL THEN 'pending'
    WHEN c.outcome = 'not_scanned' THEN 'not_scanned'
    ELSE 'no_results'
  END AS coverage,
  res.worst_severity,
  coalesce(res.baselines, 0) AS baselines,
  coalesce(res.baselines_failing, 0) AS baselines_failing,
  coalesce(res.failed_items, 0) AS failed_items,
  coalesce(res.check_items, 0) AS check_items,
  c.fetched_at AS last_verified_at,
  now() - c.fetched_at AS data_age,
  round((extract(epoch FROM now() - c.fetched_at) / 3600)::numeric, 1) AS data_age_hours
FROM refs
LEFT JOIN hss.image_contents c
  ON c.project_id = refs.project_id
  AND c.enterprise_project_id = refs.enterprise_project_id
  AND c.image_type = refs.image_type
  AND c.image_id = refs.image_id
LEFT JOIN current_results res
  ON res.project_id = refs.project_id
  AND res.enterprise_project_id = refs.enterprise_project_id
  AND res.image_type = refs.image_type
  AND res.image_id = refs.image_id;
--> statement-breakpoint
-- A version starts with a change of its key unless no version of the key ended exactly when it
-- began (then the key appeared); a closed version no version of its key continues disappeared.
-- Severity decides worse or better, then failed items; equal both = another value changed.
CREATE VIEW hss.image_baseline_changes AS
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
  h.version_id
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
  h.version_id
FROM hss.image_baseline_history h
WHERE h.valid_to IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM hss.image_baseline_history n
    WHERE n.result_key = h.result_key AND n.valid_from = h.valid_to);
--> statement-breakpoint
CREATE VIEW hss.scope_status AS
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
  l.error AS last_error
FROM hss.scope_state s
LEFT JOIN LATERAL (
  SELECT r.status, r.started_at, r.finished_at, r.images_pending, r.eta_seconds, r.error
  FROM hss.sync_scope_runs r
  WHERE r.project_id = s.project_id
    AND r.enterprise_project_id = s.enterprise_project_id
    AND r.image_type = s.image_type
  ORDER BY r.started_at DESC
  LIMIT 1
) l ON true;
--> statement-breakpoint
COMMENT ON FUNCTION hss.severity_rank(text) IS 'Orders severities: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL for anything else. ORDER BY hss.severity_rank(severity) DESC puts the worst first.';
COMMENT ON FUNCTION hss.image_baselines_as_of(timestamptz) IS 'Point-in-time audit: every result key with the values valid at the given instant (valid_from <= t < valid_to), from image_baseline_history. Keys of images gone at that instant are absent.';
--> statement-breakpoint
-- The internal tables' columns too, for whoever maintains or debugs the sync.
COMMENT ON COLUMN hss.image_contents.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_contents.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss.image_contents.image_type IS 'HSS image type of the scope.';
COMMENT ON COLUMN hss.image_contents.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_contents.fetched_scan_time IS 'latest_scan_time listed when the results were last fetched (the listing signal).';
COMMENT ON COLUMN hss.image_contents.fetched_digest IS 'image_digest listed when the results were last fetched.';
COMMENT ON COLUMN hss.image_contents.fetched_unsafe_num IS 'unsafe_setting_num listed when the results were last fetched.';
COMMENT ON COLUMN hss.image_contents.fetched_scan_status IS 'scan_status listed when the results were last fetched.';
COMMENT ON COLUMN hss.image_contents.fetched_at IS 'When the results were last fetched (or the content recorded as not scanned).';
COMMENT ON COLUMN hss.image_contents.outcome IS 'fetched, or not_scanned (HSS holds no results; no call was spent).';
COMMENT ON COLUMN hss.image_contents.result_count IS 'Results the last fetch returned.';
COMMENT ON COLUMN hss.image_contents.first_seen_at IS 'When the content was first recorded.';
COMMENT ON COLUMN hss.image_contents.removed_at IS 'When a complete inventory proved it gone; NULL = present.';
COMMENT ON COLUMN hss.image_refs.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_refs.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss.image_refs.image_type IS 'HSS image type of the scope.';
COMMENT ON COLUMN hss.image_refs.ref_key IS 'Stable key of the reference within its scope (the identifying listing fields).';
COMMENT ON COLUMN hss.image_refs.ref_hash IS 'md5 of ref_key, the primary key (listing strings have no enforced length).';
COMMENT ON COLUMN hss.image_refs.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_refs.image_digest IS 'Image digest as listed.';
COMMENT ON COLUMN hss.image_refs.namespace IS 'Registry namespace (organisation).';
COMMENT ON COLUMN hss.image_refs.image_name IS 'Image (repository) name.';
COMMENT ON COLUMN hss.image_refs.image_version IS 'Image version (tag).';
COMMENT ON COLUMN hss.image_refs.instance_id IS 'SWR enterprise instance ID, when any.';
COMMENT ON COLUMN hss.image_refs.registry_name IS 'Registry name, when listed.';
COMMENT ON COLUMN hss.image_refs.registry_type IS 'Registry type, when listed.';
COMMENT ON COLUMN hss.image_refs.host_id IS 'Host of a local image.';
COMMENT ON COLUMN hss.image_refs.host_name IS 'Host name of a local image.';
COMMENT ON COLUMN hss.image_refs.scan_status IS 'HSS scan status as listed.';
COMMENT ON COLUMN hss.image_refs.latest_scan_time IS 'Latest HSS scan time as listed.';
COMMENT ON COLUMN hss.image_refs.unsafe_setting_num IS 'Unsafe settings as listed.';
COMMENT ON COLUMN hss.image_refs.image_size IS 'Image size in bytes as listed.';
COMMENT ON COLUMN hss.image_refs.latest_update_time IS 'Latest update time as listed.';
COMMENT ON COLUMN hss.image_refs.first_seen_at IS 'When the reference was first listed.';
COMMENT ON COLUMN hss.image_refs.changed_at IS 'Last time a listing changed this row (insert, update, removal, reappearance).';
COMMENT ON COLUMN hss.image_refs.last_seen_at IS 'Last inventory known to have listed it; frozen when removed (hss.images derives the live value).';
COMMENT ON COLUMN hss.image_refs.removed_at IS 'When a complete inventory proved it gone; NULL = present.';
COMMENT ON COLUMN hss.scope_state.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.scope_state.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss.scope_state.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.scope_state.target IS 'Name of the configured target the scope belongs to.';
COMMENT ON COLUMN hss.scope_state.last_run_id IS 'The run that last listed the scope.';
COMMENT ON COLUMN hss.scope_state.last_inventory_at IS 'When the image list was last paged.';
COMMENT ON COLUMN hss.scope_state.last_complete_inventory_at IS 'When the image list was last paged completely.';
COMMENT ON COLUMN hss.scope_state.prev_complete_inventory_at IS 'The complete inventory before the last one (what a reference retired now was last seen in).';
COMMENT ON COLUMN hss.scope_state.last_success_at IS 'When a run last succeeded for the scope.';
COMMENT ON COLUMN hss.scope_state.image_count IS 'Image references the last inventory listed.';
--> statement-breakpoint
COMMENT ON TABLE hss.result_keys IS 'Internal: every result key ever seen, once; the key columns of hss.image_baseline_daily.';
COMMENT ON COLUMN hss.result_keys.result_key IS 'Hash of the 7 key columns (as image_baseline_history.result_key).';
COMMENT ON COLUMN hss.result_keys.project_id IS 'Huawei Cloud project ID (result key).';
COMMENT ON COLUMN hss.result_keys.enterprise_project_id IS 'Enterprise project ID (result key).';
COMMENT ON COLUMN hss.result_keys.image_type IS 'HSS image type (result key).';
COMMENT ON COLUMN hss.result_keys.image_id IS 'Image content ID (result key).';
COMMENT ON COLUMN hss.result_keys.check_name IS 'Baseline name (result key).';
COMMENT ON COLUMN hss.result_keys.check_type IS 'Baseline type (result key).';
COMMENT ON COLUMN hss.result_keys.standard IS 'Standard (result key).';
--> statement-breakpoint
COMMENT ON TABLE hss.image_baseline_daily_facts IS 'Internal: the daily facts behind hss.image_baseline_daily, keyed by result_key.';
COMMENT ON COLUMN hss.image_baseline_daily_facts.version_id IS 'The image_baseline_history version in force that day.';
COMMENT ON COLUMN hss.image_baseline_daily_facts.observed_at IS 'When these values were last confirmed by an API call, as known at the end of the day.';
COMMENT ON COLUMN hss.image_baseline_daily_facts.day IS 'UTC day.';
COMMENT ON COLUMN hss.image_baseline_daily_facts.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss.image_baseline_daily_facts.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss.image_baseline_daily_facts.result_key IS 'The result key (hss.result_keys).';
COMMENT ON COLUMN hss.image_baseline_daily_facts.severity IS 'Risk level: Security, Low, Medium, High.';
--> statement-breakpoint
COMMENT ON TABLE hss.posture_daily_facts IS 'Internal: the daily facts summed per day and group, behind hss.posture_daily.';
COMMENT ON COLUMN hss.posture_daily_facts.day IS 'UTC day.';
COMMENT ON COLUMN hss.posture_daily_facts.group_key IS 'Hash of the group columns (project to severity), the key with day.';
COMMENT ON COLUMN hss.posture_daily_facts.images IS 'Images with a result in the group.';
COMMENT ON COLUMN hss.posture_daily_facts.images_failing IS 'Images whose result has at least one failed check item.';
COMMENT ON COLUMN hss.posture_daily_facts.failed_items IS 'Failed check items, summed.';
COMMENT ON COLUMN hss.posture_daily_facts.check_items IS 'Check items, summed.';
COMMENT ON COLUMN hss.posture_daily_facts.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.posture_daily_facts.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss.posture_daily_facts.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.posture_daily_facts.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.posture_daily_facts.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.posture_daily_facts.standard IS 'Standard.';
COMMENT ON COLUMN hss.posture_daily_facts.severity IS 'Risk level of the results in the group.';
--> statement-breakpoint
COMMENT ON VIEW hss.image_baseline_daily IS 'Daily facts: one row per UTC day and result key current at the end of that day (today: as of the last run), with its values. Dense: days without a run are carried forward from the history by the next run, so charts need no gap filling.';
COMMENT ON COLUMN hss.image_baseline_daily.day IS 'UTC day.';
COMMENT ON COLUMN hss.image_baseline_daily.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_baseline_daily.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.image_baseline_daily.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_baseline_daily.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_baseline_daily.check_name IS 'Baseline name (empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_daily.check_type IS 'Baseline type (empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_daily.standard IS 'Standard: cn_standard, hw_standard, ... (empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_daily.severity IS 'Risk level: Security, Low, Medium, High.';
COMMENT ON COLUMN hss.image_baseline_daily.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss.image_baseline_daily.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss.image_baseline_daily.observed_at IS 'When these values were last confirmed by an API call, as known at the end of the day; older than the day when the image was not refetched.';
COMMENT ON COLUMN hss.image_baseline_daily.version_id IS 'The image_baseline_history version in force that day.';
COMMENT ON COLUMN hss.image_baseline_daily.result_key IS 'Hash of the 7 key columns (as image_baseline_history.result_key).';
--> statement-breakpoint
COMMENT ON VIEW hss.posture_daily IS 'Posture per UTC day, project, enterprise project, image type, baseline, standard and severity: the daily facts summed (an image has at most one result per group). An image with results under several baselines or standards counts once in each group.';
COMMENT ON COLUMN hss.posture_daily.day IS 'UTC day.';
COMMENT ON COLUMN hss.posture_daily.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.posture_daily.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.posture_daily.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.posture_daily.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.posture_daily.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.posture_daily.standard IS 'Standard.';
COMMENT ON COLUMN hss.posture_daily.severity IS 'Risk level of the results in the group.';
COMMENT ON COLUMN hss.posture_daily.images IS 'Images with a result in the group.';
COMMENT ON COLUMN hss.posture_daily.images_failing IS 'Images whose result has at least one failed check item.';
COMMENT ON COLUMN hss.posture_daily.failed_items IS 'Failed check items, summed over the images.';
COMMENT ON COLUMN hss.posture_daily.check_items IS 'Check items, summed over the images.';
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
COMMENT ON COLUMN hss.image_posture.worst_severity IS 'Highest severity among its current results (High > Medium > Low > Security); NULL without results.';
COMMENT ON COLUMN hss.image_posture.baselines IS 'Current results (baseline and standard pairs).';
COMMENT ON COLUMN hss.image_posture.baselines_failing IS 'Current results with at least one failed check item.';
COMMENT ON COLUMN hss.image_posture.failed_items IS 'Failed check items over its current results.';
COMMENT ON COLUMN hss.image_posture.check_items IS 'Check items over its current results.';
COMMENT ON COLUMN hss.image_posture.last_verified_at IS 'When its results were last fetched from HSS; NULL = never.';
COMMENT ON COLUMN hss.image_posture.data_age IS 'now() - last_verified_at.';
COMMENT ON COLUMN hss.image_posture.data_age_hours IS 'data_age in hours (one decimal), for tools that do not chart intervals.';
--> statement-breakpoint
COMMENT ON VIEW hss.image_baseline_changes IS 'Every change of a result key: appeared, worsened, improved, changed (same severity and failed items, another value) or disappeared, with the values before and after.';
COMMENT ON COLUMN hss.image_baseline_changes.changed_at IS 'When the change was recorded (valid_from of the new version; valid_to of the last one for disappeared).';
COMMENT ON COLUMN hss.image_baseline_changes.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_baseline_changes.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.image_baseline_changes.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_baseline_changes.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_baseline_changes.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.image_baseline_changes.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.image_baseline_changes.standard IS 'Standard.';
COMMENT ON COLUMN hss.image_baseline_changes.change IS 'appeared, worsened, improved, changed or disappeared. Worse = higher severity, or the same severity with more failed items.';
COMMENT ON COLUMN hss.image_baseline_changes.severity_before IS 'Severity before the change; NULL when it appeared.';
COMMENT ON COLUMN hss.image_baseline_changes.severity_after IS 'Severity after the change; NULL when it disappeared.';
COMMENT ON COLUMN hss.image_baseline_changes.failed_before IS 'Failed check items before; NULL when it appeared.';
COMMENT ON COLUMN hss.image_baseline_changes.failed_after IS 'Failed check items after; NULL when it disappeared.';
COMMENT ON COLUMN hss.image_baseline_changes.check_items_before IS 'Check items before; NULL when it appeared.';
COMMENT ON COLUMN hss.image_baseline_changes.check_items_after IS 'Check items after; NULL when it disappeared.';
COMMENT ON COLUMN hss.image_baseline_changes.run_id IS 'The run that recorded the change (hss.sync_runs.run_id).';
COMMENT ON COLUMN hss.image_baseline_changes.version_id IS 'The version opened (or, for disappeared, closed) by the change.';
--> statement-breakpoint
COMMENT ON VIEW hss.scope_status IS 'One row per scope (project, enterprise project, image type) ever synced: inventory freshness and the outcome of its latest run.';
COMMENT ON COLUMN hss.scope_status.target IS 'Name of the configured target the scope belongs to.';
COMMENT ON COLUMN hss.scope_status.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.scope_status.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.scope_status.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.scope_status.images_listed IS 'Image references (tags) listed by the last inventory.';
COMMENT ON COLUMN hss.scope_status.last_inventory_at IS 'When the image list was last paged.';
COMMENT ON COLUMN hss.scope_status.last_complete_inventory_at IS 'When the image list was last paged completely (the proof retirement needs).';
COMMENT ON COLUMN hss.scope_status.last_success_at IS 'When a run last succeeded for the scope.';
COMMENT ON COLUMN hss.scope_status.last_status IS 'Status of the latest scope run: running, succeeded, partial, failed or aborted.';
COMMENT ON COLUMN hss.scope_status.last_started_at IS 'When the latest scope run started.';
COMMENT ON COLUMN hss.scope_status.last_finished_at IS 'When the latest scope run ended; NULL while running.';
COMMENT ON COLUMN hss.scope_status.images_pending IS 'Images the latest run left for later.';
COMMENT ON COLUMN hss.scope_status.eta_seconds IS 'Estimated seconds to fetch the pending images.';
COMMENT ON COLUMN hss.scope_status.last_error IS 'Why the latest scope run did not succeed.';
--> statement-breakpoint
-- Reader: the public surface only. Views run with their owner's rights, so the internal tables
-- behind them need no grant. EXECUTE on functions is PUBLIC by default; granted explicitly anyway.
GRANT USAGE ON SCHEMA hss TO hss_reader;
GRANT SELECT ON
  hss.image_baseline_history, hss.sync_runs, hss.sync_scope_runs,
  hss.images, hss.image_baselines, hss.image_baseline_daily, hss.posture_daily, hss.image_posture,
  hss.image_baseline_changes, hss.scope_status
  TO hss_reader;
GRANT EXECUTE ON FUNCTION hss.severity_rank(text), hss.image_baselines_as_of(timestamptz) TO hss_reader;
--> statement-breakpoint
-- Writer: what a sync needs (read and write the data, no DDL, no TRUNCATE). Tables a later
-- migration creates are covered by the default privileges of the role that runs migrations.
GRANT USAGE ON SCHEMA hss TO hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON
  hss.image_baseline_history, hss.image_contents, hss.image_refs, hss.scope_state, hss.sync_runs,
  hss.sync_scope_runs, hss.result_keys, hss.image_baseline_daily_facts, hss.posture_daily_facts
  TO hss_writer;
GRANT SELECT ON
  hss.__drizzle_migrations, hss.images, hss.image_baselines, hss.image_baseline_daily, hss.posture_daily,
  hss.image_posture, hss.image_baseline_changes, hss.scope_status
  TO hss_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA hss TO hss_writer;
GRANT EXECUTE ON FUNCTION hss.severity_rank(text), hss.image_baselines_as_of(timestamptz) TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss GRANT USAGE ON SEQUENCES TO hss_writer;
