-- A plain SQL function (like image_baselines_as_of) so the planner inlines it.
CREATE OR REPLACE FUNCTION hss.image_baseline_rules_as_of(at_time timestamptz)
RETURNS TABLE (
  project_id text, enterprise_project_id text, image_type text, image_id text,
  check_name text, check_type text, standard text,
  check_rule_id text, check_rule_name text, severity text, scan_result text,
  valid_from timestamptz, valid_to timestamptz, version_id bigint,
  scanned_at timestamptz, source_api text
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT h.project_id, h.enterprise_project_id, h.image_type, h.image_id, h.check_name, h.check_type,
         h.standard, h.check_rule_id, h.check_rule_name, h.severity, h.scan_result, h.valid_from,
         h.valid_to, h.version_id, h.scanned_at, h.source_api
  FROM hss.image_rule_history h
  WHERE h.valid_from <= at_time AND (h.valid_to IS NULL OR h.valid_to > at_time)
$$;

COMMENT ON FUNCTION hss.image_baseline_rules_as_of(timestamptz) IS 'Point-in-time audit of rules: every rule result version valid at the given instant (valid_from <= t < valid_to), from image_rule_history, with the HSS scan time (scanned_at) and API (source_api) that produced it.';

REVOKE ALL ON FUNCTION hss.image_baseline_rules_as_of(timestamptz) FROM hss_reader, hss_writer;
GRANT EXECUTE ON FUNCTION hss.image_baseline_rules_as_of(timestamptz) TO hss_reader, hss_writer;
