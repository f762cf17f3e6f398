import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { type ColumnRow, firstColumnDifference, readColumns, schemaDdl } from '../helpers/schema-columns.js';

// npm run check:migrations runs this file: the hand-written SQL of migrations/ cannot drift from
// the column definitions of src/db/schema/.
describe('the columns of a migrated database', () => {
  let migrated: TestDatabase;
  let reference: TestDatabase;
  let declared: ColumnRow[];
  beforeAll(async () => {
    [migrated, reference] = await Promise.all([createTestDatabase(), createTestDatabase({ migrate: false })]);
    // What src/db/schema/ declares, as PostgreSQL prints it.
    for (const statement of await schemaDdl()) await reference.pool.query(statement);
    declared = await readColumns(reference.pool);
  });
  afterAll(async () => {
    await Promise.all([migrated?.drop(), reference?.drop()]);
  });

  it('are those of src/db/schema/: name, type, nullability, default, identity, generation', async () => {
    expect(declared.length).toBeGreaterThan(150);
    expect(firstColumnDifference(declared, await readColumns(migrated.pool))).toBeNull();
  });

  it.each([
    [
      'ALTER TABLE hss_internal.image_rule_state ALTER COLUMN rule_detail TYPE varchar(8)',
      'column hss_internal.image_rule_state.rule_detail: type is "character varying(8)" in the database, "text" in src/db/schema/',
    ],
    [
      'ALTER TABLE hss_internal.sync_runs ALTER COLUMN worker SET NOT NULL',
      'column hss_internal.sync_runs.worker: notNull is true in the database, false in src/db/schema/',
    ],
    [
      `ALTER TABLE hss_internal.sync_runs ALTER COLUMN calls_by_api SET DEFAULT '[]'::jsonb`,
      `column hss_internal.sync_runs.calls_by_api: default is "'[]'::jsonb" in the database, "'{}'::jsonb" in src/db/schema/`,
    ],
    [
      'ALTER TABLE hss_internal.scope_state ADD COLUMN note text',
      'column hss_internal.scope_state.note is in the database but not in src/db/schema/',
    ],
    [
      'ALTER TABLE hss_internal.rule_descriptions DROP COLUMN check_info_list CASCADE',
      'column hss_internal.rule_descriptions.check_info_list is in src/db/schema/ but not in the database',
    ],
    [
      'CREATE TABLE hss_internal.notes (id integer)',
      'table hss_internal.notes is in the database but not in src/db/schema/',
    ],
  ])('a drift is named precisely: %s', async (ddl, message) => {
    const client = await migrated.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(ddl);
      expect(firstColumnDifference(declared, await readColumns(client))).toBe(message);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
