-- A plain SQL function (no SET, not SECURITY DEFINER) so the planner inlines it and pushes a
-- caller's filters (image_id = ...) into the scan of the history.
CREATE OR REPLACE FUNCTION hss.image_baselines_as_of(at_time timestamptz)
RETURNS TABLE (
  project_id text, enterprise_project_id text, image_type text, image_id text,
  check_name text, check_type text, standard text,
  severity text, check_rule_num integer, failed_rule_num integer, check_type_desc text,
  valid_from timestamptz, valid_to timestamptz, version_id bigint,
  scanned_at timestamptz, source_api text
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type,
         h.standard, h.severity, h.check_rule_num, h.failed_rule_num, h.check_type_desc, h.valid_from,
         h.valid_to, h.version_id, h.scanned_at, h.source_api
  FROM hss.image_baseline_history h
  WHERE h.valid_from <= at_time AND (h.valid_to IS NULL OR h.valid_to > at_time)
$$;

COMMENT ON FUNCTION hss.image_baselines_as_of(timestamptz) IS 'Point-in-time audit: every result key with the values valid at the given instant (valid_from <= t < valid_to), from image_baseline_history, with the HSS scan time (scanned_at) and API (source_api) that produced them. Keys of images gone at that instant are absent.';

REVOKE ALL ON FUNCTION hss.image_baselines_as_of(timestamptz) FROM hss_reader, hss_writer;
GRANT EXECUTE ON FUNCTION hss.image_baselines_as_of(timestamptz) TO hss_reader, hss_writer;
