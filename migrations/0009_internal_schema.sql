-- Hand-written: only the public surface stays in schema hss (issue 16). Every table moves to
-- schema hss_internal, which hss_reader cannot even see; the five documented tables
-- (image_baseline_history, sync_runs, sync_scope_runs, image_rule_history, rule_descriptions) are
-- replaced in hss by views of the same name and columns (the histories gain severity_rank), so
-- BI tools and auditors query exactly what they did. The worker writes to hss_internal.
-- Views and foreign keys follow a moved table (they refer to it by OID); the SQL functions
-- (image_baselines_as_of, image_baseline_rules_as_of) name hss.image_baseline_history and
-- hss.image_rule_history, which now resolve to the views: same columns, same plans.
-- The migration journal (hss.__drizzle_migrations) is moved by src/db/migrate.ts right after the
-- migrations ran: drizzle records this very migration in it when it has finished.
CREATE SCHEMA IF NOT EXISTS hss_internal;
--> statement-breakpoint
COMMENT ON SCHEMA hss_internal IS 'hss-baseline-sync internals: the tables the worker writes. Not an API: read the views of schema hss.';
--> statement-breakpoint
ALTER TABLE hss.image_baseline_history SET SCHEMA hss_internal;
ALTER TABLE hss.sync_runs SET SCHEMA hss_internal;
ALTER TABLE hss.sync_scope_runs SET SCHEMA hss_internal;
ALTER TABLE hss.image_rule_history SET SCHEMA hss_internal;
ALTER TABLE hss.rule_descriptions SET SCHEMA hss_internal;
ALTER TABLE hss.image_contents SET SCHEMA hss_internal;
ALTER TABLE hss.image_refs SET SCHEMA hss_internal;
ALTER TABLE hss.scope_state SET SCHEMA hss_internal;
ALTER TABLE hss.result_keys SET SCHEMA hss_internal;
ALTER TABLE hss.image_baseline_daily_facts SET SCHEMA hss_internal;
ALTER TABLE hss.posture_daily_facts SET SCHEMA hss_internal;
ALTER TABLE hss.image_rule_state SET SCHEMA hss_internal;
--> statement-breakpoint
CREATE VIEW hss.image_baseline_history AS
SELECT version_id, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard, severity, check_rule_num, failed_rule_num, check_type_desc, valid_from, valid_to, opened_run_id, closed_run_id, result_key,
  hss.severity_rank(severity) AS severity_rank
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
  hss.severity_rank(severity) AS severity_rank
FROM hss_internal.image_rule_history;
--> statement-breakpoint
CREATE VIEW hss.rule_descriptions AS
SELECT * FROM hss_internal.rule_descriptions;
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
COMMENT ON COLUMN hss.image_rule_history.severity_rank IS 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON SCHEMA hss IS 'hss-baseline-sync: Huawei Cloud HSS container-image baseline check results and their history. Only views (and functions): the public surface, documented in docs/sql.md.';
--> statement-breakpoint
-- Reader: the views only, no way into hss_internal.
REVOKE ALL ON ALL TABLES IN SCHEMA hss_internal FROM hss_reader;
GRANT SELECT ON hss.image_baseline_history, hss.sync_runs, hss.sync_scope_runs, hss.image_rule_history,
  hss.rule_descriptions TO hss_reader;
--> statement-breakpoint
-- Writer: what it had on the tables (their grants moved with them), the new schema, and the views.
-- Tables a later migration creates in hss_internal are covered by default privileges.
GRANT USAGE ON SCHEMA hss_internal TO hss_writer;
GRANT SELECT ON hss.image_baseline_history, hss.sync_runs, hss.sync_scope_runs, hss.image_rule_history,
  hss.rule_descriptions TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss_internal GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hss_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA hss_internal GRANT USAGE ON SEQUENCES TO hss_writer;
