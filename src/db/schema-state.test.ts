import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultMigrationsFolder } from './migrate.js';
import { pendingMessage, pendingMigrations, readJournal, type SchemaState } from './schema-state.js';

const journal = [
  { tag: '0000_a', when: 100 },
  { tag: '0001_b', when: 200 },
  { tag: '0002_c', when: 300 },
];

describe('pendingMigrations (drizzle’s rule)', () => {
  it('is everything before the first migration, nothing once the newest is applied', () => {
    expect(pendingMigrations(journal, null)).toEqual(['0000_a', '0001_b', '0002_c']);
    expect(pendingMigrations(journal, 300)).toEqual([]);
  });

  it('is every entry newer than the newest applied one', () => {
    expect(pendingMigrations(journal, 100)).toEqual(['0001_b', '0002_c']);
    expect(pendingMigrations(journal, 250)).toEqual(['0002_c']);
  });

  it('is nothing when the database is ahead of this version (a newer one migrated it)', () => {
    expect(pendingMigrations(journal, 999)).toEqual([]);
  });
});

describe('pendingMessage', () => {
  const state = (over: Partial<SchemaState>): SchemaState => ({
    login: 'hss_worker',
    owner: 'hss',
    applied: 7,
    pendingMigrations: ['0007_x'],
    surfacePending: false,
    pending: ['0007_x'],
    ahead: false,
    canMigrate: false,
    ...over,
  });

  it('names the migration, the login that may not apply it and whom to run migrate as', () => {
    expect(pendingMessage(state({}), 'not-permitted')).toBe(
      '1 database migration is pending (0007_x) and login hss_worker may not apply it: ' +
        'run `hss-baseline-sync migrate` as hss, the owner of schema hss (README, "Deployment")',
    );
  });

  it('without the login when the process was only not asked to migrate', () => {
    expect(pendingMessage(state({ pending: ['0007_x', '0008_y'] }), 'not-migrating')).toBe(
      '2 database migrations are pending (0007_x, 0008_y): ' +
        'run `hss-baseline-sync migrate` as hss, the owner of schema hss (README, "Deployment")',
    );
  });

  it('names five and counts the rest; a schema not created yet has no owner to name', () => {
    const pending = ['0000', '0001', '0002', '0003', '0004', '0005', '0006'];
    expect(pendingMessage(state({ pending, owner: null }), 'not-permitted')).toBe(
      '7 database migrations are pending (0000, 0001, 0002, 0003, 0004 and 2 more) and login hss_worker ' +
        'may not apply them: run `hss-baseline-sync migrate` with the login that owns the database ' +
        '(README, "Deployment")',
    );
  });
});

describe('readJournal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hss-journal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the shipped journal: every migration file, in order', () => {
    const shipped = readJournal(defaultMigrationsFolder());
    expect(shipped[0]).toEqual({ tag: '0000_schema', when: expect.any(Number) });
    expect(shipped.map((e) => e.when)).toEqual(shipped.map((e) => e.when).toSorted((a, b) => a - b));
  });

  it('says which file is missing or malformed', () => {
    expect(() => readJournal(join(dir, 'nowhere'))).toThrow(
      `cannot read the migration journal ${join(dir, 'nowhere', 'meta', '_journal.json')}: ENOENT`,
    );
    mkdirSync(join(dir, 'meta'));
    writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ entries: [{ tag: 'x' }] }));
    expect(() => readJournal(dir)).toThrow(
      `the migration journal ${join(dir, 'meta', '_journal.json')} has no list of entries with a tag and a time`,
    );
  });
});
