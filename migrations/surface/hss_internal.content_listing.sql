-- The listing of a present image content: of its present references, the one with the latest
-- scan (the planner's signal, src/sync/plan.ts), then the most recently changed, then ref_key.
-- A filter on the content's key columns is pushed into the scan of image_refs.
CREATE OR REPLACE VIEW hss_internal.content_listing AS
SELECT DISTINCT ON (r.project_id, r.enterprise_project_id, r.image_type, r.image_id)
  r.project_id, r.enterprise_project_id, r.image_type, r.image_id, r.ref_key, r.scan_status,
  r.latest_scan_time, r.unsafe_setting_num, r.scan_failed_desc, r.scan_failed_code, r.non_scan_reason,
  r.listed_image_type, r.severity_level, r.last_seen_at, r.changed_at, r.namespace, r.image_name,
  r.image_version, r.instance_id
FROM hss_internal.image_refs r
WHERE r.removed_at IS NULL
ORDER BY r.project_id, r.enterprise_project_id, r.image_type, r.image_id,
  r.latest_scan_time DESC NULLS LAST, r.changed_at DESC, r.ref_key;

COMMENT ON VIEW hss_internal.content_listing IS 'Internal: per present image content, the listing of one of its present references (latest scan, then most recently changed, then ref_key): what the coverage reads.';

REVOKE ALL ON hss_internal.content_listing FROM hss_reader, hss_writer;
GRANT SELECT ON hss_internal.content_listing TO hss_writer;
