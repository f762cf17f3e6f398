-- Hand-written, versioned: what drizzle-kit does not generate and must never change for a
-- database once applied. In order: extension and roles; exclusion constraints; the history hash
-- chain functions; comments of the schemas and tables; grants on the tables; default privileges.
-- Views and the other functions are not here: they are the repeatable surface, one file per
-- object in migrations/surface/, applied by `hss-baseline-sync migrate` after this series
-- (migrations/README.md).
-- ==============================================================================================
-- Extension and roles
-- ==============================================================================================
-- btree_gist gives uuid a GiST operator class. IF NOT EXISTS keeps an existing installation
-- (in whatever schema) untouched; the default operator class is found in any schema.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
--> statement-breakpoint
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
-- The history hash chain (docs/sql.md, "Tamper evidence")
-- ==============================================================================================
-- Never edited once released: the worker's write statements compute the hash of every version
-- with these functions and `hss-baseline-sync verify` recomputes it in TypeScript
-- (src/verify/canonical.ts) from the public views, for versions written years ago too;
-- test/integration/chain-golden.test.ts pins their output. A field is '-' when NULL, else its
-- UTF-8 byte length, ':' and its text; fields are joined by '|'. Instants (27 bytes), run ids (36)
-- and hashes in hex (64) have a fixed length, written as a constant: each expression is then
-- evaluated once per row. textsend gives the text's bytes in the database encoding, UTF8.
CREATE FUNCTION hss_internal.chain_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(octet_length(v)::text || ':' || v, '-') $$;
--> statement-breakpoint
CREATE FUNCTION hss_internal.chain_instant(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce('27:' || to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '-') $$;
--> statement-breakpoint
-- The open hash of a version. A version with scanned_at or source_api hashes the v1 text with the
-- tag hss-chain-v2 and two more fields appended: '|' chain_instant(scanned_at) '|'
-- chain_field(source_api). A version with neither hashes the v1 text unchanged, so every version
-- written before provenance was recorded verifies as it did. The text stays unambiguous: each
-- field is '-' or its byte length, ':' and exactly that many bytes, so a reader parses it left to
-- right without looking inside any value; the tag gives the number of fields (v1 has 14 after the
-- history name, v2 16), so a v1 text and a v2 text never coincide, and two versions with
-- different fields never give the same text.
--
-- One concat() call builds the whole text (a || chain builds an intermediate text per operator);
-- the functions stay plain LANGUAGE sql, so the planner inlines them into the writer's INSERT.
-- Every parameter used twice (scanned_at, source_api) is a column there, cheap to repeat.
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
-- Closing a version seals its open hash (as stored, never recomputed: a value altered while the
-- version was open stays detectable) with the instant and the run that closed it.
CREATE FUNCTION hss_internal.chain_close(open_hash bytea, valid_to timestamptz, closed_run_id uuid)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sha256(textsend('hss-chain-v1|close|'
  || coalesce('64:' || encode(open_hash, 'hex'), '-') || '|'
  || hss_internal.chain_instant(valid_to) || '|' || coalesce('36:' || closed_run_id::text, '-'))) $$;
--> statement-breakpoint
COMMENT ON FUNCTION hss_internal.baseline_version_hash(bytea, text, text, text, text, text, text, text, text, integer, integer, text, timestamptz, uuid, timestamptz, text) IS 'Open hash of a baseline version: SHA-256 of its canonical text, form hss-chain-v2 when scanned_at or source_api is set, else hss-chain-v1 (docs/sql.md, "Tamper evidence").';
COMMENT ON FUNCTION hss_internal.rule_version_hash(bytea, text, text, text, text, text, text, text, text, text, text, text, timestamptz, uuid, timestamptz, text) IS 'Open hash of a rule version: SHA-256 of its canonical text, form hss-chain-v2 when scanned_at or source_api is set, else hss-chain-v1 (docs/sql.md, "Tamper evidence").';
--> statement-breakpoint
-- ==============================================================================================
-- Comments: the schemas, then per table the table and its columns (BI users and the worker's
-- maintainers read them in their SQL clients)
-- ==============================================================================================
COMMENT ON SCHEMA hss_internal IS 'hss-baseline-sync internals: the tables the worker writes. Not an API: read the views of schema hss.';
COMMENT ON SCHEMA hss IS 'hss-baseline-sync: Huawei Cloud HSS container-image baseline check results and their history. Only views (and functions): the public surface, documented in docs/sql.md.';
COMMENT ON TABLE hss_internal.history_chain_anchors IS 'Per history and key, the chain hash of the last version deleted by history retention: where the chain of the versions left starts (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss_internal.history_chain_anchors.history IS 'baseline (image_baseline_history, key result_key) or rule (image_rule_history, key rule_result_key).';
COMMENT ON COLUMN hss_internal.history_chain_anchors.key IS 'result_key or rule_result_key of the pruned versions.';
COMMENT ON COLUMN hss_internal.history_chain_anchors.chain_hash IS 'chain_hash of the last pruned version of the key: the prev_hash its first remaining version must carry.';
COMMENT ON COLUMN hss_internal.history_chain_anchors.valid_from IS 'valid_from of the last pruned version.';
COMMENT ON COLUMN hss_internal.history_chain_anchors.valid_to IS 'valid_to of the last pruned version.';
COMMENT ON COLUMN hss_internal.history_chain_anchors.pruned_at IS 'When retention deleted it.';
COMMENT ON TABLE hss_internal.image_baseline_daily_facts IS 'Internal: the daily facts behind hss.image_baseline_daily, keyed by result_key.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.version_id IS 'The image_baseline_history version in force that day.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.observed_at IS 'When these values were last confirmed by an API call, as known at the end of the day.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.day IS 'UTC day.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.result_key IS 'The result key (hss.result_keys).';
COMMENT ON COLUMN hss_internal.image_baseline_daily_facts.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules).';
COMMENT ON TABLE hss_internal.image_baseline_history IS 'Every version of every baseline result. A version is valid over [valid_from, valid_to); versions of one result never overlap.';
COMMENT ON COLUMN hss_internal.image_baseline_history.version_id IS 'Version identifier.';
COMMENT ON COLUMN hss_internal.image_baseline_history.project_id IS 'Huawei Cloud project ID (result key).';
COMMENT ON COLUMN hss_internal.image_baseline_history.enterprise_project_id IS 'Enterprise project ID (result key).';
COMMENT ON COLUMN hss_internal.image_baseline_history.image_type IS 'HSS image type (result key).';
COMMENT ON COLUMN hss_internal.image_baseline_history.image_id IS 'Image content ID (result key).';
COMMENT ON COLUMN hss_internal.image_baseline_history.check_name IS 'Baseline name, e.g. CentOS 7 (result key; empty string when absent).';
COMMENT ON COLUMN hss_internal.image_baseline_history.check_type IS 'Baseline type (result key; empty string when absent).';
COMMENT ON COLUMN hss_internal.image_baseline_history.standard IS 'Standard: cn_standard, hw_standard, ... (result key; empty string when absent).';
COMMENT ON COLUMN hss_internal.image_baseline_history.severity IS 'Severity as HSS reports it: Security, Low, Medium, High (Critical for rules); severity_rank orders them.';
COMMENT ON COLUMN hss_internal.image_baseline_history.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss_internal.image_baseline_history.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss_internal.image_baseline_history.check_type_desc IS 'Description of the baseline type.';
COMMENT ON COLUMN hss_internal.image_baseline_history.valid_from IS 'When this version was first fetched.';
COMMENT ON COLUMN hss_internal.image_baseline_history.valid_to IS 'When a fetch first showed it changed or gone; NULL = current version.';
COMMENT ON COLUMN hss_internal.image_baseline_history.opened_run_id IS 'Run that opened this version.';
COMMENT ON COLUMN hss_internal.image_baseline_history.closed_run_id IS 'Run that closed this version.';
COMMENT ON COLUMN hss_internal.image_baseline_history.result_key IS 'Hash of the 7 result-key columns (md5 of each prefixed by its length), used by the constraints.';
COMMENT ON COLUMN hss_internal.image_baseline_history.prev_hash IS 'chain_hash of the previous version of the same result key; NULL for its first version (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss_internal.image_baseline_history.chain_hash IS 'SHA-256 of the canonical form of this version and prev_hash, sealed with valid_to and closed_run_id once closed (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss_internal.image_baseline_history.scanned_at IS 'The HSS scan time that produced this version (the image''s latest_scan_time when it was fetched); NULL when HSS gave none. Set when the version opens; a new scan time alone opens no version.';
COMMENT ON COLUMN hss_internal.image_baseline_history.source_api IS 'The HSS API the values came from: ListImageRiskConfigs, or ListCheckRulesInfo (summaries derived from rule results); NULL for versions written before it was recorded.';
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
COMMENT ON COLUMN hss_internal.image_rule_history.severity IS 'Rule severity as HSS reports it: Security, Low, Medium, High, Critical.';
COMMENT ON COLUMN hss_internal.image_rule_history.scan_result IS 'failed or pass.';
COMMENT ON COLUMN hss_internal.image_rule_history.valid_from IS 'When this version became current.';
COMMENT ON COLUMN hss_internal.image_rule_history.valid_to IS 'When it stopped being current; NULL = current.';
COMMENT ON COLUMN hss_internal.image_rule_history.opened_run_id IS 'Run that opened the version.';
COMMENT ON COLUMN hss_internal.image_rule_history.closed_run_id IS 'Run that closed the version.';
COMMENT ON COLUMN hss_internal.image_rule_history.rule_result_key IS 'Hash of the 8 key columns (project .. check_rule_id), for constraints and joins.';
COMMENT ON COLUMN hss_internal.image_rule_history.rule_key IS 'Hash of (check_name, check_type, standard, check_rule_id): the key of hss.rule_descriptions.';
COMMENT ON COLUMN hss_internal.image_rule_history.prev_hash IS 'chain_hash of the previous version of the same rule result key; NULL for its first version (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss_internal.image_rule_history.chain_hash IS 'SHA-256 of the canonical form of this version and prev_hash, sealed with valid_to and closed_run_id once closed (docs/sql.md, "Tamper evidence").';
COMMENT ON COLUMN hss_internal.image_rule_history.scanned_at IS 'The HSS scan time that produced this version (the image''s latest_scan_time when its rules were fetched); NULL when HSS gave none. Set when the version opens; a new scan time alone opens no version.';
COMMENT ON COLUMN hss_internal.image_rule_history.source_api IS 'The HSS API the rule came from: ListImageRiskConfigRules or ListCheckRulesInfo; NULL for versions written before it was recorded.';
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
COMMENT ON TABLE hss_internal.image_rule_values IS 'Internal: per image and failed rule, the current values ShowImageCheckRuleDetail answered for that image; read it through hss.image_rule_values.';
COMMENT ON COLUMN hss_internal.image_rule_values.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss_internal.image_rule_values.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss_internal.image_rule_values.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss_internal.image_rule_values.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss_internal.image_rule_values.check_name IS 'Baseline name.';
COMMENT ON COLUMN hss_internal.image_rule_values.check_type IS 'Baseline type.';
COMMENT ON COLUMN hss_internal.image_rule_values.standard IS 'Standard.';
COMMENT ON COLUMN hss_internal.image_rule_values.check_rule_id IS 'Rule ID within the baseline.';
COMMENT ON COLUMN hss_internal.image_rule_values.rule_result_key IS 'Hash of the 8 key columns (as image_rule_history.rule_result_key).';
COMMENT ON COLUMN hss_internal.image_rule_values.rule_key IS 'Hash of (check_name, check_type, standard, check_rule_id): the rule''s description (rule_descriptions.rule_key).';
COMMENT ON COLUMN hss_internal.image_rule_values.check_info_list IS 'JSON array of {check_description, current_value, suggest_value}: current_value is this image''s value.';
COMMENT ON COLUMN hss_internal.image_rule_values.version_id IS 'The rule result version (image_rule_history.version_id) current when the values were fetched; NULL when none was.';
COMMENT ON COLUMN hss_internal.image_rule_values.fetched_at IS 'When the values were fetched. Values fetched before the rule result''s current version began are refetched.';
COMMENT ON COLUMN hss_internal.image_rule_values.run_id IS 'The run that fetched them.';
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
COMMENT ON TABLE hss_internal.result_keys IS 'Internal: every result key ever seen, once; the key columns of hss.image_baseline_daily.';
COMMENT ON COLUMN hss_internal.result_keys.result_key IS 'Hash of the 7 key columns (as image_baseline_history.result_key).';
COMMENT ON COLUMN hss_internal.result_keys.project_id IS 'Huawei Cloud project ID (result key).';
COMMENT ON COLUMN hss_internal.result_keys.enterprise_project_id IS 'Enterprise project ID (result key).';
COMMENT ON COLUMN hss_internal.result_keys.image_type IS 'HSS image type (result key).';
COMMENT ON COLUMN hss_internal.result_keys.image_id IS 'Image content ID (result key).';
COMMENT ON COLUMN hss_internal.result_keys.check_name IS 'Baseline name (result key).';
COMMENT ON COLUMN hss_internal.result_keys.check_type IS 'Baseline type (result key).';
COMMENT ON COLUMN hss_internal.result_keys.standard IS 'Standard (result key).';
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
COMMENT ON COLUMN hss_internal.sync_runs.maintenance IS 'What the end-of-run maintenance did: {"started_at", "duration_ms", "daily_days" (days of daily facts rebuilt), "pruned": {"facts", "posture", "runs", "versions"} (rows the retention deleted), "error" (why it failed, else null)}. Its failure leaves the run''s status as it is; the next run repairs the facts. NULL when it did not run (an aborted run) or for runs recorded before this column existed.';
COMMENT ON COLUMN hss_internal.sync_runs.coverage IS 'Current images per coverage state in the run''s scopes when it ended: {"covered", "not_scanned", "scan_failed", "no_results", "inconsistent", "pending"} (hss.image_coverage). NULL when not counted (an aborted run) or for runs recorded before this column existed.';
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
-- ==============================================================================================
-- Grants on the schemas and tables (the surface files grant their own views and functions)
-- ==============================================================================================
-- The reader may use schema hss, whose views run with their owner's rights: the internal tables
-- behind them need no grant. The writer: what a sync needs (read and write the data, read the
-- migration journal and the surface's state, no DDL, no TRUNCATE). Tables a later migration
-- creates in either schema are covered by the default privileges of the role that runs migrations.
GRANT USAGE ON SCHEMA hss TO hss_reader;
GRANT USAGE ON SCHEMA hss, hss_internal TO hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON
  hss_internal.image_baseline_history, hss_internal.image_contents, hss_internal.image_refs,
  hss_internal.scope_state, hss_internal.sync_runs, hss_internal.sync_scope_runs, hss_internal.result_keys,
  hss_internal.image_baseline_daily_facts, hss_internal.posture_daily_facts, hss_internal.image_rule_history,
  hss_internal.image_rule_state, hss_internal.rule_descriptions, hss_internal.history_chain_anchors,
  hss_internal.image_rule_values
  TO hss_writer;
GRANT SELECT ON hss_internal.__drizzle_migrations TO hss_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA hss_internal TO hss_writer;
GRANT EXECUTE ON FUNCTION hss_internal.chain_field(text), hss_internal.chain_instant(timestamptz),
  hss_internal.baseline_version_hash(bytea, text, text, text, text, text, text, text, text, integer, integer, text, timestamptz, uuid, timestamptz, text),
  hss_internal.rule_version_hash(bytea, text, text, text, text, text, text, text, text, text, text, text, timestamptz, uuid, timestamptz, text),
  hss_internal.chain_close(bytea, timestamptz, uuid) TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss GRANT USAGE ON SEQUENCES TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss_internal GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss_internal GRANT USAGE ON SEQUENCES TO hss_writer;
