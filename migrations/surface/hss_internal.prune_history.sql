-- History retention (HSS_HISTORY_RETENTION_DAYS, src/db/retention.ts): the only way the worker's
-- login deletes history versions, since it holds no DELETE on the histories
-- (migrations/0003_append_only_history.sql). Runs as its owner (SECURITY DEFINER, search_path
-- pinned) and deletes only closed baseline versions that ended before `before`; per key the chain
-- hash of the last of them becomes (or replaces an older) anchor of the key in the same
-- statement: the prev_hash its first remaining version carries (docs/sql.md, "Tamper evidence";
-- docs/audit.md). Open versions are never touched. Returns how many versions went.
CREATE OR REPLACE FUNCTION hss_internal.prune_history(before timestamptz, at timestamptz)
RETURNS integer
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
WITH gone AS (
  DELETE FROM hss_internal.image_baseline_history
  WHERE valid_to IS NOT NULL AND valid_to < before
  RETURNING result_key, chain_hash, valid_from, valid_to
),
last AS (
  SELECT DISTINCT ON (result_key) result_key, chain_hash, valid_from, valid_to
  FROM gone ORDER BY result_key, valid_from DESC
),
anchored AS (
  INSERT INTO hss_internal.history_chain_anchors AS a (history, key, chain_hash, valid_from, valid_to, pruned_at)
  SELECT 'baseline', result_key, chain_hash, valid_from, valid_to, at FROM last WHERE chain_hash IS NOT NULL
  ON CONFLICT (history, key) DO UPDATE SET chain_hash = excluded.chain_hash,
    valid_from = excluded.valid_from, valid_to = excluded.valid_to, pruned_at = excluded.pruned_at
  WHERE excluded.valid_from > a.valid_from
)
SELECT count(*)::integer FROM gone
$$;
COMMENT ON FUNCTION hss_internal.prune_history(timestamptz, timestamptz) IS 'History retention: deletes the closed baseline versions that ended before `before` and records per key the chain hash of the last one deleted as its anchor (pruned_at = `at`), in one statement. The only path by which hss_writer deletes history (docs/audit.md).';

REVOKE ALL ON FUNCTION hss_internal.prune_history(timestamptz, timestamptz) FROM PUBLIC, hss_reader, hss_writer;
GRANT EXECUTE ON FUNCTION hss_internal.prune_history(timestamptz, timestamptz) TO hss_writer;
