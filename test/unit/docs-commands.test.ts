/**
 * Every command line the docs print (README.md, docs/*.md) is one the CLI takes: its command
 * exists, every option it names exists, and a concrete line parses with the command's own spec
 * (src/commands/specs.ts) as `main` would parse it; every `npm run` names a script of
 * package.json. Each command's `--help`, as the docs promise, answers without touching anything.
 * A wrong option planted in a page fails the check with the CLI's own message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { SPECS } from '../../src/commands/specs.js';
import { captureIo } from '../helpers/capture-io.js';
import { docCommands, isSynopsis, problemOf } from '../helpers/doc-commands.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const PAGES = [
  'README.md',
  ...readdirSync(new URL('docs/', ROOT))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const scripts: Record<string, string> = JSON.parse(read('package.json')).scripts;
const benchSource = read('bench/main.ts');
const BENCH_FLAGS = [...benchSource.matchAll(/options: \{ (\w+): \{ type: 'boolean'/g)].map(
  (m) => `--${m[1]}`,
);
const check = (file: string, text: string) =>
  docCommands(file, text).flatMap((c) => {
    const p = problemOf(c, scripts, BENCH_FLAGS);
    return p ? [`${c.where}: ${p}  (${c.text.trim()})`] : [];
  });

describe('the command lines of the docs', () => {
  const all = PAGES.flatMap((p) => docCommands(p, read(p)));

  it('finds them in every audience page, concrete lines and synopses alike', () => {
    expect(BENCH_FLAGS).toEqual(['--quick']);
    const files = new Set(all.map((c) => c.where.split(':')[0]));
    for (const page of [
      'README.md',
      'docs/operations.md',
      'docs/audit.md',
      'docs/sql.md',
      'docs/architecture.md',
    ]) {
      expect(files, page).toContain(page);
    }
    const cli = all.filter((c) => c.kind === 'cli');
    expect(new Set(cli.map((c) => c.name))).toEqual(new Set(SPECS.map((s) => s.name)));
    expect(cli.filter((c) => !isSynopsis(c)).length).toBeGreaterThanOrEqual(10);
    expect(cli.filter(isSynopsis).length).toBeGreaterThanOrEqual(8);
    expect(all.filter((c) => c.kind === 'npm').map((c) => c.name)).toEqual(
      expect.arrayContaining(['demo', 'test', 'docs:config', 'docs:views', 'bench']),
    );
  });

  it('are all taken by the CLI and package.json', () => {
    expect(PAGES.flatMap((p) => check(p, read(p)))).toEqual([]);
  });

  it('fails on a wrong option, command or script planted in a page', () => {
    const planted = [
      '```sh',
      'npx hss-baseline-sync status --jsn',
      'DATABASE_URL=postgres://x \\',
      '  npx hss-baseline-sync report --as-of 2026-03-01 --out dir',
      'npm run demo -- --onse',
      'npm run dmeo',
      'hss-baseline-sync sycn',
      'npm run bench -- --fast',
      '```',
      '',
      '| `verify [--snice <instant>]` | … |',
      'Run `hss-baseline-sync simulate --port 70000` to …',
    ].join('\n');
    expect(check('planted.md', planted)).toEqual([
      'planted.md:2: status: unknown option --jsn (did you mean --json?)  (npx hss-baseline-sync status --jsn)',
      'planted.md:3: report: --as-of "2026-03-01" is not an ISO 8601 instant with a zone (expected e.g. 2026-03-01T00:00:00Z or 2026-03-01T08:00:00+08:00)  (DATABASE_URL=postgres://x npx hss-baseline-sync report --as-of 2026-03-01 --out dir)',
      'planted.md:5: demo: unknown option --onse (did you mean --once?)  (npm run demo -- --onse)',
      'planted.md:6: npm run dmeo: package.json has no such script  (npm run dmeo)',
      'planted.md:7: unknown command "sycn"  (hss-baseline-sync sycn)',
      'planted.md:8: npm run bench: unknown option --fast  (npm run bench -- --fast)',
      'planted.md:11: verify: unknown option --snice  (verify [--snice <instant>])',
      'planted.md:12: simulate: --port "70000" is not a whole number from 0 to 65535  (hss-baseline-sync simulate --port 70000)',
    ]);
  });

  it("answers each documented command's --help with its usage and exit 0, touching nothing", async () => {
    for (const name of new Set(all.filter((c) => c.kind === 'cli').map((c) => c.name))) {
      const io = captureIo({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
      expect(await main([name, '--help'], io.io), name).toBe(0);
      expect(io.out().startsWith(`Usage: hss-baseline-sync ${name}`), name).toBe(true);
      expect(io.err(), name).toBe('');
    }
  });
});
