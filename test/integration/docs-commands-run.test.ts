/**
 * The concrete command lines of README.md and docs/*.md, run as printed (their own DATABASE_URL
 * and paths aside) against a test database and the simulator: `migrate`, `sync`, `status`,
 * `verify` and `report` for real, in that order; the long-running ones (`start`, `demo`,
 * `simulate`) with `--help`, since running them would not end. Each must end with the exit code
 * the docs give it for that situation.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { Env } from '../../src/config/load.js';
import { captureIo } from '../helpers/capture-io.js';
import { useTestDatabase } from '../helpers/db.js';
import { type DocCommand, docCommands, isSynopsis } from '../helpers/doc-commands.js';
import { type SimTarget, startSimTarget } from '../helpers/sim-target.js';

const ROOT = new URL('../../', import.meta.url);
const PAGES = [
  'README.md',
  ...readdirSync(new URL('docs/', ROOT))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const scripts: Record<string, string> = JSON.parse(
  readFileSync(new URL('package.json', ROOT), 'utf8'),
).scripts;

/** The CLI command line a doc command runs (an npm script that runs the CLI included). */
function cliLine(c: DocCommand): { name: string; args: string[] } | null {
  if (c.kind === 'cli') return { name: c.name, args: c.args };
  const runs = /node bin\/hss-baseline-sync\.js ([a-z-]+)$/.exec(scripts[c.name] ?? '');
  return runs ? { name: runs[1]!, args: c.args } : null;
}

const ORDER = ['migrate', 'sync', 'status', 'verify', 'report'];
const LONG_RUNNING = new Set(['start', 'demo', 'simulate']);
/** The exit code each documented line must end with here: a fresh database synced once now. */
const EXPECTED: Record<string, number> = { migrate: 0, sync: 0, status: 0, verify: 0, report: 66 };

const lines = new Map<string, { name: string; args: string[]; where: string }>();
for (const page of PAGES) {
  for (const c of docCommands(page, readFileSync(new URL(page, ROOT), 'utf8'))) {
    if (isSynopsis(c)) continue;
    const line = cliLine(c);
    if (line) {
      const key = [line.name, ...line.args].join(' ');
      if (!lines.has(key)) lines.set(key, { ...line, where: c.where });
    }
  }
}
const ordered = [...lines.entries()].sort(
  ([, a], [, b]) => ((ORDER.indexOf(a.name) + 99) % 99) - ((ORDER.indexOf(b.name) + 99) % 99),
);

describe('the command lines of the docs, run', () => {
  const t = useTestDatabase({ migrate: false });
  let target: SimTarget;
  let env: Env;
  let out: string;

  beforeAll(async () => {
    target = await startSimTarget({
      project: 'p-docs',
      token: 'sim-token',
      seed: 5,
      imagesPerScope: 6,
      imageTypes: ['private_image'],
    });
    env = {
      ...target.env,
      DATABASE_URL: t.url,
      HSS_RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    };
    out = mkdtempSync(join(tmpdir(), 'hss-docs-run-'));
  });
  afterAll(async () => {
    await target?.sim.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('covers every command the docs run', () => {
    expect(new Set(ordered.map(([, l]) => l.name))).toEqual(
      new Set(['migrate', 'sync', 'start', 'status', 'verify', 'report', 'demo']),
    );
    expect(ordered[0]![1].name).toBe('migrate');
  });

  it('runs each as printed and ends with the documented exit code', async () => {
    let n = 0;
    for (const [key, line] of ordered) {
      const io = captureIo(env);
      let args = line.args;
      if (LONG_RUNNING.has(line.name)) args = [...args, '--help'];
      const dir = join(out, `report-${n++}`);
      if (line.name === 'report') args = args.map((a, i) => (args[i - 1] === '--out' ? dir : a));
      const code = await main([line.name, ...args], io.io);
      const what = `${line.where}: hss-baseline-sync ${key}: ${io.err()}`;
      if (LONG_RUNNING.has(line.name)) {
        expect(code, what).toBe(0);
        expect(io.out().startsWith(`Usage: hss-baseline-sync ${line.name}`), what).toBe(true);
        continue;
      }
      expect(code, what).toBe(EXPECTED[line.name]);
      if (line.name === 'sync') expect(io.out(), what).toMatch(/^sync succeeded run=/);
      if (line.name === 'verify' && !args.includes('--json')) {
        expect(io.out(), what).toMatch(/^verify intact versions=\d+ keys=\d+ broken=0 /);
      }
      if (line.name === 'verify' && args.includes('--json'))
        expect(JSON.parse(io.out()), what).toBeTypeOf('object');
      if (line.name === 'report') {
        // As of 2026-03-01 no scope of this database had finished a run: nothing to report, nothing written.
        expect(io.err(), what).toMatch(
          /^hss-baseline-sync report: no scope had finished a run by --as-of 2026-03-01T00:00:00\.000Z: /,
        );
        expect(existsSync(dir), what).toBe(false);
      }
    }
    expect(n).toBeGreaterThanOrEqual(8);
  });
});
