import { getTableColumns, type Table } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  IMAGE_KEY_COLUMNS,
  imageBaselineHistory,
  imageContents,
  imageRuleHistory,
  RESULT_KEY_COLUMNS,
  RULE_KEY_COLUMNS,
  RULE_RESULT_KEY_COLUMNS,
  resultKeySql,
  ruleDescriptions,
} from './index.js';

const names = (t: Table) => Object.values(getTableColumns(t)).map((c) => c.name);

describe('the key column lists the SQL is built from', () => {
  it('are the key columns of the tables, in table order', () => {
    expect(names(imageContents).slice(0, 4)).toEqual([...IMAGE_KEY_COLUMNS]);
    expect(names(imageBaselineHistory).slice(1, 8)).toEqual([...RESULT_KEY_COLUMNS]);
    expect(names(imageRuleHistory).slice(1, 9)).toEqual([...RULE_RESULT_KEY_COLUMNS]);
    expect(names(ruleDescriptions).slice(0, 4)).toEqual([...RULE_KEY_COLUMNS]);
  });

  it('hash every key column with its length, over an alias or the row itself', () => {
    expect(resultKeySql('r')).toBe(
      `md5(${RESULT_KEY_COLUMNS.map((c) => `length(r.${c})::text || ':' || r.${c}`).join(' || ')})::uuid`,
    );
    expect(resultKeySql()).toMatch(/^md5\(length\(project_id\)::text \|\| ':' \|\| project_id \|\| /);
  });
});
