-- Hand-written: the 14-argument forms of the open-hash functions (hss-chain-v1 only), which the
-- series before the squash created and nothing calls any more: the writer calls the 16-argument
-- forms (they give the same hss-chain-v1 hash when scanned_at and source_api are NULL) and verify
-- recomputes hashes in TypeScript. A database migrated by this series never had them (IF EXISTS).
DROP FUNCTION IF EXISTS hss_internal.baseline_version_hash(bytea, text, text, text, text, text, text, text, text, integer, integer, text, timestamptz, uuid);
--> statement-breakpoint
DROP FUNCTION IF EXISTS hss_internal.rule_version_hash(bytea, text, text, text, text, text, text, text, text, text, text, text, timestamptz, uuid);
