CREATE OR REPLACE VIEW hss.sync_scope_runs AS
SELECT * FROM hss_internal.sync_scope_runs;

SELECT hss_internal.comment_on_view('hss.sync_scope_runs', $doc$
Per-scope ledger: one row per run and scope (project, enterprise project, image type).
run_id: The run (hss.sync_runs.run_id).
target: Name of the configured target (region, project, credentials) the scope belongs to.
image_type: HSS image type (private_image, shared_image, local_image, instance_image, registry, local, cicd).
status: running, succeeded, partial, failed or aborted.
started_at: When the scope started.
finished_at: When the scope ended; NULL while running.
inventory_complete: True when the image inventory was complete (all pages, stable total, distinct count = total).
images_listed: Image references (tags) listed.
images_distinct: Distinct image contents (image_id) listed.
images_due: Images whose results needed a fetch.
images_fetched: Images whose results were fetched and written.
images_not_scanned: Due images recorded as not scanned upstream.
images_pending: Due images left for a later run.
images_retired: Image contents marked removed.
versions_opened: Result versions opened.
versions_closed: Result versions closed.
api_calls: HTTP calls made for this scope, retries included.
throttled: Calls answered 429 (throttled).
retries: Calls that were retries of an earlier attempt.
calls_by_api: HTTP calls per API name, as a JSON object.
eta_seconds: Estimated seconds to fetch the pending images at the current call budget.
error: Short, secret-free reason when the scope did not succeed.
items_quarantined: Schema-invalid listing items and results of this scope skipped and logged (with request id) instead of stored: an image whose results were quarantined stays due, an inventory with a quarantined item retires nothing; the scope ends partial, or failed past HSS_MAX_QUARANTINED_ITEMS.
$doc$);

REVOKE ALL ON hss.sync_scope_runs FROM hss_reader, hss_writer;
GRANT SELECT ON hss.sync_scope_runs TO hss_reader, hss_writer;
