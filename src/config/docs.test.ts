import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, CONFIG_DOC, END_MARKER, injectConfigTable, renderConfigTable } from './docs.js';
import { ENV_VARS, SPEC } from './env-spec.js';
import { readSettings } from './read.js';

const doc = readFileSync(new URL(`../../${CONFIG_DOC}`, import.meta.url), 'utf8');

describe('configuration reference', () => {
  it(`${CONFIG_DOC} carries exactly the table generated from the config spec (run npm run docs:config)`, () => {
    expect(injectConfigTable(doc)).toBe(doc);
  });

  it('the table documents every variable of the spec, once, with the spec default', () => {
    const table = doc.slice(doc.indexOf(BEGIN_MARKER), doc.indexOf(END_MARKER));
    const rows = [...table.matchAll(/^\| `([A-Z_]+)`[^|]*\| (.*?) \| /gm)].map((m) => [m[1]!, m[2]!]);
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(SPEC).sort());
    for (const [name, shown] of rows) {
      expect(shown, name).toBe(ENV_VARS.find((v) => v.name === name)!.default.replace(/\|/g, '\\|'));
    }
    expect(renderConfigTable()).toContain('`HSS_SECRET_KEY` (or `HSS_SECRET_KEY_FILE`)');
  });

  it('finds a stale table and refuses a page without the markers', () => {
    const stale = doc.replace('| `HSS_PAGE_SIZE` | `200` |', '| `HSS_PAGE_SIZE` | `100` |');
    expect(stale).not.toBe(doc);
    expect(injectConfigTable(stale)).toBe(doc);
    expect(() => injectConfigTable('# no table here')).toThrow(
      `${CONFIG_DOC} lacks the config-table markers`,
    );
  });

  it('every documented default is a valid value of its variable', () => {
    const s = readSettings({});
    for (const name of Object.keys(SPEC) as (keyof typeof SPEC)[]) {
      const d: string | undefined = SPEC[name].default;
      if (d !== undefined) expect(() => s.get(name), name).not.toThrow();
    }
    expect(s.get('HSS_RULE_DETAIL')).toBe('failed');
    expect(s.get('HSS_MAX_RESULT_AGE')).toBe(7 * 86_400_000);
    expect(s.get('HSS_MAX_QUARANTINED_ITEMS')).toBe(10);
  });
});
