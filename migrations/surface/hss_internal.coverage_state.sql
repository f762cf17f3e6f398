-- The coverage state from the listing (scan status and time, unsafe settings), the fetch record
-- (`fetched`: results fetched and the content not removed since; the scan time they answered)
-- and the current results (how many; how many with failed items). Precedence: the first that
-- holds. A plain SQL function: the planner inlines it.
CREATE OR REPLACE FUNCTION hss_internal.coverage_state(
  scan_status text, latest_scan_time timestamptz, fetched boolean, fetched_scan_time timestamptz,
  unsafe_setting_num integer, baselines integer, baselines_failing integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN scan_status = 'failed' THEN 'scan_failed'
    WHEN scan_status IN ('unscan', 'waiting_for_scan', 'scanning') OR latest_scan_time IS NULL THEN 'not_scanned'
    WHEN fetched IS NOT TRUE OR fetched_scan_time IS NULL OR fetched_scan_time < latest_scan_time THEN 'pending'
    WHEN coalesce(baselines, 0) = 0 THEN 'no_results'
    WHEN (unsafe_setting_num > 0 AND coalesce(baselines_failing, 0) = 0)
      OR (unsafe_setting_num = 0 AND baselines_failing > 0) THEN 'inconsistent'
    ELSE 'covered'
  END
$$;

COMMENT ON FUNCTION hss_internal.coverage_state(text,timestamptz,boolean,timestamptz,integer,integer,integer) IS 'The coverage state of an image content (docs/sql.md, "Coverage"): scan_failed, not_scanned, pending, no_results, inconsistent or covered, the first that holds in that order.';

REVOKE ALL ON FUNCTION hss_internal.coverage_state(text,timestamptz,boolean,timestamptz,integer,integer,integer) FROM hss_reader, hss_writer;
GRANT EXECUTE ON FUNCTION hss_internal.coverage_state(text,timestamptz,boolean,timestamptz,integer,integer,integer) TO hss_writer;
