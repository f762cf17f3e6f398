-- The shared call budget (src/db/call-budget.ts): the worker reads and updates its rows; nobody
-- else sees them (hss_reader has no access to hss_internal).
COMMENT ON TABLE hss_internal.api_call_budget IS 'Recent HSS calls per (credential fingerprint, API), shared by every process and replica using the credential so together they keep to HSS''s per-minute limit. credential_key is a SHA-256 fingerprint, never the credential.';
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON hss_internal.api_call_budget TO hss_writer;
