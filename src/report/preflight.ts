/**
 * Before the report is built: is there anything to report? A report as of an instant before any
 * chosen scope finished a run, or with filters that match no scope, would show empty tables that
 * read as "nothing wrong"; `report` refuses it instead (src/report/command.ts, exit 66).
 */
import { type Queryable, type ReportQuery, rows, SCOPES } from './queries.js';

/** Null when some chosen scope had finished a run by the instant; else the one-line reason. */
export async function findNothingToReport(db: Queryable, q: ReportQuery): Promise<string | null> {
  const [chosen] = await rows(db, `with ${SCOPES} select count(*)::int as n from scopes`, q);
  if (Number(chosen?.n) > 0) return null;
  const all = { ...q, filters: { targets: null, enterpriseProjects: null, imageTypes: null } };
  const [known] = await rows(
    db,
    `with ${SCOPES}
     select count(*)::int as n,
            string_agg(distinct target, ', ' order by target) as targets,
            string_agg(distinct enterprise_project_id, ', ' order by enterprise_project_id) as eps,
            string_agg(distinct image_type, ', ' order by image_type) as types,
            (select min(r.finished_at) from hss.sync_scope_runs r) as first_finished
       from scopes`,
    all,
  );
  const f = q.filters;
  const filtered = f.targets !== null || f.enterpriseProjects !== null || f.imageTypes !== null;
  if (Number(known?.n) === 0) {
    const first = known?.first_finished;
    return `no scope${filtered ? ' at all' : ''} had finished a run by --as-of ${q.asOf}: there is no evidence of that instant (${
      typeof first === 'string' ? `the first run finished at ${first}` : 'no run has finished yet'
    })`;
  }
  const given = [
    f.targets && `--target ${f.targets.join(',')}`,
    f.enterpriseProjects && `--enterprise-project ${f.enterpriseProjects.join(',')}`,
    f.imageTypes && `--image-type ${f.imageTypes.join(',')}`,
  ]
    .filter(Boolean)
    .join(' ');
  return `${given} match no scope with a run finished by --as-of ${q.asOf} (scopes then: targets ${known?.targets}; enterprise projects ${known?.eps}; image types ${known?.types})`;
}
