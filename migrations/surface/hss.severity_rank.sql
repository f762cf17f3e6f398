CREATE OR REPLACE FUNCTION hss.severity_rank(severity text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE severity
    WHEN 'Security' THEN 0 WHEN 'Low' THEN 1 WHEN 'Medium' THEN 2 WHEN 'High' THEN 3 WHEN 'Critical' THEN 4
  END
$$;

COMMENT ON FUNCTION hss.severity_rank(text) IS 'Severity as a number to sort and colour by: Security 0, Low 1, Medium 2, High 3, Critical 4 (Critical is reported for rules only); NULL when absent or unknown. ORDER BY hss.severity_rank(severity) DESC puts the worst first; every public severity column has a *_rank column beside it.';

REVOKE ALL ON FUNCTION hss.severity_rank(text) FROM hss_reader, hss_writer;
GRANT EXECUTE ON FUNCTION hss.severity_rank(text) TO hss_reader, hss_writer;
