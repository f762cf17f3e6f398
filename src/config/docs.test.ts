import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, END_MARKER, injectConfigTable, renderConfigTable } from './docs.js';
import { ENV_VARS, SPEC } from './env-spec.js';
import { readSettings } from './read.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('configuration reference', () => {
  it('README.md carries exactly the table generated from the config spec (run npm run docs:config)', () => {
    expect(injectConfigTable(readme)).toBe(readme);
  });

  it('the README table documents every variable of the spec, once, with the spec default', () => {
    const table = readme.slice(readme.indexOf(BEGIN_MARKER), readme.indexOf(END_MARKER));
    const rows = [...table.matchAll(/^\| `([A-Z_]+)`[^|]*\| (.*?) \| /gm)].map((m) => [m[1]!, m[2]!]);
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(SPEC).sort());
    for (const [name, shown] of rows) {
      expect(shown, name).toBe(ENV_VARS.find((v) => v.name === name)!.default.replace(/\|/g, '\\|'));
    }
    expect(renderConfigTable()).toContain('`HSS_SECRET_KEY` (or `HSS_SECRET_KEY_FILE`)');
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
