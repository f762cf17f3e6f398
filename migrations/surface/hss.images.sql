CREATE OR REPLACE VIEW hss.images AS
SELECT
  r.project_id,
  r.enterprise_project_id,
  r.image_type,
  r.image_id,
  r.image_digest,
  r.namespace,
  r.image_name,
  r.image_version,
  r.instance_id,
  r.host_id,
  r.scan_status,
  r.latest_scan_time,
  r.first_seen_at,
  -- An unchanged reference is never rewritten, so a present one was last seen by its scope's
  -- last complete inventory; a removed one keeps the time frozen at its removal.
  CASE
    WHEN r.removed_at IS NULL THEN greatest(r.last_seen_at, s.last_complete_inventory_at)
    ELSE r.last_seen_at
  END AS last_seen_at,
  r.removed_at,
  r.registry_name,
  r.registry_type,
  r.host_name,
  r.unsafe_setting_num,
  r.image_size,
  r.latest_update_time,
  r.listed_image_type,
  CASE WHEN r.image_type = 'registry' THEN r.listed_image_type END AS registry_kind,
  r.severity_level,
  hss.severity_rank(r.severity_level) AS severity_level_rank,
  r.scan_failed_desc,
  r.scan_failed_code,
  r.non_scan_reason,
  r.latest_version,
  r.latest_sync_time,
  r.instance_name,
  r.is_multiple_arch,
  r.cicd_name,
  r.pipeline_type,
  r.local_image_type,
  r.agent_id,
  r.host_num,
  r.raw
FROM hss_internal.image_refs r
LEFT JOIN hss_internal.scope_state s
  ON s.project_id = r.project_id
  AND s.enterprise_project_id = r.enterprise_project_id
  AND s.image_type = r.image_type;

COMMENT ON VIEW hss.images IS 'One row per image reference (tag) ever listed, present or removed.';
COMMENT ON COLUMN hss.images.project_id IS 'Huawei Cloud project ID.';
COMMENT ON COLUMN hss.images.enterprise_project_id IS 'Enterprise project ID (0 = default).';
COMMENT ON COLUMN hss.images.image_type IS 'HSS image type of the scope that listed it.';
COMMENT ON COLUMN hss.images.image_id IS 'Image content ID; several references may share one.';
COMMENT ON COLUMN hss.images.image_digest IS 'Image digest as listed.';
COMMENT ON COLUMN hss.images.namespace IS 'Registry namespace (organisation).';
COMMENT ON COLUMN hss.images.image_name IS 'Image (repository) name.';
COMMENT ON COLUMN hss.images.image_version IS 'Image version (tag).';
COMMENT ON COLUMN hss.images.instance_id IS 'SWR enterprise instance ID, when any.';
COMMENT ON COLUMN hss.images.host_id IS 'Host ID, for local images.';
COMMENT ON COLUMN hss.images.scan_status IS 'HSS scan status as listed (unscan, success, scanning, failed, waiting_for_scan, ...).';
COMMENT ON COLUMN hss.images.latest_scan_time IS 'When HSS last scanned the image; NULL when never (HSS lists 0 while an image waits for its first scan).';
COMMENT ON COLUMN hss.images.first_seen_at IS 'When the sync first listed this reference.';
COMMENT ON COLUMN hss.images.last_seen_at IS 'When the sync last saw this reference listed (by a complete inventory when present).';
COMMENT ON COLUMN hss.images.removed_at IS 'When a complete inventory no longer listed it; NULL while present.';
COMMENT ON COLUMN hss.images.registry_name IS 'Registry name as listed.';
COMMENT ON COLUMN hss.images.registry_type IS 'Registry type as listed (e.g. SWR, harbor, jfrog).';
COMMENT ON COLUMN hss.images.host_name IS 'Host name, for local images.';
COMMENT ON COLUMN hss.images.unsafe_setting_num IS 'Failed baseline items HSS reported in the listing.';
COMMENT ON COLUMN hss.images.image_size IS 'Image size in bytes as listed.';
COMMENT ON COLUMN hss.images.latest_update_time IS 'When the image was last updated upstream.';
COMMENT ON COLUMN hss.images.listed_image_type IS 'The row''s own image_type as listed; in the registry scope the registry kind (SWR, Harbor, JFrog...).';
COMMENT ON COLUMN hss.images.registry_kind IS 'In the registry scope (image_type registry), the registry''s own kind (SWR, Harbor, JFrog...): listed_image_type; NULL in other scopes.';
COMMENT ON COLUMN hss.images.severity_level IS 'Image risk level as listed (severity_level).';
COMMENT ON COLUMN hss.images.severity_level_rank IS 'severity_level as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.';
COMMENT ON COLUMN hss.images.scan_failed_desc IS 'Why the scan failed, as listed (scan_failed_desc).';
COMMENT ON COLUMN hss.images.scan_failed_code IS 'Scan failure code, as listed (scan_failed_code).';
COMMENT ON COLUMN hss.images.non_scan_reason IS 'Why the image is not scanned, as listed (non_scan_reason).';
COMMENT ON COLUMN hss.images.latest_version IS 'Latest version of the image, as listed (latest_version).';
COMMENT ON COLUMN hss.images.latest_sync_time IS 'When HSS last synchronised the image from its registry (latest_sync_time).';
COMMENT ON COLUMN hss.images.instance_name IS 'SWR enterprise instance name, as listed.';
COMMENT ON COLUMN hss.images.is_multiple_arch IS 'Whether the image is multi-architecture, as listed.';
COMMENT ON COLUMN hss.images.cicd_name IS 'CI/CD name, for cicd images.';
COMMENT ON COLUMN hss.images.pipeline_type IS 'Pipeline type, for cicd images.';
COMMENT ON COLUMN hss.images.local_image_type IS 'Local image type, for local images.';
COMMENT ON COLUMN hss.images.agent_id IS 'HSS agent ID of the host, for local images.';
COMMENT ON COLUMN hss.images.host_num IS 'Hosts holding the image, for local images.';
COMMENT ON COLUMN hss.images.raw IS 'The whole listing item as received (JSON): nothing the API says is lost. NULL for references last written before it was kept.';

REVOKE ALL ON hss.images FROM hss_reader, hss_writer;
GRANT SELECT ON hss.images TO hss_reader;
GRANT SELECT ON hss.images TO hss_writer;
