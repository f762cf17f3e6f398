/**
 * Tests that spawn the real `hss-baseline-sync` binary need dist/ to match src/. `npm test`
 * builds first; a direct `vitest run` may find dist stale, so this rebuilds when needed. It only
 * emits (`--noCheck`): type errors are `npm run typecheck`'s to report, and the JavaScript is the
 * same either way.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'hss-baseline-sync.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Emits dist/ when dist/cli.js is missing or older than any source file. */
export function ensureBuilt(): void {
  const out = join(ROOT, 'dist', 'cli.js');
  if (existsSync(out) && statSync(out).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--noCheck'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}
