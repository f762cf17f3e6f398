import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedAncestor, embeddedBlocker, reachableByOthers } from './embedded.js';

describe('embedded PostgreSQL below a directory others cannot enter', () => {
  let base: string;
  let closed: string;
  let open: string;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'hss-embedded-'));
    chmodSync(base, 0o755);
    // A checkout under a private home, as in /root (mode 700), and one under an open directory.
    closed = join(base, 'home');
    open = join(base, 'srv');
    for (const dir of [closed, open]) {
      mkdirSync(join(dir, 'app', 'native', 'bin'), { recursive: true });
      writeFileSync(join(dir, 'app', 'native', 'bin', 'initdb'), '#!/bin/sh\n', { mode: 0o755 });
    }
    chmodSync(closed, 0o700);
    chmodSync(open, 0o755);
  });
  afterAll(() => {
    chmodSync(closed, 0o755);
    rmSync(base, { recursive: true, force: true });
  });

  it('finds the closed directory above the binaries', () => {
    const initdb = join(closed, 'app', 'native', 'bin', 'initdb');
    expect(closedAncestor(initdb)).toBe(closed);
    expect(reachableByOthers(initdb)).toBe(false);
    expect(closedAncestor(join(open, 'app', 'native', 'bin', 'initdb'))).toBe(null);
  });

  it('as root, says in one line why it cannot run and what to do instead', () => {
    const initdb = join(closed, 'app', 'native', 'bin', 'initdb');
    expect(embeddedBlocker(initdb, true, 'set TEST_DATABASE_URL')).toBe(
      `embedded PostgreSQL cannot run here: as root it runs as the "postgres" user, which cannot enter ${closed} (no access for other users) to reach ${initdb}; run as a non-root user, move the checkout below a directory others can enter (e.g. /opt or /srv), or set TEST_DATABASE_URL`,
    );
  });

  it('is no obstacle for a non-root user, or below open directories', () => {
    expect(embeddedBlocker(join(closed, 'app', 'native', 'bin', 'initdb'), false, 'x')).toBe(null);
    expect(embeddedBlocker(join(open, 'app', 'native', 'bin', 'initdb'), true, 'x')).toBe(null);
    expect(embeddedBlocker(null, true, 'x')).toBe(null);
  });
});
