#!/usr/bin/env node
// Fails when src/db/schema/ has changes that the committed migrations/ do not contain.
// drizzle-kit generates into a scratch copy of migrations/ (DRIZZLE_CHECK_OUT, read by
// drizzle.config.ts): any file it adds or changes there is a migration nobody committed.
// Offline (drizzle-kit diffs snapshots, no database) and leaves the repository untouched.
// `npm run check:migrations` then runs test/integration/schema-columns.test.ts, which compares
// the columns of a migrated database with src/db/schema/ (hand-written SQL cannot drift),
// test/integration/db-surface.test.ts (the database holds exactly the objects of
// migrations/surface/, applying it twice is a no-op, a changed surface is pending for a login
// that may not migrate, an old-series database upgrades to the schema of a new one) and
// test/integration/chain-golden.test.ts (the hash-chain functions give the pinned hashes).
// `npm test` runs this script alone: its vitest run holds those three files already.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const FIX = 'schema and migrations disagree: run npm run db:generate and commit migrations/';
const TIMEOUT_MS = 120_000;

/** Every file under `dir` → sha256 of its content. */
function fingerprint(dir) {
  const out = new Map();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    out.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return out;
}

const scratch = mkdtempSync(join(tmpdir(), 'hss-check-migrations-'));
let exitCode = 0;
try {
  const out = join(scratch, 'migrations');
  cpSync(join(root, 'migrations'), out, { recursive: true });
  const before = fingerprint(out);

  // bin.cjs is not in the package's exports map: locate it beside the package entry point.
  const bin = join(dirname(createRequire(import.meta.url).resolve('drizzle-kit')), 'bin.cjs');
  const res = spawnSync(process.execPath, [bin, 'generate', '--config', 'drizzle.config.ts'], {
    cwd: root,
    // drizzle-kit prefixes `out` with './', so it must be relative to the working directory.
    env: { ...process.env, DRIZZLE_CHECK_OUT: relative(root, out) },
    // No terminal: if drizzle-kit wants to ask (a rename?), it fails instead of waiting.
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
  });
  const after = fingerprint(out);
  const changed = [...after.keys()].filter((f) => before.get(f) !== after.get(f));

  // drizzle-kit exits 0 even when it fails: only its "nothing to migrate" line means agreement.
  const clean = /No schema changes, nothing to migrate/.test(res.stdout ?? '');
  if (res.error || res.status !== 0 || (!clean && changed.length === 0)) {
    const why =
      res.error?.message ??
      (res.status !== 0 ? `exit ${res.status}` : 'it failed or wanted to ask a question');
    console.error(`${FIX}\n(drizzle-kit generate did not confirm there is nothing to migrate: ${why})`);
    console.error(`${res.stdout ?? ''}${res.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n'));
    exitCode = 1;
  } else if (changed.length > 0) {
    console.error(FIX);
    console.error(`drizzle-kit would write: ${changed.sort().join(', ')}`);
    const sql = changed.find((f) => f.endsWith('.sql'));
    if (sql) console.error(`--- ${sql}\n${readFileSync(join(out, sql), 'utf8').slice(0, 4000)}`);
    exitCode = 1;
  } else {
    console.log('migrations match src/db/schema/');
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(exitCode);
