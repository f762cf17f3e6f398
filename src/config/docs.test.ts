import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { injectConfigTable, renderConfigTable } from './docs.js';
import { ENV_VARS } from './env-spec.js';

describe('configuration reference', () => {
  it('README.md carries exactly the table generated from the config schema (run npm run docs:config)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(injectConfigTable(readme)).toBe(readme);
  });

  it('documents every variable the loader reads, once', () => {
    const src = readFileSync(new URL('./load.ts', import.meta.url), 'utf8');
    const read = new Set([...src.matchAll(/'((?:HSS|SYNC|LOG|HTTP|DATABASE)_[A-Z_]+)'/g)].map((m) => m[1]!));
    const documented = ENV_VARS.map((v) => v.name);
    expect(new Set(documented).size).toBe(documented.length);
    const undocumented = [...read].filter((n) => !documented.includes(n) && !n.endsWith('_FILE'));
    expect(undocumented).toEqual([]);
    expect(renderConfigTable()).toContain('`HSS_SECRET_KEY` (or `HSS_SECRET_KEY_FILE`)');
  });
});
