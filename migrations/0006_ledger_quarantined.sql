ALTER TABLE "hss"."sync_runs" ADD COLUMN "items_quarantined" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hss"."sync_scope_runs" ADD COLUMN "items_quarantined" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written: the new ledger columns described, as every public column is.
COMMENT ON COLUMN hss.sync_runs.items_quarantined IS 'Schema-invalid listing items and results skipped and logged (with request id) instead of stored, over all scopes: an image whose results were quarantined stays due, an inventory with a quarantined item retires nothing, and the run ends partial.';
COMMENT ON COLUMN hss.sync_scope_runs.items_quarantined IS 'Schema-invalid listing items and results of this scope skipped and logged (with request id) instead of stored: an image whose results were quarantined stays due, an inventory with a quarantined item retires nothing; the scope ends partial, or failed past HSS_MAX_QUARANTINED_ITEMS.';
