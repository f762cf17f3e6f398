CREATE OR REPLACE VIEW hss.posture_daily AS
SELECT
  p.day,
  p.project_id, p.enterprise_project_id, p.image_type, p.check_name, p.check_type, p.standard,
  p.severity,
  hss.severity_rank(p.severity) AS severity_rank,
  p.images,
  p.images_failing,
  p.failed_items,
  p.check_items,
  EXISTS (
    SELECT 1
    FROM hss_internal.sync_scope_runs r
    WHERE r.project_id = p.project_id AND r.enterprise_project_id = p.enterprise_project_id AND r.image_type = p.image_type
      AND r.started_at >= (p.day::timestamp AT TIME ZONE 'UTC')
      AND r.started_at < ((p.day + 1)::timestamp AT TIME ZONE 'UTC')
      AND r.status IN ('succeeded', 'partial')
  ) AS observed
FROM hss_internal.posture_daily_facts p;

SELECT hss_internal.comment_on_view('hss.posture_daily', $doc$
Posture per UTC day, project, enterprise project, image type, baseline, standard and severity: the daily facts summed (an image has at most one result per group). An image with results under several baselines or standards counts once in each group. observed tells days a sync looked at the scope from days carried forward.
day: UTC day.
severity: Severity of the results in the group: Security, Low, Medium, High; severity_rank orders them.
images: Images with a result in the group.
images_failing: Images whose result has at least one failed check item.
failed_items: Failed check items, summed over the images.
check_items: Check items, summed over the images.
observed: True when a sync looked at the scope that UTC day (a scope run that started that day ended succeeded or partial); false when the day's values were carried forward from an earlier day.
$doc$);

REVOKE ALL ON hss.posture_daily FROM hss_reader, hss_writer;
GRANT SELECT ON hss.posture_daily TO hss_reader, hss_writer;
