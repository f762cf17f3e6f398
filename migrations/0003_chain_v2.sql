-- Hand-written (issue 14, issue 17): the provenance of history versions (scanned_at, source_api,
-- added by 0002_history_provenance) in the hash chain and on the public surface.
-- ==============================================================================================
-- The chain form hss-chain-v2 (docs/sql.md, "Tamper evidence")
-- ==============================================================================================
-- A version with scanned_at or source_api hashes the v1 text with the tag hss-chain-v2 and two
-- more fields appended: '|' chain_instant(scanned_at) '|' chain_field(source_api). A version with
-- neither hashes the v1 text unchanged, so every version written before this migration verifies
-- as it did. The text stays unambiguous: each field is '-' or its byte length, ':' and exactly
-- that many bytes, so a reader parses it left to right without looking inside any value; the tag
-- gives the number of fields (v1 has 14 after the history name, v2 16), so a v1 text and a
-- v2 text never coincide, and two versions with different fields never give the same text.
-- verify computes the same in TypeScript (src/verify/canonical.ts).
--
-- One concat() call builds the whole text (the || chain of 0001 builds an intermediate text per
-- operator); the functions stay plain LANGUAGE sql, so the planner inlines them into the writer's
-- INSERT. Every parameter used twice (scanned_at, source_api) is a column there, cheap to repeat.
CREATE FUNCTION hss_internal.baseline_version_hash(
  prev bytea, project_id text, enterprise_project_id text, image_type text, image_id text,
  check_name text, check_type text, standard text, severity text, check_rule_num integer,
  failed_rule_num integer, check_type_desc text, valid_from timestamptz, opened_run_id uuid,
  scanned_at timestamptz, source_api text)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sha256(textsend(concat(
  CASE WHEN scanned_at IS NULL AND source_api IS NULL THEN 'hss-chain-v1|baseline|' ELSE 'hss-chain-v2|baseline|' END,
  coalesce('64:' || encode(prev, 'hex'), '-'), '|',
  coalesce(octet_length(project_id) || ':' || project_id, '-'), '|',
  coalesce(octet_length(enterprise_project_id) || ':' || enterprise_project_id, '-'), '|',
  coalesce(octet_length(image_type) || ':' || image_type, '-'), '|',
  coalesce(octet_length(image_id) || ':' || image_id, '-'), '|',
  coalesce(octet_length(check_name) || ':' || check_name, '-'), '|',
  coalesce(octet_length(check_type) || ':' || check_type, '-'), '|',
  coalesce(octet_length(standard) || ':' || standard, '-'), '|',
  coalesce(octet_length(severity) || ':' || severity, '-'), '|',
  hss_internal.chain_field(check_rule_num::text), '|',
  hss_internal.chain_field(failed_rule_num::text), '|',
  coalesce(octet_length(check_type_desc) || ':' || check_type_desc, '-'), '|',
  hss_internal.chain_instant(valid_from), '|',
  coalesce('36:' || opened_run_id::text, '-'),
  CASE WHEN scanned_at IS NOT NULL OR source_api IS NOT NULL THEN concat('|',
    hss_internal.chain_instant(scanned_at), '|',
    coalesce(octet_length(source_api) || ':' || source_api, '-')) END))) $$;
--> statement-breakpoint
CREATE FUNCTION hss_internal.rule_version_hash(
  prev bytea, project_id text, enterprise_project_id text, image_type text, image_id text,
  check_name text, check_type text, standard text, check_rule_id text, check_rule_name text,
  severity text, scan_result text, valid_from timestamptz, opened_run_id uuid,
  scanned_at timestamptz, source_api text)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sha256(textsend(concat(
  CASE WHEN scanned_at IS NULL AND source_api IS NULL THEN 'hss-chain-v1|rule|' ELSE 'hss-chain-v2|rule|' END,
  coalesce('64:' || encode(prev, 'hex'), '-'), '|',
  coalesce(octet_length(project_id) || ':' || project_id, '-'), '|',
  coalesce(octet_length(enterprise_project_id) || ':' || enterprise_project_id, '-'), '|',
  coalesce(octet_length(image_type) || ':' || image_type, '-'), '|',
  coalesce(octet_length(image_id) || ':' || image_id, '-'), '|',
  coalesce(octet_length(check_name) || ':' || check_name, '-'), '|',
  coalesce(octet_length(check_type) || ':' || check_type, '-'), '|',
  coalesce(octet_length(standard) || ':' || standard, '-'), '|',
  coalesce(octet_length(check_rule_id) || ':' || check_rule_id, '-'), '|',
  coalesce(octet_length(check_rule_name) || ':' || check_rule_name, '-'), '|',
  coalesce(octet_length(severity) || ':' || severity, '-'), '|',
  coalesce(octet_length(scan_result) || ':' || scan_result, '-'), '|',
  hss_internal.chain_instant(valid_from), '|',
  coalesce('36:' || opened_run_id::text, '-'),
  CASE WHEN scanned_at IS NOT NULL OR source_api IS NOT NULL THEN concat('|',
    hss_internal.chain_instant(scanned_at), '|',
    coalesce(octet_length(source_api) || ':' || source_api, '-')) END))) $$;
--> statement-breakpoint
COMMENT ON FUNCTION hss_internal.baseline_version_hash(bytea, text, text, text, text, text, text, text, text, integer, integer, text, timestamptz, uuid, timestamptz, text) IS 'Open hash of a baseline version: SHA-256 of its canonical text, form hss-chain-v2 when scanned_at or source_api is set, else hss-chain-v1 (docs/sql.md, "Tamper evidence").';
COMMENT ON FUNCTION hss_internal.rule_version_hash(bytea, text, text, text, text, text, text, text, text, text, text, text, timestamptz, uuid, timestamptz, text) IS 'Open hash of a rule version: SHA-256 of its canonical text, form hss-chain-v2 when scanned_at or source_api is set, else hss-chain-v1 (docs/sql.md, "Tamper evidence").';
GRANT EXECUTE ON FUNCTION
  hss_internal.baseline_version_hash(bytea, text, text, text, text, text, text, text, text, integer, integer, text, timestamptz, uuid, timestamptz, text),
  hss_internal.rule_version_hash(bytea, text, text, text, text, text, text, text, text, text, text, text, timestamptz, uuid, timestamptz, text)
  TO hss_writer;
--> statement-breakpoint
-- ==============================================================================================
-- Comments of the new columns
-- ==============================================================================================
COMMENT ON COLUMN hss_internal.image_baseline_history.scanned_at IS 'The HSS scan time that produced this version (the image''s latest_scan_time when it was fetched); NULL when HSS gave none. Set when the version opens; a new scan time alone opens no version.';
COMMENT ON COLUMN hss_internal.image_baseline_history.source_api IS 'The HSS API the values came from: ListImageRiskConfigs, or ListCheckRulesInfo (summaries derived from rule results); NULL for versions written before it was recorded.';
COMMENT ON COLUMN hss_internal.image_rule_history.scanned_at IS 'The HSS scan time that produced this version (the image''s latest_scan_time when its rules were fetched); NULL when HSS gave none. Set when the version opens; a new scan time alone opens no version.';
COMMENT ON COLUMN hss_internal.image_rule_history.source_api IS 'The HSS API the rule came from: ListImageRiskConfigRules or ListCheckRulesInfo; NULL for versions written before it was recorded.';
--> statement-breakpoint
-- ==============================================================================================
-- The public surface: columns appended (CREATE OR REPLACE VIEW keeps the existing ones first)
-- ==============================================================================================
CREATE OR REPLACE VIEW hss.image_baseline_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, severity, check_rule_num, failed_rule_num, check_type_desc, valid_from, valid_to, opened_run_id, closed_run_id, result_key,
  hss.severity_rank(severity) AS severity_rank, prev_hash, chain_hash, scanned_at, source_api
FROM hss_internal.image_baseline_history;
--> statement-breakpoint
CREATE OR REPLACE VIEW hss.image_rule_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, check_rule_id, check_rule_name, severity, scan_result, valid_from, valid_to, opened_run_id, closed_run_id, rule_result_key, rule_key,
  hss.severity_rank(severity) AS severity_rank, prev_hash, chain_hash, scanned_at, source_api
FROM hss_internal.image_rule_history;
--> statement-breakpoint
COMMENT ON COLUMN hss.image_baseline_history.scanned_at IS 'The HSS scan time that produced this version (the image''s latest_scan_time when it was fetched); NULL when HSS gave none. Set when the version opens; a new scan time alone opens no version.';
COMMENT ON COLUMN hss.image_baseline_history.source_api IS 'The HSS API the values came from: ListImageRiskConfigs, or ListCheckRulesInfo (summaries derived from rule results); NULL for versions written before it was recorded.';
COMMENT ON COLUMN hss.image_rule_history.scanned_at IS 'The HSS scan time that produced this version (the image''s latest_scan_time when its rules were fetched); NULL when HSS gave none. Set when the version opens; a new scan time alone opens no version.';
COMMENT ON COLUMN hss.image_rule_history.source_api IS 'The HSS API the rule came from: ListImageRiskConfigRules or ListCheckRulesInfo; NULL for versions written before it was recorded.';
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
    FROM hss_internal.image_baseline_history f
    WHERE f.result_key = h.result_key
  ) AS first_seen_at,
  c.fetched_at AS last_verified_at,
  hss.severity_rank(h.severity) AS severity_rank,
  h.scanned_at,
  h.source_api
FROM hss_internal.image_baseline_history h
JOIN hss_internal.image_contents c
  ON c.project_id = h.project_id
  AND c.enterprise_project_id = h.enterprise_project_id
  AND c.image_type = h.image_type
  AND c.image_id = h.image_id
WHERE h.valid_to IS NULL
  AND c.removed_at IS NULL;
--> statement-breakpoint
COMMENT ON COLUMN hss.image_baselines.scanned_at IS 'The HSS scan time that produced the current values (scanned_at of the open version); NULL when HSS gave none or before it was recorded.';
COMMENT ON COLUMN hss.image_baselines.source_api IS 'The HSS API the current values came from (source_api of the open version).';
--> statement-breakpoint
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
  (p.version_id IS NOT NULL AND coalesce(p.failed_rule_num, 0) = 0 AND coalesce(h.failed_rule_num, 0) > 0) AS regressed,
  h.scanned_at,
  h.source_api
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
  false AS regressed,
  NULL::timestamptz AS scanned_at,
  NULL::text AS source_api
FROM hss_internal.image_baseline_history h
WHERE h.valid_to IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM hss_internal.image_baseline_history n
    WHERE n.result_key = h.result_key AND n.valid_from = h.valid_to);
--> statement-breakpoint
COMMENT ON COLUMN hss.image_baseline_changes.scanned_at IS 'The HSS scan time that produced the new values (scanned_at of the version opened); NULL for disappeared, or when HSS gave none.';
COMMENT ON COLUMN hss.image_baseline_changes.source_api IS 'The HSS API the new values came from (source_api of the version opened); NULL for disappeared.';
--> statement-breakpoint
-- ==============================================================================================
-- The point-in-time functions return the provenance too (a new result type: DROP and CREATE,
-- with the comment and grants of 0001; no view or function depends on them)
-- ==============================================================================================
DROP FUNCTION hss.image_baselines_as_of(timestamptz);
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
  version_id bigint,
  scanned_at timestamptz,
  source_api text
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type,
         h.standard, h.severity, h.check_rule_num, h.failed_rule_num, h.check_type_desc, h.valid_from,
         h.valid_to, h.version_id, h.scanned_at, h.source_api
  FROM hss.image_baseline_history h
  WHERE h.valid_from <= at_time AND (h.valid_to IS NULL OR h.valid_to > at_time)
$$;
--> statement-breakpoint
DROP FUNCTION hss.image_baseline_rules_as_of(timestamptz);
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
  version_id bigint,
  scanned_at timestamptz,
  source_api text
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type,
         h.standard, h.check_rule_id, h.check_rule_name, h.severity, h.scan_result, h.valid_from,
         h.valid_to, h.version_id, h.scanned_at, h.source_api
  FROM hss.image_rule_history h
  WHERE h.valid_from <= at_time AND (h.valid_to IS NULL OR h.valid_to > at_time)
$$;
--> statement-breakpoint
COMMENT ON FUNCTION hss.image_baselines_as_of(timestamptz) IS 'Point-in-time audit: every result key with the values valid at the given instant (valid_from <= t < valid_to), from image_baseline_history, with the HSS scan time (scanned_at) and API (source_api) that produced them. Keys of images gone at that instant are absent.';
COMMENT ON FUNCTION hss.image_baseline_rules_as_of(timestamptz) IS 'Point-in-time audit of rules: every rule result version valid at the given instant (valid_from <= t < valid_to), from image_rule_history, with the HSS scan time (scanned_at) and API (source_api) that produced it.';
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION hss.image_baselines_as_of(timestamptz), hss.image_baseline_rules_as_of(timestamptz)
  TO hss_reader, hss_writer;
