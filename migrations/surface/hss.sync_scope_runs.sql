CREATE OR REPLACE VIEW hss.sync_scope_runs AS
SELECT * FROM hss_internal.sync_scope_runs;

COMMENT ON VIEW hss.sync_scope_runs IS 'Per-scope ledger: one row per run and scope (project, enterprise project, image type).';
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
COMMENT ON COLUMN hss.sync_scope_runs.items_quarantined IS 'Schema-invalid listing items and results of this scope skipped and logged (with request id) instead of stored: an image whose results were quarantined stays due, an inventory with a quarantined item retires nothing; the scope ends partial, or failed past HSS_MAX_QUARANTINED_ITEMS.';

REVOKE ALL ON hss.sync_scope_runs FROM hss_reader, hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON hss.sync_scope_runs TO hss_writer;
GRANT SELECT ON hss.sync_scope_runs TO hss_reader;
