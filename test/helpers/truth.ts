/**
 * Ground truth comparison for sync tests: what the simulator would answer, after the product's
 * documented normalisation, against what hss.image_baselines holds.
 */
import type { ResultValuesRow } from '../../src/db/writer/results-plan.js';
import type { RiskConfig } from '../../src/domain.js';
import type { Simulator } from '../../src/simulator/index.js';
import type { TestDatabase } from './db.js';

/** A current result row as the writer stores it. */
export type BaselineRow = ResultValuesRow;

/** The documented NUL policy: U+0000 is stored as U+FFFD. */
export const nulPolicy = (s: string | null) => (s === null ? null : s.replace(/\u0000/g, '\uFFFD'));

/** The result key columns of a row. */
export type ResultKeyRow = Pick<
  BaselineRow,
  | 'project_id'
  | 'enterprise_project_id'
  | 'image_type'
  | 'image_id'
  | 'check_name'
  | 'check_type'
  | 'standard'
>;

/** The result key of a row as one string. */
export const resultKeyOf = (r: ResultKeyRow) =>
  [
    r.project_id,
    r.enterprise_project_id,
    r.image_type,
    r.image_id,
    r.check_name,
    r.check_type,
    r.standard,
  ].join('\u0001');

/** Sorts rows by result key (stable comparisons of whole sets). */
export function sortRows<T extends ResultKeyRow>(rows: T[]): T[] {
  return rows.sort((a, b) =>
    resultKeyOf(a) < resultKeyOf(b) ? -1 : resultKeyOf(a) > resultKeyOf(b) ? 1 : 0,
  );
}

/** Every result the simulator holds now, optionally only for some image types. */
export function truthRows(sim: Simulator, imageTypes?: readonly string[]): BaselineRow[] {
  const rows: BaselineRow[] = [];
  for (const scope of sim.world.scopes()) {
    if (imageTypes && !imageTypes.includes(scope.imageType)) continue;
    for (const [imageId, results] of sim.world.groundTruth(scope)) {
      for (const r of results as RiskConfig[]) {
        rows.push({
          project_id: scope.projectId,
          enterprise_project_id: scope.enterpriseProjectId,
          image_type: scope.imageType,
          image_id: imageId,
          check_name: nulPolicy(r.checkName)!,
          check_type: nulPolicy(r.checkType)!,
          standard: nulPolicy(r.standard)!,
          severity: nulPolicy(r.severity),
          check_rule_num: r.checkRuleNum,
          failed_rule_num: r.failedRuleNum,
          check_type_desc: nulPolicy(r.checkTypeDesc),
        });
      }
    }
  }
  return sortRows(rows);
}

/** The current results as BI tools see them. */
export async function storedRows(t: Pick<TestDatabase, 'pool'>): Promise<BaselineRow[]> {
  const r = await t.pool.query<BaselineRow>(
    `select project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard,
            severity, check_rule_num, failed_rule_num, check_type_desc
       from hss.image_baselines`,
  );
  return sortRows(r.rows);
}
