CREATE TABLE "hss_internal"."history_chain_anchors" (
	"history" text NOT NULL,
	"key" uuid NOT NULL,
	"chain_hash" "bytea" NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone NOT NULL,
	"pruned_at" timestamp with time zone NOT NULL,
	CONSTRAINT "history_chain_anchors_pkey" PRIMARY KEY("history","key"),
	CONSTRAINT "history_chain_anchors_history_check" CHECK (history IN ('baseline', 'rule'))
);
--> statement-breakpoint
ALTER TABLE "hss_internal"."image_baseline_history" ADD COLUMN "prev_hash" "bytea";--> statement-breakpoint
ALTER TABLE "hss_internal"."image_baseline_history" ADD COLUMN "chain_hash" "bytea";--> statement-breakpoint
ALTER TABLE "hss_internal"."image_rule_history" ADD COLUMN "prev_hash" "bytea";--> statement-breakpoint
ALTER TABLE "hss_internal"."image_rule_history" ADD COLUMN "chain_hash" "bytea";--> statement-breakpoint
-- Hand-written from here (issue 17, tamper evidence; docs/sql.md "Tamper evidence"). The canonical
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
GRANT EXECUTE ON FUNCTION hss_internal.chain_field(text), hss_internal.chain_instant(timestamptz),
  hss_internal.baseline_version_hash(bytea, text, text, text, text, text, text, text, text, integer, integer, text, timestamptz, uuid),
  hss_internal.rule_version_hash(bytea, text, text, text, text, text, text, text, text, text, text, text, timestamptz, uuid),
  hss_internal.chain_close(bytea, timestamptz, uuid) TO hss_writer;
--> statement-breakpoint
-- The versions already stored become the start of their keys' chains: each key is chained in the
-- order of valid_from, as the worker would have written it.
DO $$
DECLARE
  r record;
  prev bytea;
  last_key uuid;
  h bytea;
BEGIN
  FOR r IN SELECT * FROM hss_internal.image_baseline_history ORDER BY result_key, valid_from LOOP
    IF last_key IS DISTINCT FROM r.result_key THEN prev := NULL; last_key := r.result_key; END IF;
    h := hss_internal.baseline_version_hash(prev, r.project_id, r.enterprise_project_id, r.image_type,
      r.image_id, r.check_name, r.check_type, r.standard, r.severity, r.check_rule_num, r.failed_rule_num,
      r.check_type_desc, r.valid_from, r.opened_run_id);
    IF r.valid_to IS NOT NULL THEN h := hss_internal.chain_close(h, r.valid_to, r.closed_run_id); END IF;
    UPDATE hss_internal.image_baseline_history SET prev_hash = prev, chain_hash = h WHERE version_id = r.version_id;
    prev := h;
  END LOOP;
  last_key := NULL;
  prev := NULL;
  FOR r IN SELECT * FROM hss_internal.image_rule_history ORDER BY rule_result_key, valid_from LOOP
    IF last_key IS DISTINCT FROM r.rule_result_key THEN prev := NULL; last_key := r.rule_result_key; END IF;
    h := hss_internal.rule_version_hash(prev, r.project_id, r.enterprise_project_id, r.image_type,
      r.image_id, r.check_name, r.check_type, r.standard, r.check_rule_id, r.check_rule_name, r.severity,
      r.scan_result, r.valid_from, r.opened_run_id);
    IF r.valid_to IS NOT NULL THEN h := hss_internal.chain_close(h, r.valid_to, r.closed_run_id); END IF;
    UPDATE hss_internal.image_rule_history SET prev_hash = prev, chain_hash = h WHERE version_id = r.version_id;
    prev := h;
  END LOOP;
END
$$;
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
--> statement-breakpoint
-- The public views gain the two columns at their end (existing columns, comments and grants stay).
CREATE OR REPLACE VIEW hss.image_baseline_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, severity, check_rule_num, failed_rule_num, check_type_desc, valid_from, valid_to, opened_run_id, closed_run_id, result_key,
  hss.severity_rank(severity) AS severity_rank, prev_hash, chain_hash
FROM hss_internal.image_baseline_history;
--> statement-breakpoint
CREATE OR REPLACE VIEW hss.image_rule_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, check_rule_id, check_rule_name, severity, scan_result, valid_from, valid_to, opened_run_id, closed_run_id, rule_result_key, rule_key,
  hss.severity_rank(severity) AS severity_rank, prev_hash, chain_hash
FROM hss_internal.image_rule_history;
--> statement-breakpoint
CREATE VIEW hss.history_chain_anchors AS
SELECT history, key, chain_hash, valid_from, valid_to, pruned_at FROM hss_internal.history_chain_anchors;
--> statement-breakpoint
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT t, a.attname, col_description(a.attrelid, a.attnum) AS d
    FROM unnest(ARRAY['image_baseline_history', 'image_rule_history', 'history_chain_anchors']) AS t
    JOIN pg_catalog.pg_attribute a ON a.attrelid = format('hss_internal.%I', t)::regclass
    WHERE a.attname IN ('prev_hash', 'chain_hash', 'history', 'key', 'valid_from', 'valid_to', 'pruned_at')
      AND (t = 'history_chain_anchors' OR a.attname IN ('prev_hash', 'chain_hash'))
  LOOP
    EXECUTE format('COMMENT ON COLUMN hss.%I.%I IS %L', c.t, c.attname, c.d);
  END LOOP;
END
$$;
--> statement-breakpoint
COMMENT ON VIEW hss.history_chain_anchors IS 'Per history (baseline, rule) and key, the chain hash of the last version deleted by history retention: the prev_hash the first remaining version of that key carries. Read by hss-baseline-sync verify.';
--> statement-breakpoint
GRANT SELECT ON hss.history_chain_anchors TO hss_reader, hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON hss_internal.history_chain_anchors TO hss_writer;
