/**
 * docs/views.md is what the database says about its public surface: the committed page equals
 * the page rendered from a freshly migrated database (run `npm run docs:views` after changing a
 * comment in migrations/surface/), and a comment changed in the database changes the page.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderViewsDoc, VIEWS_DOC } from '../../src/db/views-doc.js';
import { useTestDatabase } from '../helpers/db.js';

const committed = readFileSync(new URL(`../../${VIEWS_DOC}`, import.meta.url), 'utf8');

describe(VIEWS_DOC, () => {
  const t = useTestDatabase();

  it('equals the page rendered from the migrated database (run npm run docs:views)', async () => {
    expect(await renderViewsDoc(t.pool)).toBe(committed);
  });

  it('lists every view and function of schema hss, each object and column with a comment', async () => {
    const { rows } = await t.pool.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'hss' and c.relkind = 'v'
       union all
       select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'hss'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const { name } of rows) expect(committed, name).toContain(`### hss.${name}`);
    expect(committed).not.toContain('(no comment)');
    expect(committed).not.toMatch(/\| — \|$/m);
    expect(committed).toContain(
      '| `severity_rank` | integer | severity as a number: Security 0, Low 1, Medium 2, High 3, Critical 4; NULL when absent or unknown. |',
    );
  });

  it('changes when a comment in the database changes, and shows a missing one', async () => {
    await t.pool.query(`comment on column hss.images.image_id is 'planted | text'`);
    await t.pool.query(`comment on view hss.scope_status is null`);
    const page = await renderViewsDoc(t.pool);
    expect(page).not.toBe(committed);
    expect(page).toContain('| `image_id` | text | planted \\| text |');
    expect(page).toMatch(/### hss\.scope_status\n\n\(no comment\)\n/);
  });
});
