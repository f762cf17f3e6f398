import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultMigrationsFolder } from './migrate.js';
import { readSurface } from './surface.js';

describe('readSurface', () => {
  let folder: string;
  let dir: string;
  const order = () => join(dir, 'order.txt');
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'hss-surface-unit-'));
    dir = join(folder, 'surface');
    cpSync(join(defaultMigrationsFolder(), 'surface'), dir, { recursive: true });
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('lists the shipped files in order.txt order, each named after its object', () => {
    const s = readSurface(defaultMigrationsFolder());
    expect(s.files[0]?.object).toBe('hss_internal.comment_on_view');
    expect(s.files.map((f) => f.object)).toContain('hss.image_posture');
    for (const f of s.files)
      expect(f.sql).toMatch(new RegExp(`CREATE OR REPLACE (VIEW|FUNCTION) ${f.object}\\b`));
    expect(s.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes its checksum with any byte of a file, and with the order', () => {
    const before = readSurface(folder).checksum;
    const file = join(dir, 'hss.images.sql');
    writeFileSync(file, `${readFileSync(file, 'utf8')} `);
    const edited = readSurface(folder).checksum;
    expect(edited).not.toBe(before);
    const lines = readFileSync(order(), 'utf8').split('\n');
    const i = lines.indexOf('hss.sync_runs.sql');
    [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
    writeFileSync(order(), lines.join('\n'));
    expect(readSurface(folder).checksum).not.toBe(edited);
  });

  it('refuses a file not listed, a listed file missing or twice, a bad name, no order.txt', () => {
    writeFileSync(join(dir, 'hss.extra.sql'), 'SELECT 1;');
    expect(() => readSurface(folder)).toThrow(
      `${dir} holds hss.extra.sql, not listed in order.txt: add it where it belongs`,
    );
    writeFileSync(order(), `${readFileSync(order(), 'utf8')}hss.extra.sql\nhss.extra.sql\n`);
    expect(() => readSurface(folder)).toThrow(`${order()} lists hss.extra.sql twice`);
    writeFileSync(order(), 'hss.gone.sql\n');
    expect(() => readSurface(folder)).toThrow(`${order()} lists hss.gone.sql, which is not in ${dir}`);
    writeFileSync(order(), 'public.x.sql\n');
    expect(() => readSurface(folder)).toThrow(
      `${order()} lists public.x.sql: a surface file is named schema.object.sql (hss or hss_internal)`,
    );
    rmSync(order());
    expect(() => readSurface(folder)).toThrow(`the surface's list of files ${order()} is missing`);
  });
});
