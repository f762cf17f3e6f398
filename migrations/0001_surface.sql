-- Hand-written: everything of the schema that drizzle-kit does not generate from src/db/schema.ts
-- (0000_schema.sql creates the schemas, tables, keys and indexes). This is the final state that the
-- pre-release migrations 0001-0009 built step by step, squashed before the first release;
-- migrations/README.md says how to squash again. In order:
--   extension and roles; exclusion constraints; the public views of the internal tables (hss.X over
--   hss_internal.X); the point-in-time functions; the other public views; comments; grants.
-- Internal tables live in schema hss_internal, which hss_reader cannot see; schema hss holds only
-- views and functions, the public surface documented in docs/sql.md.
-- ==============================================================================================
-- Extension and roles
-- ==============================================================================================
-- Hand-written: what drizzle-kit cannot express. The exclusion constraint that keeps history
-- exact, the public views, and a comment on every public table, view and column (BI users
-- read them in their SQL clients).

-- btree_gist gives uuid a GiST operator class. IF NOT EXISTS keeps an existing installation
-- (in whatever schema) untouched; the default operator class is found in any schema.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
--> statement-breakpoint
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
-- ==============================================================================================
-- Constraints drizzle-kit cannot express: history versions of one key never overlap
-- ==============================================================================================
ALTER TABLE hss_internal.image_baseline_history
  ADD CONSTRAINT image_baseline_history_no_overlap
  EXCLUDE USING gist (result_key WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&);
--> statement-breakpoint
ALTER TABLE hss_internal.image_rule_history
  ADD CONSTRAINT image_rule_history_no_overlap
  EXCLUDE USING gist (rule_result_key WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&);
--> statement-breakpoint
-- ==============================================================================================
-- The public views of the internal tables (same names and columns, histories with severity_rank)
-- ==============================================================================================
CREATE FUNCTION hss.severity_rank(severity text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE severity
    WHEN 'Security' THEN 0 WHEN 'Low' THEN 1 WHEN 'Medium' THEN 2 WHEN 'High' THEN 3 WHEN 'Critical' THEN 4
  END
$$;
--> statement-breakpoint
CREATE VIEW hss.image_baseline_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, severity, check_rule_num, failed_rule_num, check_type_desc, valid_from, valid_to, opened_run_id, closed_run_id, result_key,
  hss.severity_rank(severity) AS severity_rank, prev_hash, chain_hash
FROM hss_internal.image_baseline_history;
--> statement-breakpoint
CREATE VIEW hss.sync_runs AS
SELECT * FROM hss_internal.sync_runs;
--> statement-breakpoint
CREATE VIEW hss.sync_scope_runs AS
SELECT * FROM hss_internal.sync_scope_runs;
--> statement-breakpoint
CREATE VIEW hss.image_rule_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, check_rule_id, check_rule_name, severity, scan_result, valid_from, valid_to, opened_run_id, closed_run_id, rule_result_key, rule_key,
  hss.severity_rank(severity) AS severity_rank, prev_hash, chain_hash
FROM hss_internal.image_rule_history;
--> statement-breakpoint
CREATE VIEW hss.rule_descriptions AS
SELECT * FROM hss_internal.rule_descriptions;
--> statement-breakpoint
CREATE VIEW hss.history_chain_anchors AS
SELECT history, key, chain_hash, valid_from, valid_to, pruned_at FROM hss_internal.history_chain_anchors;
--> statement-breakpoint
-- ==============================================================================================
-- Point-in-time functions (they read the public views hss.image_baseline_history, hss.image_rule_history)
-- ==============================================================================================
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
-- A plain SQL function (like image_baselines_as_of) so the planner inlines it.
CREATE FUNCTION hss.image_baseline_rules_as_of(at_time timestamptz)
RETURNS TABLE (
  project_id text,
  enterprise_project_id text,
  image_type text,
  image_id text,
  check_name text,
  check_type text,
  standard text,
  check_rule_id text,
  check_rule_name text,
  severity text,
  scan_result text,
  valid_from timestamptz,
  valid_to timestamptz,
  version_id bigint
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type,
         h.standard, h.check_rule_id, h.check_rule_name, h.severity, h.scan_result, h.valid_from,
         h.valid_to, h.version_id
  FROM hss.image_rule_history h
  WHERE h.valid_from <= at_time AND (h.valid_to IS NULL OR h.valid_to > at_time)
$$;
--> statement-breakpoint
-- ==============================================================================================
-- The history hash chain (docs/sql.md, "Tamper evidence")
-- ==============================================================================================
-- The canonical
-- form of a version and its hash, computed by the worker's write statements and recomputed by
-- `hss-baseline-sync verify` in TypeScript from the public views. A field is '-' when NULL, else
-- its UTF-8 byte length, ':' and its text; fields are joined by '|'. Instants (27 bytes), run ids
-- (36) and hashes in hex (64) have a fixed length, written as a constant: each expression is then
-- evaluated once per row. textsend gives the text's bytes in the database encoding, UTF8.
CREATE FUNCTION hss_internal.chain_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(octet_length(v)::text || ':' || v, '-') $$;
--> statement-breakpoint
CREATE FUNCTION hss_internal.chain_instant(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce('27:' || to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '-') $$;
--> statement-breakpoint
CREATE FUNCTION hss_internal.baseline_version_hash(
  prev bytea, project_id text, enterprise_project_id text, image_type text, image_id text,
  check_name text, check_type text, standard text, severity text, check_rule_num integer,
  failed_rule_num integer, check_type_desc text, valid_from timestamptz, opened_run_id uuid)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sha256(textsend('hss-chain-v1|baseline|'
  || coalesce('64:' || encode(prev, 'hex'), '-') || '|'
  || hss_internal.chain_field(project_id) || '|' || hss_internal.chain_field(enterprise_project_id) || '|'
  || hss_internal.chain_field(image_type) || '|' || hss_internal.chain_field(image_id) || '|'
  || hss_internal.chain_field(check_name) || '|' || hss_internal.chain_field(check_type) || '|'
  || hss_internal.chain_field(standard) || '|' || hss_internal.chain_field(severity) || '|'
  || hss_internal.chain_field(check_rule_num::text) || '|' || hss_internal.chain_field(failed_rule_num::text) || '|'
  || hss_internal.chain_field(check_type_desc) || '|'
  || hss_internal.chain_instant(valid_from) || '|' || coalesce('36:' || opened_run_id::text, '-'))) $$;
--> statement-breakpoint
CREATE FUNCTION hss_internal.rule_version_hash(
  prev bytea, project_id text, enterprise_project_id text, image_type text, image_id text,
  check_name text, check_type text, standard text, check_rule_id text, check_rule_name text,
  severity text, scan_result text, valid_from timestamptz, opened_run_id uuid)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sha256(textsend('hss-chain-v1|rule|'
  || coalesce('64:' || encode(prev, 'hex'), '-') || '|'
  || hss_internal.chain_field(project_id) || '|' || hss_internal.chain_field(enterprise_project_id) || '|'
  || hss_internal.chain_field(image_type) || '|' || hss_internal.chain_field(image_id) || '|'
  || hss_internal.chain_field(check_name) || '|' || hss_internal.chain_field(check_type) || '|'
  || hss_internal.chain_field(standard) || '|' || hss_internal.chain_field(check_rule_id) || '|'
  || hss_internal.chain_field(check_rule_name) || '|' || hss_internal.chain_field(severity) || '|'
  || hss_internal.chain_field(scan_result) || '|'
  || hss_internal.chain_instant(valid_from) || '|' || coalesce('36:' || opened_run_id::text, '-'))) $$;
--> statement-breakpoint
-- Closing a version seals its open hash (as stored, never recomputed: a value altered while the
-- version was open stays detectable) with the instant and the run that closed it.
CREATE FUNCTION hss_internal.chain_close(open_hash bytea, valid_to timestamptz, closed_run_id uuid)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sha256(textsend('hss-chain-v1|close|'
  || coalesce('64:' || encode(open_hash, 'hex'), '-') || '|'
  || hss_internal.chain_instant(valid_to) || '|' || coalesce('36:' || closed_run_id::text, '-'))) $$;
--> statement-breakpoint
-- ==============================================================================================
-- The other public views
-- ==============================================================================================
CREATE VIEW hss.images AS
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
  -- An unchanged reference is never rewritten, so a present one was last seen by its scope's
  -- last complete inventory; a removed one keeps the time frozen at its removal.
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
  r.latest_update_time
FROM hss_internal.image_refs r
LEFT JOIN hss_internal.scope_state s
  ON s.project_id = r.project_id
  AND s.enterprise_project_id = r.enterprise_project_id
  AND s.image_type = r.image_type;
--> statement-breakpoint
CREATE VIEW hss.image_baselines AS
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
    FROM hss_internal.image_baseline_history f
    WHERE f.result_key = h.result_key
  ) AS first_seen_at,
  c.fetched_at AS last_verified_at,
  hss.severity_rank(h.severity) AS severity_rank
FROM hss_internal.image_baseline_history h
JOIN hss_internal.image_contents c
  ON c.project_id = h.project_id
  AND c.enterprise_project_id = h.enterprise_project_id
  AND c.image_type = h.image_type
  AND c.image_id = h.image_id
WHERE h.valid_to IS NULL
  AND c.removed_at IS NULL;
--> statement-breakpoint
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
  f.result_key,
  hss.severity_rank(f.severity) AS severity_rank
FROM hss_internal.image_baseline_daily_facts f
LEFT JOIN hss_internal.result_keys k ON k.result_key = f.result_key;
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
    FROM hss_internal.sync_scope_runs r
    WHERE r.project_id = p.project_id
      AND r.enterprise_project_id = p.enterprise_project_id
      AND r.image_type = p.image_type
      AND r.started_at >= (p.day::timestamp AT TIME ZONE 'UTC')
      AND r.started_at < ((p.day + 1)::timestamp AT TIME ZONE 'UTC')
      AND r.status IN ('succeeded', 'partial')
  ) AS observed
FROM hss_internal.posture_daily_facts p;
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
  FROM hss_internal.image_refs r
  WHERE r.removed_at IS NULL
  GROUP BY r.project_id, r.enterprise_project_id, r.image_type, r.image_id
) refs
LEFT JOIN LATERAL (
  SELECT c.fetched_at, c.outcome
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
-- fixed / regressed: a failing result (failed items > 0; NULL counts as not failing) becoming
-- not failing, and the other way round, between two versions that meet. hss.baseline_fixes uses
-- the same rule, so every fixed change ends exactly one fixed period there.
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
  h.version_id,
  hss.severity_rank(p.severity) AS severity_before_rank,
  hss.severity_rank(h.severity) AS severity_after_rank,
  (p.version_id IS NOT NULL AND coalesce(p.failed_rule_num, 0) > 0 AND coalesce(h.failed_rule_num, 0) = 0) AS fixed,
  (p.version_id IS NOT NULL AND coalesce(p.failed_rule_num, 0) = 0 AND coalesce(h.failed_rule_num, 0) > 0) AS regressed
FROM hss_internal.image_baseline_history h
LEFT JOIN hss_internal.image_baseline_history p
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
FROM hss_internal.image_baseline_history h
WHERE h.valid_to IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM hss_internal.image_baseline_history n
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
  FROM hss_internal.image_baseline_history h
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
    FROM hss_internal.image_refs r
    WHERE r.project_id = s.project_id
      AND r.enterprise_project_id = s.enterprise_project_id
      AND r.image_type = s.image_type
      AND r.removed_at IS NULL
    GROUP BY r.image_id
  ) x
  LEFT JOIN LATERAL (
    SELECT c.fetched_at, c.outcome
    FROM hss_internal.image_contents c
    WHERE c.project_id = s.project_id
      AND c.enterprise_project_id = s.enterprise_project_id
      AND c.image_type = s.image_type
      AND c.image_id = x.image_id
    OFFSET 0
  ) c ON true
  CROSS JOIN LATERAL (
    SELECT CASE
      WHEN EXISTS (
        SELECT 1 FROM hss_internal.image_baseline_history h
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
      AND h.project_id = c.project_id
      AND h.enterprise_project_id = c.enterprise_project_id
      AND h.image_type = c.image_type
      AND h.image_id = c.image_id
  ) sig
  LEFT JOIN LATERAL (
    SELECT rs.summary_signature
    FROM hss_internal.image_rule_state rs
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
CREATE VIEW hss.image_failed_rules AS
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
FROM hss_internal.image_rule_history h
JOIN hss_internal.image_contents c
  ON c.project_id = h.project_id
  AND c.enterprise_project_id = h.enterprise_project_id
  AND c.image_type = h.image_type
  AND c.image_id = h.image_id
LEFT JOIN hss_internal.image_rule_state s
  ON s.project_id = h.project_id
  AND s.enterprise_project_id = h.enterprise_project_id
  AND s.image_type = h.image_type
  AND s.image_id = h.image_id
LEFT JOIN hss_internal.rule_descriptions d ON d.rule_key = h.rule_key
WHERE h.valid_to IS NULL AND h.scan_result = 'failed' AND c.removed_at IS NULL;
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
  FROM hss_internal.image_rule_history h
  WHERE h.valid_to IS NULL AND h.scan_result = 'failed'
    AND EXISTS (
      SELECT 1 FROM hss_internal.image_contents c
      WHERE c.project_id = h.project_id
        AND c.enterprise_project_id = h.enterprise_project_id
        AND c.image_type = h.image_type
        AND c.image_id = h.image_id
        AND c.removed_at IS NULL)
  GROUP BY h.rule_key
) g
CROSS JOIN LATERAL (
  SELECT r.check_name, r.check_type, r.standard, r.check_rule_id, r.check_rule_name, r.severity
  FROM hss_internal.image_rule_history r
  WHERE r.rule_key = g.rule_key AND r.valid_to IS NULL AND r.scan_result = 'failed'
  LIMIT 1
) n
LEFT JOIN hss_internal.rule_descriptions d ON d.rule_key = g.rule_key;
--> statement-breakpoint
-- ==============================================================================================
-- Comments: on every public object and column; the public views of the internal tables copy theirs
-- ==============================================================================================
COMMENT ON SCHEMA hss_internal IS 'hss-baseline-sync internals: the tables the worker writes. Not an API: read the views of schema hss.';
COMMENT ON SCHEMA hss IS 'hss-baseline-sync: Huawei Cloud HSS container-image baseline check results and their history. Only views (and functions): the public surface, documented in docs/sql.md.';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.sync_runs IS 'Run ledger: one row per sync run, with its outcome and totals.';
COMMENT ON COLUMN hss_internal.sync_runs.run_id IS 'Run identifier.';
COMMENT ON COLUMN hss_internal.sync_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN hss_internal.sync_runs.finished_at IS 'When the run ended; NULL while running.';
COMMENT ON COLUMN hss_internal.sync_runs.status IS 'running, succeeded, partial (some scopes or images left for the next run), failed or aborted.';
COMMENT ON COLUMN hss_internal.sync_runs.trigger IS 'What started the run: cli, schedule or demo.';
COMMENT ON COLUMN hss_internal.sync_runs.worker IS 'Process that ran it, as host:pid.';
COMMENT ON COLUMN hss_internal.sync_runs.scopes_total IS 'Scopes (project, enterprise project, image type) the run covered.';
COMMENT ON COLUMN hss_internal.sync_runs.scopes_succeeded IS 'Scopes that ended succeeded.';
COMMENT ON COLUMN hss_internal.sync_runs.scopes_partial IS 'Scopes that ended partial.';
COMMENT ON COLUMN hss_internal.sync_runs.scopes_failed IS 'Scopes that ended failed or aborted.';
COMMENT ON COLUMN hss_internal.sync_runs.images_listed IS 'Image references (tags) listed upstream.';
COMMENT ON COLUMN hss_internal.sync_runs.images_distinct IS 'Distinct image contents (image_id) listed upstream.';
COMMENT ON COLUMN hss_internal.sync_runs.images_due IS 'Images whose results needed a fetch (new, rescanned or too old).';
COMMENT ON COLUMN hss_internal.sync_runs.images_fetched IS 'Images whose results were fetched and written.';
COMMENT ON COLUMN hss_internal.sync_runs.images_not_scanned IS 'Due images recorded as not scanned upstream (no results to fetch).';
COMMENT ON COLUMN hss_internal.sync_runs.images_pending IS 'Due images left for a later run (budget or deadline).';
COMMENT ON COLUMN hss_internal.sync_runs.images_retired IS 'Image contents marked removed because a complete inventory no longer listed them.';
COMMENT ON COLUMN hss_internal.sync_runs.versions_opened IS 'Result versions opened in image_baseline_history.';
COMMENT ON COLUMN hss_internal.sync_runs.versions_closed IS 'Result versions closed in image_baseline_history.';
COMMENT ON COLUMN hss_internal.sync_runs.api_calls IS 'HTTP calls made to HSS and IAM, retries included.';
COMMENT ON COLUMN hss_internal.sync_runs.throttled IS 'Calls answered 429 (throttled).';
COMMENT ON COLUMN hss_internal.sync_runs.retries IS 'Calls that were retries of an earlier attempt.';
COMMENT ON COLUMN hss_internal.sync_runs.calls_by_api IS 'HTTP calls per API name, as a JSON object.';
COMMENT ON COLUMN hss_internal.sync_runs.error IS 'Short, secret-free reason when the run did not succeed.';
COMMENT ON COLUMN hss_internal.sync_runs.rule_images_due IS 'Images whose rules were due (summary changed since their rules were fetched).';
COMMENT ON COLUMN hss_internal.sync_runs.rule_images_fetched IS 'Images whose rules the run fetched and wrote.';
COMMENT ON COLUMN hss_internal.sync_runs.rule_images_pending IS 'Images whose rules are still due after the run (deadline, failures).';
COMMENT ON COLUMN hss_internal.sync_runs.rule_versions_opened IS 'Rule result versions opened.';
COMMENT ON COLUMN hss_internal.sync_runs.rule_versions_closed IS 'Rule result versions closed.';
COMMENT ON COLUMN hss_internal.sync_runs.rule_descriptions_fetched IS 'Rule descriptions fetched or refreshed.';
COMMENT ON COLUMN hss_internal.sync_runs.items_quarantined IS 'Schema-invalid listing items and results skipped and logged (with request id) instead of stored, over all scopes: an image whose results were quarantined stays due, an inventory with a quarantined item retires nothing, and the run ends partial.';
COMMENT ON COLUMN hss_internal.sync_runs.api_backlog IS 'Per HSS API, where the run left its call budget: {"<API>": {calls_made, calls_due, rate_per_minute, catch_up_seconds}}. calls_due counts the calls known to be still due (summaries of pending images, rule pages of images whose rules are pending, descriptions not fetched); catch_up_seconds is the time that API''s own per-minute budget needs for them. The APIs work side by side, so the run catches up in the largest catch_up_seconds. Updated while the run is running; NULL for runs recorded before this column existed.';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.sync_scope_runs IS 'Per-scope ledger: one row per run and scope (project, enterprise project, image type).';
COMMENT ON COLUMN hss_internal.sync_scope_runs.run_id IS 'The run (hss.sync_runs.run_id).';
COMMENT ON COLUMN hss_internal.sync_scope_runs.target IS 'Name of the configured target (region, project, credentials) the scope belongs to.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss_internal.sync_scope_runs.image_type IS 'HSS image type (private_image, shared_image, local_image, instance_image, registry, local, cicd).';
COMMENT ON COLUMN hss_internal.sync_scope_runs.status IS 'running, succeeded, partial, failed or aborted.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.started_at IS 'When the scope started.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.finished_at IS 'When the scope ended; NULL while running.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.inventory_complete IS 'True when the image inventory was complete (all pages, stable total, distinct count = total).';
COMMENT ON COLUMN hss_internal.sync_scope_runs.images_listed IS 'Image references (tags) listed.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.images_distinct IS 'Distinct image contents (image_id) listed.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.images_due IS 'Images whose results needed a fetch.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.images_fetched IS 'Images whose results were fetched and written.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.images_not_scanned IS 'Due images recorded as not scanned upstream.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.images_pending IS 'Due images left for a later run.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.images_retired IS 'Image contents marked removed.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.versions_opened IS 'Result versions opened.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.versions_closed IS 'Result versions closed.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.api_calls IS 'HTTP calls made for this scope, retries included.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.throttled IS 'Calls answered 429 (throttled).';
COMMENT ON COLUMN hss_internal.sync_scope_runs.retries IS 'Calls that were retries of an earlier attempt.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.calls_by_api IS 'HTTP calls per API name, as a JSON object.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.eta_seconds IS 'Estimated seconds to fetch the pending images at the current call budget.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.error IS 'Short, secret-free reason when the scope did not succeed.';
COMMENT ON COLUMN hss_internal.sync_scope_runs.items_quarantined IS 'Schema-invalid listing items and results of this scope skipped and logged (with request id) instead of stored: an image whose results were quarantined stays due, an inventory with a quarantined item retires nothing; the scope ends partial, or failed past HSS_MAX_QUARANTINED_ITEMS.';
--> statement-breakpoint
COMMENT ON VIEW hss.images IS 'One row per image reference (tag) ever listed, present or removed.';
COMMENT ON COLUMN hss.images.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.images.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.images.image_type IS 'HSS image type of the scope that listed it.';
COMMENT ON COLUMN hss.images.image_id IS 'Image content ID; several references may share one.';
COMMENT ON COLUMN hss.images.image_digest IS 'Image digest as listed.';
COMMENT ON COLUMN hss.images.namespace IS 'Registry namespace (organisation).';
COMMENT ON COLUMN hss.images.image_name IS 'Image (repository) name.';
COMMENT ON COLUMN hss.images.image_version IS 'Image version (tag).';
COMMENT ON COLUMN hss.images.instance_id IS 'SWR enterprise instance ID, when any.';
COMMENT ON COLUMN hss.images.host_id IS 'Host ID, for local images.';
COMMENT ON COLUMN hss.images.scan_status IS 'HSS scan status as listed (unscan, success, scanning, failed, waiting_for_scan, ...).';
COMMENT ON COLUMN hss.images.latest_scan_time IS 'When HSS last scanned the image.';
COMMENT ON COLUMN hss.images.first_seen_at IS 'When the sync first listed this reference.';
COMMENT ON COLUMN hss.images.last_seen_at IS 'When the sync last saw this reference listed (by a complete inventory when present).';
COMMENT ON COLUMN hss.images.removed_at IS 'When a complete inventory no longer listed it; NULL while present.';
COMMENT ON COLUMN hss.images.registry_name IS 'Registry name as listed.';
COMMENT ON COLUMN hss.images.registry_type IS 'Registry type as listed (e.g. SWR, harbor, jfrog).';
COMMENT ON COLUMN hss.images.host_name IS 'Host name, for local images.';
COMMENT ON COLUMN hss.images.unsafe_setting_num IS 'Failed baseline items HSS reported in the listing.';
COMMENT ON COLUMN hss.images.image_size IS 'Image size in bytes as listed.';
COMMENT ON COLUMN hss.images.latest_update_time IS 'When the image was last updated upstream.';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.image_baseline_history IS 'Every version of every baseline result. A version is valid over [valid_from, valid_to); versions of one result never overlap.';
COMMENT ON COLUMN hss_internal.image_baseline_history.version_id IS 'Version identifier.';
COMMENT ON COLUMN hss_internal.image_baseline_history.project_id IS 'Huawei Cloud project ID (result key).';
COMMENT ON COLUMN hss_internal.image_baseline_history.enterprise_project_id IS 'Enterprise project ID (result key).';
COMMENT ON COLUMN hss_internal.image_baseline_history.image_type IS 'HSS image type (result key).';
COMMENT ON COLUMN hss_internal.image_baseline_history.image_id IS 'Image content ID (result key).';
COMMENT ON COLUMN hss_internal.image_baseline_history.check_name IS 'Baseline name, e.g. CentOS 7 (result key; empty string when absent).';
COMMENT ON COLUMN hss_internal.image_baseline_history.check_type IS 'Baseline type (result key; empty string when absent).';
COMMENT ON COLUMN hss_internal.image_baseline_history.standard IS 'Standard: cn_standard, hw_standard, ... (result key; empty string when absent).';
COMMENT ON COLUMN hss_internal.image_baseline_history.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss_internal.image_baseline_history.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss_internal.image_baseline_history.check_type_desc IS 'Description of the baseline type.';
COMMENT ON COLUMN hss_internal.image_baseline_history.valid_from IS 'When this version was first fetched.';
COMMENT ON COLUMN hss_internal.image_baseline_history.valid_to IS 'When a fetch first showed it changed or gone; NULL = current version.';
COMMENT ON COLUMN hss_internal.image_baseline_history.opened_run_id IS 'Run that opened this version.';
COMMENT ON COLUMN hss_internal.image_baseline_history.closed_run_id IS 'Run that closed this version.';
COMMENT ON COLUMN hss_internal.image_baseline_history.result_key IS 'Hash of the 7 result-key columns (md5 of each prefixed by its length), used by the constraints.';
COMMENT ON COLUMN hss_internal.image_baseline_history.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.';
--> statement-breakpoint
COMMENT ON VIEW hss.image_baselines IS 'Current baseline results of the images present upstream: the open versions of image_baseline_history.';
COMMENT ON COLUMN hss.image_baselines.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_baselines.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.image_baselines.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_baselines.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_baselines.check_name IS 'Baseline name (empty string when absent).';
COMMENT ON COLUMN hss.image_baselines.check_type IS 'Baseline type (empty string when absent).';
COMMENT ON COLUMN hss.image_baselines.standard IS 'Standard (empty string when absent).';
COMMENT ON COLUMN hss.image_baselines.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss.image_baselines.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss.image_baselines.check_type_desc IS 'Description of the baseline type.';
COMMENT ON COLUMN hss.image_baselines.first_seen_at IS 'When this result was first fetched (earliest version).';
COMMENT ON COLUMN hss.image_baselines.last_verified_at IS 'When the image''s results were last fetched from HSS.';
COMMENT ON COLUMN hss.image_baselines.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.';
COMMENT ON COLUMN hss.image_baselines.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.scope_state IS 'Internal: what the sync knows about each scope across runs.';
COMMENT ON COLUMN hss_internal.scope_state.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss_internal.scope_state.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss_internal.scope_state.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss_internal.scope_state.target IS 'Name of the configured target the scope belongs to.';
COMMENT ON COLUMN hss_internal.scope_state.last_run_id IS 'The run that last listed the scope.';
COMMENT ON COLUMN hss_internal.scope_state.last_inventory_at IS 'When the image list was last paged.';
COMMENT ON COLUMN hss_internal.scope_state.last_complete_inventory_at IS 'When the image list was last paged completely.';
COMMENT ON COLUMN hss_internal.scope_state.prev_complete_inventory_at IS 'The complete inventory before the last one (what a reference retired now was last seen in).';
COMMENT ON COLUMN hss_internal.scope_state.last_success_at IS 'When a run last succeeded for the scope.';
COMMENT ON COLUMN hss_internal.scope_state.image_count IS 'Image references the last inventory listed.';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.image_refs IS 'Internal: every image reference ever listed; read it through hss.images.';
COMMENT ON COLUMN hss_internal.image_refs.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss_internal.image_refs.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss_internal.image_refs.image_type IS 'HSS image type of the scope.';
COMMENT ON COLUMN hss_internal.image_refs.ref_key IS 'Stable key of the reference within its scope (the identifying listing fields).';
COMMENT ON COLUMN hss_internal.image_refs.ref_hash IS 'md5 of ref_key, the primary key (listing strings have no enforced length).';
COMMENT ON COLUMN hss_internal.image_refs.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss_internal.image_refs.image_digest IS 'Image digest as listed.';
COMMENT ON COLUMN hss_internal.image_refs.namespace IS 'Registry namespace (organisation).';
COMMENT ON COLUMN hss_internal.image_refs.image_name IS 'Image (repository) name.';
COMMENT ON COLUMN hss_internal.image_refs.image_version IS 'Image version (tag).';
COMMENT ON COLUMN hss_internal.image_refs.instance_id IS 'SWR enterprise instance ID, when any.';
COMMENT ON COLUMN hss_internal.image_refs.registry_name IS 'Registry name, when listed.';
COMMENT ON COLUMN hss_internal.image_refs.registry_type IS 'Registry type, when listed.';
COMMENT ON COLUMN hss_internal.image_refs.host_id IS 'Host of a local image.';
COMMENT ON COLUMN hss_internal.image_refs.host_name IS 'Host name of a local image.';
COMMENT ON COLUMN hss_internal.image_refs.scan_status IS 'HSS scan status as listed.';
COMMENT ON COLUMN hss_internal.image_refs.latest_scan_time IS 'Latest HSS scan time as listed.';
COMMENT ON COLUMN hss_internal.image_refs.unsafe_setting_num IS 'Unsafe settings as listed.';
COMMENT ON COLUMN hss_internal.image_refs.image_size IS 'Image size in bytes as listed.';
COMMENT ON COLUMN hss_internal.image_refs.latest_update_time IS 'Latest update time as listed.';
COMMENT ON COLUMN hss_internal.image_refs.first_seen_at IS 'When the reference was first listed.';
COMMENT ON COLUMN hss_internal.image_refs.changed_at IS 'Last time a listing changed this row (insert, update, removal, reappearance).';
COMMENT ON COLUMN hss_internal.image_refs.last_seen_at IS 'Last inventory known to have listed it; frozen when removed (hss.images derives the live value).';
COMMENT ON COLUMN hss_internal.image_refs.removed_at IS 'When a complete inventory proved it gone; NULL = present.';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.image_contents IS 'Internal: per image content, the listing signal and time of the last results fetch.';
COMMENT ON COLUMN hss_internal.image_contents.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss_internal.image_contents.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss_internal.image_contents.image_type IS 'HSS image type of the scope.';
COMMENT ON COLUMN hss_internal.image_contents.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss_internal.image_contents.fetched_scan_time IS 'latest_scan_time listed when the results were last fetched (the listing signal).';
COMMENT ON COLUMN hss_internal.image_contents.fetched_digest IS 'image_digest listed when the results were last fetched.';
COMMENT ON COLUMN hss_internal.image_contents.fetched_unsafe_num IS 'unsafe_setting_num listed when the results were last fetched.';
COMMENT ON COLUMN hss_internal.image_contents.fetched_scan_status IS 'scan_status listed when the results were last fetched.';
COMMENT ON COLUMN hss_internal.image_contents.fetched_at IS 'When the results were last fetched (or the content recorded as not scanned).';
COMMENT ON COLUMN hss_internal.image_contents.outcome IS 'fetched, or not_scanned (HSS holds no results; no call was spent).';
COMMENT ON COLUMN hss_internal.image_contents.result_count IS 'Results the last fetch returned.';
COMMENT ON COLUMN hss_internal.image_contents.first_seen_at IS 'When the content was first recorded.';
COMMENT ON COLUMN hss_internal.image_contents.removed_at IS 'When a complete inventory proved it gone; NULL = present.';
--> statement-breakpoint
COMMENT ON FUNCTION hss.image_baselines_as_of(timestamptz) IS 'Point-in-time audit: every result key with the values valid at the given instant (valid_from <= t < valid_to), from image_baseline_history. Keys of images gone at that instant are absent.';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.result_keys IS 'Internal: every result key ever seen, once; the key columns of hss.image_baseline_daily.';
COMMENT ON COLUMN hss_internal.result_keys.result_key IS 'Hash of the 7 key columns (as image_baseline_history.result_key).';
COMMENT ON COLUMN hss_internal.result_keys.project_id IS 'Huawei Cloud project ID (result key).';
COMMENT ON COLUMN hss_internal.result_keys.enterprise_project_id IS 'Enterprise project ID (result key).';
COMMENT ON COLUMN hss_internal.result_keys.image_type IS 'HSS image type (result key).';
COMMENT ON COLUMN hss_internal.result_keys.image_id IS 'Image content ID (result key).';
COMMENT ON COLUMN hss_internal.result_keys.check_name IS 'Baseline name (result key).';
COMMENT ON COLUMN hss_internal.result_keys.check_type IS 'Baseline type (result key).';
COMMENT ON COLUMN hss_internal.result_keys.standard IS 'Standard (result key).';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.image_baseline_daily_facts IS 'Internal: the daily facts behind hss.image_baseline_daily, keyed by result_key.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.version_id IS 'The image_baseline_history version in force that day.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.observed_at IS 'When these values were last confirmed by an API call, as known at the end of the day.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.day IS 'UTC day.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.result_key IS 'The result key (hss.result_keys).';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules).';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.posture_daily_facts IS 'Internal: the daily facts summed per day and group, behind hss.posture_daily.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.day IS 'UTC day.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.group_key IS 'Hash of the group columns (project to severity), the key with day.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.images IS 'Images with a result in the group.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.images_failing IS 'Images whose result has at least one failed check item.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.failed_items IS 'Failed check items, summed.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.check_items IS 'Check items, summed.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.standard IS 'Standard.';
COMMENT ON COLUMN hss_internal.posture_daily_facts.severity IS 'Severity of the results in the group: Security, Low, Medium, High (Critical for rules).';
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
COMMENT ON COLUMN hss.image_baseline_daily.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss.image_baseline_daily.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss.image_baseline_daily.observed_at IS 'When these values were last confirmed by an API call, as known at the end of the day; older than the day when the image was not refetched.';
COMMENT ON COLUMN hss.image_baseline_daily.version_id IS 'The image_baseline_history version in force that day.';
COMMENT ON COLUMN hss.image_baseline_daily.result_key IS 'Hash of the 7 key columns (as image_baseline_history.result_key).';
COMMENT ON COLUMN hss.image_baseline_daily.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.';
COMMENT ON COLUMN hss.image_baseline_daily.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
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
COMMENT ON COLUMN hss.image_baseline_changes.failed_before IS 'Failed check items before; NULL when it appeared.';
COMMENT ON COLUMN hss.image_baseline_changes.failed_after IS 'Failed check items after; NULL when it disappeared.';
COMMENT ON COLUMN hss.image_baseline_changes.check_items_before IS 'Check items before; NULL when it appeared.';
COMMENT ON COLUMN hss.image_baseline_changes.check_items_after IS 'Check items after; NULL when it disappeared.';
COMMENT ON COLUMN hss.image_baseline_changes.run_id IS 'The run that recorded the change (hss.sync_runs.run_id).';
COMMENT ON COLUMN hss.image_baseline_changes.version_id IS 'The version opened (or, for disappeared, closed) by the change.';
COMMENT ON COLUMN hss.image_baseline_changes.severity_before IS 'Severity before the change (Security, Low, Medium, High); NULL when it appeared.';
COMMENT ON COLUMN hss.image_baseline_changes.severity_after IS 'Severity after the change (Security, Low, Medium, High); NULL when it disappeared.';
COMMENT ON COLUMN hss.image_baseline_changes.severity_before_rank IS 'severity_before as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.image_baseline_changes.severity_after_rank IS 'severity_after as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.image_baseline_changes.fixed IS 'True when the result stopped failing: failed check items went from more than 0 to 0 (or absent) between two versions that meet. Each fixed change ends one fixed period of hss.baseline_fixes.';
COMMENT ON COLUMN hss.image_baseline_changes.regressed IS 'True when the result started failing again: failed check items went from 0 (or absent) to more than 0 between two versions that meet. False when it appeared failing.';
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
COMMENT ON COLUMN hss.scope_status.images_present IS 'Image contents (distinct image_id) present upstream now: the sum of the five coverage counts.';
COMMENT ON COLUMN hss.scope_status.images_covered IS 'Present contents with current results (image_posture coverage results).';
COMMENT ON COLUMN hss.scope_status.images_not_scanned IS 'Present contents without results that HSS has not scanned (recorded not_scanned; image_posture coverage not_scanned).';
COMMENT ON COLUMN hss.scope_status.images_scan_failed IS 'Present contents without results whose listing says scan_status failed.';
COMMENT ON COLUMN hss.scope_status.images_no_results IS 'Present contents fetched, for which HSS returned no results (image_posture coverage no_results, scan failures apart).';
COMMENT ON COLUMN hss.scope_status.images_not_fetched IS 'Present contents whose results were never fetched yet (image_posture coverage pending, scan failures apart).';
COMMENT ON COLUMN hss.scope_status.rule_images_pending IS 'Present images whose rules are still due: their current summaries differ from those their rules were fetched for. NULL when no rules were ever fetched in the scope (HSS_RULE_DETAIL=off).';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.image_rule_history IS 'Every version of every rule result (ListImageRiskConfigRules) of an image: valid over [valid_from, valid_to), valid_to NULL = current. Failed rules are kept (and passed ones with HSS_RULE_DETAIL=all); a rule that stops failing has its version closed. No two versions of one rule result overlap.';
COMMENT ON COLUMN hss_internal.image_rule_history.version_id IS 'Identity of the version.';
COMMENT ON COLUMN hss_internal.image_rule_history.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss_internal.image_rule_history.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss_internal.image_rule_history.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss_internal.image_rule_history.image_id IS 'Image content ID (shared by its tags).';
COMMENT ON COLUMN hss_internal.image_rule_history.check_name IS 'Baseline name, e.g. CentOS 7.';
COMMENT ON COLUMN hss_internal.image_rule_history.check_type IS 'Baseline type (for Windows e.g. Windows Server 2019 R2).';
COMMENT ON COLUMN hss_internal.image_rule_history.standard IS 'cn_standard (MLPS) or hw_standard (cloud security practice).';
COMMENT ON COLUMN hss_internal.image_rule_history.check_rule_id IS 'Rule (check item) ID within the baseline.';
COMMENT ON COLUMN hss_internal.image_rule_history.check_rule_name IS 'Rule (check item) name.';
COMMENT ON COLUMN hss_internal.image_rule_history.scan_result IS 'failed or pass.';
COMMENT ON COLUMN hss_internal.image_rule_history.valid_from IS 'When this version became current.';
COMMENT ON COLUMN hss_internal.image_rule_history.valid_to IS 'When it stopped being current; NULL = current.';
COMMENT ON COLUMN hss_internal.image_rule_history.opened_run_id IS 'Run that opened the version.';
COMMENT ON COLUMN hss_internal.image_rule_history.closed_run_id IS 'Run that closed the version.';
COMMENT ON COLUMN hss_internal.image_rule_history.rule_result_key IS 'Hash of the 8 key columns (project .. check_rule_id), for constraints and joins.';
COMMENT ON COLUMN hss_internal.image_rule_history.rule_key IS 'Hash of (check_name, check_type, standard, check_rule_id): the key of hss.rule_descriptions.';
COMMENT ON COLUMN hss_internal.image_rule_history.severity IS 'Rule severity as HSS reports it: Security, Low, Medium, High, Critical.';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.image_rule_state IS 'Internal: per image content, the summary signature and HSS_RULE_DETAIL its stored rules were fetched for; a different current signature makes the rules due again.';
COMMENT ON COLUMN hss_internal.image_rule_state.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss_internal.image_rule_state.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss_internal.image_rule_state.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss_internal.image_rule_state.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss_internal.image_rule_state.summary_signature IS 'md5 over the open summary versions (key, check_rule_num, failed_rule_num) when the rules were fetched.';
COMMENT ON COLUMN hss_internal.image_rule_state.rule_detail IS 'HSS_RULE_DETAIL of that fetch: failed or all.';
COMMENT ON COLUMN hss_internal.image_rule_state.rule_count IS 'Rule results fetched.';
COMMENT ON COLUMN hss_internal.image_rule_state.fetched_at IS 'When the rules were last fetched (last verification).';
COMMENT ON COLUMN hss_internal.image_rule_state.run_id IS 'Run that fetched them.';
--> statement-breakpoint
COMMENT ON TABLE hss_internal.rule_descriptions IS 'One description per rule (ShowImageCheckRuleDetail): the same text for every image, fetched once and refreshed every 30 days.';
COMMENT ON COLUMN hss_internal.rule_descriptions.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss_internal.rule_descriptions.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss_internal.rule_descriptions.standard IS 'Standard of the rule.';
COMMENT ON COLUMN hss_internal.rule_descriptions.check_rule_id IS 'Rule ID within the baseline.';
COMMENT ON COLUMN hss_internal.rule_descriptions.rule_key IS 'Hash of (check_name, check_type, standard, check_rule_id).';
COMMENT ON COLUMN hss_internal.rule_descriptions.description IS 'What the rule checks.';
COMMENT ON COLUMN hss_internal.rule_descriptions.reference IS 'Where the rule comes from.';
COMMENT ON COLUMN hss_internal.rule_descriptions.audit IS 'How to check it by hand.';
COMMENT ON COLUMN hss_internal.rule_descriptions.remediation IS 'How to fix a failure.';
COMMENT ON COLUMN hss_internal.rule_descriptions.check_info_list IS 'JSON array of {check_description, current_value, suggest_value}.';
COMMENT ON COLUMN hss_internal.rule_descriptions.fetched_at IS 'When the description was fetched.';
--> statement-breakpoint
COMMENT ON VIEW hss.image_failed_rules IS 'The failed rules of every present image now, with the rule description and remediation text. The number of rows of an image and baseline equals its failed_rule_num in image_baselines once its rules are fetched.';
COMMENT ON COLUMN hss.image_failed_rules.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_failed_rules.enterprise_project_id IS 'Enterprise project ID.';
COMMENT ON COLUMN hss.image_failed_rules.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_failed_rules.image_id IS 'Image content ID (join hss.images for its tags).';
COMMENT ON COLUMN hss.image_failed_rules.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss.image_failed_rules.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss.image_failed_rules.standard IS 'Standard.';
COMMENT ON COLUMN hss.image_failed_rules.check_rule_id IS 'Rule ID.';
COMMENT ON COLUMN hss.image_failed_rules.check_rule_name IS 'Rule name.';
COMMENT ON COLUMN hss.image_failed_rules.failing_since IS 'Since when this rule fails for this image with these values.';
COMMENT ON COLUMN hss.image_failed_rules.last_verified_at IS 'When the image''s rules were last fetched.';
COMMENT ON COLUMN hss.image_failed_rules.description IS 'What the rule checks; NULL until its description is fetched.';
COMMENT ON COLUMN hss.image_failed_rules.remediation IS 'How to fix it; NULL until its description is fetched.';
COMMENT ON COLUMN hss.image_failed_rules.reference IS 'Where the rule comes from.';
COMMENT ON COLUMN hss.image_failed_rules.audit IS 'How to check it by hand.';
COMMENT ON COLUMN hss.image_failed_rules.severity IS 'Rule severity as HSS reports it: Security, Low, Medium, High, Critical; severity_rank orders them.';
COMMENT ON COLUMN hss.image_failed_rules.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
--> statement-breakpoint
COMMENT ON FUNCTION hss.image_baseline_rules_as_of(timestamptz) IS 'Point-in-time audit of rules: every rule result version valid at the given instant (valid_from <= t < valid_to), from image_rule_history.';
--> statement-breakpoint
COMMENT ON FUNCTION hss.severity_rank(text) IS 'Severity as a number to sort and colour by: Security 0, Low 1, Medium 2, High 3, Critical 4 (Critical is reported for rules only); NULL when absent or unknown. ORDER BY hss.severity_rank(severity) DESC puts the worst first; every public severity column has a *_rank column beside it.';
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
COMMENT ON TABLE hss_internal.history_chain_anchors IS 'Per history and key, the chain hash of the last version deleted by history retention: where the chain of the versions left starts (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss_internal.history_chain_anchors.history IS 'baseline (image_baseline_history, key result_key) or rule (image_rule_history, key rule_result_key).';
COMMENT ON COLUMN hss_internal.history_chain_anchors.key IS 'result_key or rule_result_key of the pruned versions.';
COMMENT ON COLUMN hss_internal.history_chain_anchors.chain_hash IS 'chain_hash of the last pruned version of the key: the prev_hash its first remaining version must carry.';
COMMENT ON COLUMN hss_internal.history_chain_anchors.valid_from IS 'valid_from of the last pruned version.';
COMMENT ON COLUMN hss_internal.history_chain_anchors.valid_to IS 'valid_to of the last pruned version.';
COMMENT ON COLUMN hss_internal.history_chain_anchors.pruned_at IS 'When retention deleted it.';
COMMENT ON COLUMN hss_internal.image_baseline_history.prev_hash IS 'chain_hash of the previous version of the same result key; NULL for its first version (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss_internal.image_baseline_history.chain_hash IS 'SHA-256 of the canonical form of this version and prev_hash, sealed with valid_to and closed_run_id once closed (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss_internal.image_rule_history.prev_hash IS 'chain_hash of the previous version of the same rule result key; NULL for its first version (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss_internal.image_rule_history.chain_hash IS 'SHA-256 of the canonical form of this version and prev_hash, sealed with valid_to and closed_run_id once closed (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss_internal.sync_runs.maintenance IS 'What the end-of-run maintenance did: {"started_at", "duration_ms", "daily_days" (days of daily facts rebuilt), "pruned": {"facts", "posture", "runs", "versions"} (rows the retention deleted), "error" (why it failed, else null)}. Its failure leaves the run''s status as it is; the next run repairs the facts. NULL when it did not run (an aborted run) or for runs recorded before this column existed.';
--> statement-breakpoint
-- The views say what the tables said: their comments and every column's are copied over.
DO $$
DECLARE
  t text;
  c record;
BEGIN
  FOREACH t IN ARRAY ARRAY['image_baseline_history', 'sync_runs', 'sync_scope_runs', 'image_rule_history', 'rule_descriptions'] LOOP
    EXECUTE format('COMMENT ON VIEW hss.%I IS %L', t, obj_description(format('hss_internal.%I', t)::regclass, 'pg_class'));
    FOR c IN
      SELECT a.attname, col_description(a.attrelid, a.attnum) AS d
      FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = format('hss_internal.%I', t)::regclass AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
      EXECUTE format('COMMENT ON COLUMN hss.%I.%I IS %L', t, c.attname, c.d);
    END LOOP;
  END LOOP;
END
$$;
--> statement-breakpoint
COMMENT ON COLUMN hss.image_baseline_history.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
--> statement-breakpoint
COMMENT ON COLUMN hss.image_rule_history.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
--> statement-breakpoint
-- hss.history_chain_anchors says of its columns what its table says (its own comment differs).
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT a.attname, col_description(a.attrelid, a.attnum) AS d
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = 'hss_internal.history_chain_anchors'::regclass AND a.attnum > 0 AND NOT a.attisdropped
  LOOP
    EXECUTE format('COMMENT ON COLUMN hss.history_chain_anchors.%I IS %L', c.attname, c.d);
  END LOOP;
END
$$;
--> statement-breakpoint
COMMENT ON VIEW hss.history_chain_anchors IS 'Per history (baseline, rule) and key, the chain hash of the last version deleted by history retention: the prev_hash the first remaining version of that key carries. Read by hss-baseline-sync verify.';
--> statement-breakpoint
-- ==============================================================================================
-- Grants: hss_reader reads the public surface; hss_writer reads and writes the data (no DDL, no TRUNCATE)
-- ==============================================================================================
-- Before the squash, the views created after the default privileges of schema hss (below)
-- received them, before the reader's grant; the worker reads these views and writes only the
-- tables of hss_internal.
GRANT SELECT, INSERT, UPDATE, DELETE ON
  hss.image_baseline_history, hss.sync_runs, hss.sync_scope_runs, hss.image_rule_history, hss.rule_descriptions,
  hss.posture_daily, hss.image_posture, hss.baseline_fixes, hss.image_failed_rules, hss.rule_failure_counts,
  hss.history_chain_anchors
  TO hss_writer;
--> statement-breakpoint
-- Reader: the public surface only. Views run with their owner's rights, so the internal tables
-- behind them need no grant. EXECUTE on functions is PUBLIC by default; granted explicitly anyway.
GRANT USAGE ON SCHEMA hss TO hss_reader;
GRANT SELECT ON
  hss.image_baseline_history, hss.sync_runs, hss.sync_scope_runs, hss.image_rule_history, hss.rule_descriptions,
  hss.images, hss.image_baselines, hss.image_baseline_daily, hss.posture_daily, hss.image_posture,
  hss.image_baseline_changes, hss.baseline_fixes, hss.scope_status, hss.image_failed_rules, hss.rule_failure_counts,
  hss.history_chain_anchors
  TO hss_reader;
GRANT EXECUTE ON FUNCTION hss.severity_rank(text), hss.image_baselines_as_of(timestamptz),
  hss.image_baseline_rules_as_of(timestamptz) TO hss_reader;
--> statement-breakpoint
-- Writer: what a sync needs (read and write the data, read the migration journal, no DDL, no
-- TRUNCATE). Tables a later migration creates in either schema are covered by the default
-- privileges of the role that runs migrations.
GRANT USAGE ON SCHEMA hss, hss_internal TO hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON
  hss_internal.image_baseline_history, hss_internal.image_contents, hss_internal.image_refs,
  hss_internal.scope_state, hss_internal.sync_runs, hss_internal.sync_scope_runs, hss_internal.result_keys,
  hss_internal.image_baseline_daily_facts, hss_internal.posture_daily_facts, hss_internal.image_rule_history,
  hss_internal.image_rule_state, hss_internal.rule_descriptions, hss_internal.history_chain_anchors
  TO hss_writer;
GRANT SELECT ON hss_internal.__drizzle_migrations TO hss_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA hss_internal TO hss_writer;
GRANT SELECT ON
  hss.images, hss.image_baselines, hss.image_baseline_daily, hss.image_baseline_changes, hss.scope_status
  TO hss_writer;
GRANT EXECUTE ON FUNCTION hss.severity_rank(text), hss.image_baselines_as_of(timestamptz),
  hss.image_baseline_rules_as_of(timestamptz) TO hss_writer;
GRANT EXECUTE ON FUNCTION hss_internal.chain_field(text), hss_internal.chain_instant(timestamptz),
  hss_internal.baseline_version_hash(bytea, text, text, text, text, text, text, text, text, integer, integer, text, timestamptz, uuid),
  hss_internal.rule_version_hash(bytea, text, text, text, text, text, text, text, text, text, text, text, timestamptz, uuid),
  hss_internal.chain_close(bytea, timestamptz, uuid) TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss GRANT USAGE ON SEQUENCES TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss_internal GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss_internal GRANT USAGE ON SEQUENCES TO hss_writer;
