-- Hand-written: what drizzle-kit cannot express. The exclusion constraint that keeps history
-- exact, the public views, and a comment on every public table, view and column (BI users
-- read them in their SQL clients).

-- btree_gist gives uuid a GiST operator class. IF NOT EXISTS keeps an existing installation
-- (in whatever schema) untouched; the default operator class is found in any schema.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
--> statement-breakpoint
ALTER TABLE hss.image_baseline_history
  ADD CONSTRAINT image_baseline_history_no_overlap
  EXCLUDE USING gist (result_key WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&);
--> statement-breakpoint
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
FROM hss.image_refs r
LEFT JOIN hss.scope_state s
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
    FROM hss.image_baseline_history f
    WHERE f.result_key = h.result_key
  ) AS first_seen_at,
  c.fetched_at AS last_verified_at
FROM hss.image_baseline_history h
JOIN hss.image_contents c
  ON c.project_id = h.project_id
  AND c.enterprise_project_id = h.enterprise_project_id
  AND c.image_type = h.image_type
  AND c.image_id = h.image_id
WHERE h.valid_to IS NULL
  AND c.removed_at IS NULL;
--> statement-breakpoint
COMMENT ON SCHEMA hss IS 'hss-baseline-sync: Huawei Cloud HSS container-image baseline check results and their history.';
--> statement-breakpoint
COMMENT ON TABLE hss.sync_runs IS 'Run ledger: one row per sync run, with its outcome and totals.';
COMMENT ON COLUMN hss.sync_runs.run_id IS 'Run identifier.';
COMMENT ON COLUMN hss.sync_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN hss.sync_runs.finished_at IS 'When the run ended; NULL while running.';
COMMENT ON COLUMN hss.sync_runs.status IS 'running, succeeded, partial (some scopes or images left for the next run), failed or aborted.';
COMMENT ON COLUMN hss.sync_runs.trigger IS 'What started the run: cli, schedule or demo.';
COMMENT ON COLUMN hss.sync_runs.worker IS 'Process that ran it, as host:pid.';
COMMENT ON COLUMN hss.sync_runs.scopes_total IS 'Scopes (project, enterprise project, image type) the run covered.';
COMMENT ON COLUMN hss.sync_runs.scopes_succeeded IS 'Scopes that ended succeeded.';
COMMENT ON COLUMN hss.sync_runs.scopes_partial IS 'Scopes that ended partial.';
COMMENT ON COLUMN hss.sync_runs.scopes_failed IS 'Scopes that ended failed or aborted.';
COMMENT ON COLUMN hss.sync_runs.images_listed IS 'Image references (tags) listed upstream.';
COMMENT ON COLUMN hss.sync_runs.images_distinct IS 'Distinct image contents (image_id) listed upstream.';
COMMENT ON COLUMN hss.sync_runs.images_due IS 'Images whose results needed a fetch (new, rescanned or too old).';
COMMENT ON COLUMN hss.sync_runs.images_fetched IS 'Images whose results were fetched and written.';
COMMENT ON COLUMN hss.sync_runs.images_not_scanned IS 'Due images recorded as not scanned upstream (no results to fetch).';
COMMENT ON COLUMN hss.sync_runs.images_pending IS 'Due images left for a later run (budget or deadline).';
COMMENT ON COLUMN hss.sync_runs.images_retired IS 'Image contents marked removed because a complete inventory no longer listed them.';
COMMENT ON COLUMN hss.sync_runs.versions_opened IS 'Result versions opened in image_baseline_history.';
COMMENT ON COLUMN hss.sync_runs.versions_closed IS 'Result versions closed in image_baseline_history.';
COMMENT ON COLUMN hss.sync_runs.api_calls IS 'HTTP calls made to HSS and IAM, retries included.';
COMMENT ON COLUMN hss.sync_runs.throttled IS 'Calls answered 429 (throttled).';
COMMENT ON COLUMN hss.sync_runs.retries IS 'Calls that were retries of an earlier attempt.';
COMMENT ON COLUMN hss.sync_runs.calls_by_api IS 'HTTP calls per API name, as a JSON object.';
COMMENT ON COLUMN hss.sync_runs.error IS 'Short, secret-free reason when the run did not succeed.';
--> statement-breakpoint
COMMENT ON TABLE hss.sync_scope_runs IS 'Per-scope ledger: one row per run and scope (project, enterprise project, image type).';
COMMENT ON COLUMN hss.sync_scope_runs.run_id IS 'The run (hss.sync_runs.run_id).';
COMMENT ON COLUMN hss.sync_scope_runs.target IS 'Name of the configured target (region, project, credentials) the scope belongs to.';
COMMENT ON COLUMN hss.sync_scope_runs.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.sync_scope_runs.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.sync_scope_runs.image_type IS 'HSS image type (private_image, shared_image, local_image, instance_image, registry, local, cicd).';
COMMENT ON COLUMN hss.sync_scope_runs.status IS 'running, succeeded, partial, failed or aborted.';
COMMENT ON COLUMN hss.sync_scope_runs.started_at IS 'When the scope started.';
COMMENT ON COLUMN hss.sync_scope_runs.finished_at IS 'When the scope ended; NULL while running.';
COMMENT ON COLUMN hss.sync_scope_runs.inventory_complete IS 'True when the image inventory was complete (all pages, stable total, distinct count = total).';
COMMENT ON COLUMN hss.sync_scope_runs.images_listed IS 'Image references (tags) listed.';
COMMENT ON COLUMN hss.sync_scope_runs.images_distinct IS 'Distinct image contents (image_id) listed.';
COMMENT ON COLUMN hss.sync_scope_runs.images_due IS 'Images whose results needed a fetch.';
COMMENT ON COLUMN hss.sync_scope_runs.images_fetched IS 'Images whose results were fetched and written.';
COMMENT ON COLUMN hss.sync_scope_runs.images_not_scanned IS 'Due images recorded as not scanned upstream.';
COMMENT ON COLUMN hss.sync_scope_runs.images_pending IS 'Due images left for a later run.';
COMMENT ON COLUMN hss.sync_scope_runs.images_retired IS 'Image contents marked removed.';
COMMENT ON COLUMN hss.sync_scope_runs.versions_opened IS 'Result versions opened.';
COMMENT ON COLUMN hss.sync_scope_runs.versions_closed IS 'Result versions closed.';
COMMENT ON COLUMN hss.sync_scope_runs.api_calls IS 'HTTP calls made for this scope, retries included.';
COMMENT ON COLUMN hss.sync_scope_runs.throttled IS 'Calls answered 429 (throttled).';
COMMENT ON COLUMN hss.sync_scope_runs.retries IS 'Calls that were retries of an earlier attempt.';
COMMENT ON COLUMN hss.sync_scope_runs.calls_by_api IS 'HTTP calls per API name, as a JSON object.';
COMMENT ON COLUMN hss.sync_scope_runs.eta_seconds IS 'Estimated seconds to fetch the pending images at the current call budget.';
COMMENT ON COLUMN hss.sync_scope_runs.error IS 'Short, secret-free reason when the scope did not succeed.';
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
COMMENT ON TABLE hss.image_baseline_history IS 'Every version of every baseline result. A version is valid over [valid_from, valid_to); versions of one result never overlap.';
COMMENT ON COLUMN hss.image_baseline_history.version_id IS 'Version identifier.';
COMMENT ON COLUMN hss.image_baseline_history.project_id IS 'Huawei Cloud project ID (result key).';
COMMENT ON COLUMN hss.image_baseline_history.enterprise_project_id IS 'Enterprise project ID (result key).';
COMMENT ON COLUMN hss.image_baseline_history.image_type IS 'HSS image type (result key).';
COMMENT ON COLUMN hss.image_baseline_history.image_id IS 'Image content ID (result key).';
COMMENT ON COLUMN hss.image_baseline_history.check_name IS 'Baseline name, e.g. CentOS 7 (result key; empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_history.check_type IS 'Baseline type (result key; empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_history.standard IS 'Standard: cn_standard, hw_standard, ... (result key; empty string when absent).';
COMMENT ON COLUMN hss.image_baseline_history.severity IS 'Risk level: Security, Low, Medium, High.';
COMMENT ON COLUMN hss.image_baseline_history.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss.image_baseline_history.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss.image_baseline_history.check_type_desc IS 'Description of the baseline type.';
COMMENT ON COLUMN hss.image_baseline_history.valid_from IS 'When this version was first fetched.';
COMMENT ON COLUMN hss.image_baseline_history.valid_to IS 'When a fetch first showed it changed or gone; NULL = current version.';
COMMENT ON COLUMN hss.image_baseline_history.opened_run_id IS 'Run that opened this version.';
COMMENT ON COLUMN hss.image_baseline_history.closed_run_id IS 'Run that closed this version.';
COMMENT ON COLUMN hss.image_baseline_history.result_key IS 'Hash of the 7 result-key columns (md5 of each prefixed by its length), used by the constraints.';
--> statement-breakpoint
COMMENT ON VIEW hss.image_baselines IS 'Current baseline results of the images present upstream: the open versions of image_baseline_history.';
COMMENT ON COLUMN hss.image_baselines.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.image_baselines.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.image_baselines.image_type IS 'HSS image type.';
COMMENT ON COLUMN hss.image_baselines.image_id IS 'Image content ID.';
COMMENT ON COLUMN hss.image_baselines.check_name IS 'Baseline name (empty string when absent).';
COMMENT ON COLUMN hss.image_baselines.check_type IS 'Baseline type (empty string when absent).';
COMMENT ON COLUMN hss.image_baselines.standard IS 'Standard (empty string when absent).';
COMMENT ON COLUMN hss.image_baselines.severity IS 'Risk level: Security, Low, Medium, High.';
COMMENT ON COLUMN hss.image_baselines.check_rule_num IS 'Number of check items.';
COMMENT ON COLUMN hss.image_baselines.failed_rule_num IS 'Number of failed check items.';
COMMENT ON COLUMN hss.image_baselines.check_type_desc IS 'Description of the baseline type.';
COMMENT ON COLUMN hss.image_baselines.first_seen_at IS 'When this result was first fetched (earliest version).';
COMMENT ON COLUMN hss.image_baselines.last_verified_at IS 'When the image''s results were last fetched from HSS.';
--> statement-breakpoint
COMMENT ON TABLE hss.scope_state IS 'Internal: what the sync knows about each scope across runs.';
COMMENT ON TABLE hss.image_refs IS 'Internal: every image reference ever listed; read it through hss.images.';
COMMENT ON TABLE hss.image_contents IS 'Internal: per image content, the listing signal and time of the last results fetch.';
