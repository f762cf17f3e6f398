-- Hand-written, versioned: the histories are append-only for the worker's login (docs/audit.md).
-- hss_writer may add versions (INSERT) and close an open one (UPDATE of valid_to, closed_run_id
-- and the chain_hash sealed with them, once); it may not delete versions nor write retention
-- anchors: retention goes through hss_internal.prune_history (migrations/surface/), owned by the
-- owner, SECURITY DEFINER, which deletes only closed versions that ended before the cutoff and
-- writes their anchors in the same statement. Nothing in schema hss may be written by it.
-- ==============================================================================================
-- The close-only rule, checked by the database whoever the caller is (except the owner)
-- ==============================================================================================
-- A trigger runs whatever the caller's grants, so it holds for the column-level UPDATE grant
-- below and for any path a later grant might open. The owner of the table (and a superuser) is
-- exempt: it can disable triggers anyway; what catches an owner-level rewrite is the as-of
-- digest kept outside the database (`verify --as-of`, docs/audit.md). The message says which
-- rule a statement broke; SQLSTATE P0001 (raise_exception).
CREATE FUNCTION hss_internal.history_close_only() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
    RETURN NEW;
  END IF;
  IF OLD.valid_to IS NOT NULL THEN
    RAISE EXCEPTION 'history is append-only: version % of %.% is closed and never changes', OLD.version_id, TG_TABLE_SCHEMA, TG_TABLE_NAME;
  END IF;
  IF NEW.valid_to IS NULL THEN
    RAISE EXCEPTION 'history is append-only: an update of version % of %.% may only close it (set valid_to)', OLD.version_id, TG_TABLE_SCHEMA, TG_TABLE_NAME;
  END IF;
  -- Every column but those three must stay: compared as one jsonb, so a column added later is
  -- covered too. The generated keys (result_key, rule_result_key, rule_key) are NULL in NEW before the
  -- row is stored; they are computed from the key columns compared here.
  IF to_jsonb(NEW) - ARRAY['valid_to', 'closed_run_id', 'chain_hash', 'result_key', 'rule_result_key', 'rule_key']
     IS DISTINCT FROM to_jsonb(OLD) - ARRAY['valid_to', 'closed_run_id', 'chain_hash', 'result_key', 'rule_result_key', 'rule_key'] THEN
    RAISE EXCEPTION 'history is append-only: closing version % of %.% may change only valid_to, closed_run_id and chain_hash', OLD.version_id, TG_TABLE_SCHEMA, TG_TABLE_NAME;
  END IF;
  IF NEW.chain_hash IS DISTINCT FROM hss_internal.chain_close(OLD.chain_hash, NEW.valid_to, NEW.closed_run_id) THEN
    RAISE EXCEPTION 'history is append-only: closing version % of %.% must seal its chain_hash with valid_to and closed_run_id (hss_internal.chain_close)', OLD.version_id, TG_TABLE_SCHEMA, TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
COMMENT ON FUNCTION hss_internal.history_close_only() IS 'Trigger of the histories: a login other than the owner may only close an open version (valid_to from NULL, closed_run_id, chain_hash sealed with them), once (docs/audit.md).';
--> statement-breakpoint
REVOKE ALL ON FUNCTION hss_internal.history_close_only() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER image_baseline_history_close_only BEFORE UPDATE ON hss_internal.image_baseline_history
  FOR EACH ROW EXECUTE FUNCTION hss_internal.history_close_only();
--> statement-breakpoint
CREATE TRIGGER image_rule_history_close_only BEFORE UPDATE ON hss_internal.image_rule_history
  FOR EACH ROW EXECUTE FUNCTION hss_internal.history_close_only();
--> statement-breakpoint
-- ==============================================================================================
-- Grants: INSERT and the closing columns only; the anchors read-only; nothing writable in hss
-- ==============================================================================================
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON hss_internal.image_baseline_history, hss_internal.image_rule_history,
  hss_internal.history_chain_anchors FROM hss_writer;
--> statement-breakpoint
GRANT INSERT ON hss_internal.image_baseline_history, hss_internal.image_rule_history TO hss_writer;
--> statement-breakpoint
GRANT UPDATE (valid_to, closed_run_id, chain_hash) ON hss_internal.image_baseline_history,
  hss_internal.image_rule_history TO hss_writer;
--> statement-breakpoint
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA hss FROM hss_writer;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA hss REVOKE INSERT, UPDATE, DELETE ON TABLES FROM hss_writer;
