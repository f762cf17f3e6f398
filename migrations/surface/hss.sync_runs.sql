CREATE OR REPLACE VIEW hss.sync_runs AS
SELECT * FROM hss_internal.sync_runs;

SELECT hss_internal.comment_on_view('hss.sync_runs', $doc$
Run ledger: one row per sync run, with its outcome and totals.
run_id: Run identifier.
started_at: When the run started.
finished_at: When the run ended; NULL while running.
status: running, succeeded, partial (some scopes or images left for the next run), failed or aborted.
trigger: What started the run: cli, schedule or demo.
worker: Process that ran it, as host:pid.
scopes_total: Scopes (project, enterprise project, image type) the run covered.
scopes_succeeded: Scopes that ended succeeded.
scopes_partial: Scopes that ended partial.
scopes_failed: Scopes that ended failed or aborted.
images_listed: Image references (tags) listed upstream.
images_distinct: Distinct image contents (image_id) listed upstream.
images_due: Images whose results needed a fetch (new, rescanned or too old).
images_fetched: Images whose results were fetched and written.
images_not_scanned: Due images recorded as not scanned upstream (no results to fetch).
images_pending: Due images left for a later run (budget or deadline).
images_retired: Image contents marked removed because a complete inventory no longer listed them.
versions_opened: Result versions opened in image_baseline_history.
versions_closed: Result versions closed in image_baseline_history.
api_calls: HTTP calls made to HSS and IAM, retries included.
throttled: Calls answered 429 (throttled).
retries: Calls that were retries of an earlier attempt.
calls_by_api: HTTP calls per API name, as a JSON object.
error: Short, secret-free reason when the run did not succeed.
rule_images_due: Images whose rules were due (summary changed since their rules were fetched).
rule_images_fetched: Images whose rules the run fetched and wrote.
rule_images_pending: Images whose rules are still due after the run (deadline, failures).
rule_versions_opened: Rule result versions opened.
rule_versions_closed: Rule result versions closed.
rule_descriptions_fetched: Rule descriptions fetched or refreshed.
items_quarantined: Schema-invalid listing items and results skipped and logged (with request id) instead of stored, over all scopes: an image whose results were quarantined stays due, an inventory with a quarantined item retires nothing, and the run ends partial.
api_backlog: Per HSS API, where the run left its call budget: {"<API>": {calls_made, calls_due, rate_per_minute, catch_up_seconds}}. calls_due counts the calls known to be still due (summaries of pending images, rule pages of images whose rules are pending, descriptions not fetched); catch_up_seconds is the time that API's own per-minute budget needs for them. The APIs work side by side, so the run catches up in the largest catch_up_seconds. Updated while the run is running; NULL for runs recorded before this column existed.
maintenance: What the end-of-run maintenance did: {"started_at", "duration_ms", "daily_days" (days of daily facts rebuilt), "pruned": {"facts", "posture", "runs", "versions"} (rows the retention deleted), "error" (why it failed, else null)}. Its failure leaves the run's status as it is; the next run repairs the facts. NULL when it did not run (an aborted run) or for runs recorded before this column existed.
coverage: Current images per coverage state in the run's scopes when it ended: {"covered", "not_scanned", "scan_failed", "no_results", "inconsistent", "pending"} (hss.image_coverage). NULL when not counted (an aborted run) or for runs recorded before this column existed.
schedule: The schedule of the daemon that started the run: {"expression" (cron, node-cron syntax), "timezone"}; what `status` shows as the next run when SYNC_SCHEDULE is not set where it runs. NULL for one-off runs (`sync`, a demo with --once) and for runs recorded before this column existed.
$doc$);

REVOKE ALL ON hss.sync_runs FROM hss_reader, hss_writer;
GRANT SELECT ON hss.sync_runs TO hss_reader, hss_writer;
