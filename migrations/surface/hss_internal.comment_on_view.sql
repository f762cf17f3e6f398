-- Comments a view and its columns from one text, as the surface files write them: the first line
-- is the view's comment, every other non-blank line `column: comment`. A column the text does not
-- name takes the comment of its name in the glossary below (a name means the same thing in every
-- view unless the view says otherwise). A column with neither, or a line naming no column of the
-- view, is an error: every column of a public view is documented, and only its own columns.
CREATE OR REPLACE FUNCTION hss_internal.comment_on_view(view_name regclass, doc text) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  glossary constant jsonb := jsonb_build_object(
    'project_id', 'Huawei Cloud project ID.',
    'enterprise_project_id', 'Enterprise project ID (0 = default).',
    'image_type', 'HSS image type.',
    'image_id', 'Image content ID.',
    'check_name', 'Baseline name.',
    'check_type', 'Baseline type.',
    'standard', 'Standard.',
    'severity_rank', 'severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.');
  lines constant text[] := array_remove(ARRAY(SELECT btrim(l) FROM regexp_split_to_table(doc, E'\n') AS l), '');
  given jsonb := '{}';
  line text;
  col text;
  d text;
BEGIN
  IF cardinality(lines) = 0 THEN
    RAISE EXCEPTION 'the comment of % is empty', view_name;
  END IF;
  EXECUTE format('COMMENT ON VIEW %s IS %L', view_name, lines[1]);
  FOREACH line IN ARRAY lines[2:] LOOP
    IF line !~ '^[a-z_][a-z0-9_]*: ' THEN
      RAISE EXCEPTION 'the comment of % has the line "%", not "column: comment"', view_name, line;
    END IF;
    given := given || jsonb_build_object(split_part(line, ': ', 1), substr(line, strpos(line, ': ') + 2));
  END LOOP;
  FOR col IN
    SELECT a.attname::text FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = view_name AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
  LOOP
    d := coalesce(given ->> col, glossary ->> col);
    IF d IS NULL THEN
      RAISE EXCEPTION 'column % of % has no comment', col, view_name
        USING HINT = format('Add the line "%s: <what it means>" to its file in migrations/surface/.', col);
    END IF;
    EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', view_name, col, d);
    given := given - col;
  END LOOP;
  IF given <> '{}' THEN
    RAISE EXCEPTION 'the comment of % names %, not a column of it', view_name,
      (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(given) AS k);
  END IF;
END
$$;

COMMENT ON FUNCTION hss_internal.comment_on_view(regclass, text) IS 'Used by migrate only: comments a view and its columns from the text of its surface file (first line: the view; then "column: comment"; columns left out take the glossary''s comment of their name).';

REVOKE ALL ON FUNCTION hss_internal.comment_on_view(regclass, text) FROM PUBLIC, hss_reader, hss_writer;
