ALTER TABLE "hss_internal"."sync_runs" ADD COLUMN "maintenance" jsonb;--> statement-breakpoint
COMMENT ON COLUMN hss_internal.sync_runs.maintenance IS 'What the end-of-run maintenance did: {"started_at", "duration_ms", "daily_days" (days of daily facts rebuilt), "pruned": {"facts", "posture", "runs", "versions"} (rows the retention deleted), "error" (why it failed, else null)}. Its failure leaves the run''s status as it is; the next run repairs the facts. NULL when it did not run (an aborted run) or for runs recorded before this column existed.';
--> statement-breakpoint
-- The public view was expanded at its creation: it gains the new column (appended, so the view may be replaced in place; its grants stay).
CREATE OR REPLACE VIEW hss.sync_runs AS
SELECT * FROM hss_internal.sync_runs;
--> statement-breakpoint
COMMENT ON COLUMN hss.sync_runs.maintenance IS 'What the end-of-run maintenance did: {"started_at", "duration_ms", "daily_days" (days of daily facts rebuilt), "pruned": {"facts", "posture", "runs", "versions"} (rows the retention deleted), "error" (why it failed, else null)}. Its failure leaves the run''s status as it is; the next run repairs the facts. NULL when it did not run (an aborted run) or for runs recorded before this column existed.';
