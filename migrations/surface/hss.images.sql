CREATE OR REPLACE VIEW hss.images AS
SELECT
  r.project_id, r.enterprise_project_id, r.image_type, r.image_id,
  r.image_digest, r.namespace, r.image_name, r.image_version,
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

SELECT hss_internal.comment_on_view('hss.images', $doc$
One row per image reference (tag) ever listed, present or removed.
image_type: HSS image type of the scope that listed it.
image_id: Image content ID; several references may share one.
image_digest: Image digest as listed.
namespace: Registry namespace (organisation).
image_name: Image (repository) name.
image_version: Image version (tag).
instance_id: SWR enterprise instance ID, when any.
host_id: Host ID, for local images.
scan_status: HSS scan status as listed (unscan, success, scanning, failed, waiting_for_scan, ...).
latest_scan_time: When HSS last scanned the image; NULL when never (HSS lists 0 while an image waits for its first scan).
first_seen_at: When the sync first listed this reference.
last_seen_at: When the sync last saw this reference listed (by a complete inventory when present).
removed_at: When a complete inventory no longer listed it; NULL while present.
registry_name: Registry name as listed.
registry_type: Registry type as listed (e.g. SWR, harbor, jfrog).
host_name: Host name, for local images.
unsafe_setting_num: Failed baseline items HSS reported in the listing.
image_size: Image size in bytes as listed.
latest_update_time: When the image was last updated upstream.
listed_image_type: The row's own image_type as listed; in the registry scope the registry kind (SWR, Harbor, JFrog...).
registry_kind: In the registry scope (image_type registry), the registry's own kind (SWR, Harbor, JFrog...): listed_image_type; NULL in other scopes.
severity_level: Image risk level as listed (severity_level).
severity_level_rank: severity_level as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown.
scan_failed_desc: Why the scan failed, as listed (scan_failed_desc).
scan_failed_code: Scan failure code, as listed (scan_failed_code).
non_scan_reason: Why the image is not scanned, as listed (non_scan_reason).
latest_version: Latest version of the image, as listed (latest_version).
latest_sync_time: When HSS last synchronised the image from its registry (latest_sync_time).
instance_name: SWR enterprise instance name, as listed.
is_multiple_arch: Whether the image is multi-architecture, as listed.
cicd_name: CI/CD name, for cicd images.
pipeline_type: Pipeline type, for cicd images.
local_image_type: Local image type, for local images.
agent_id: HSS agent ID of the host, for local images.
host_num: Hosts holding the image, for local images.
raw: The whole listing item as received (JSON): nothing the API says is lost. NULL for references last written before it was kept.
$doc$);

REVOKE ALL ON hss.images FROM hss_reader, hss_writer;
GRANT SELECT ON hss.images TO hss_reader, hss_writer;
