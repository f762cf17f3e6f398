/**
 * `report --out DIR` where DIR cannot be renamed over: an empty mount point (a real bind mount,
 * when the tests run as root and may mount) and an existing writable DIR in a read-only parent
 * (as the unprivileged user `nobody` when the tests run as root, since root ignores permissions;
 * else as the user running them). Faults injected through the command's file seam (EBUSY on a
 * rename, EACCES on the temporary directory) leave DIR as it was: nothing half-written.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmdReport } from '../../src/report/command.js';
import type { OutFs } from '../../src/report/out-dir.js';
import { captureIo } from '../helpers/capture-io.js';
import { type ReportWorld, readDir, runReport, startReportWorld } from '../helpers/report-world.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const FILES = 10;

/** Runs the CLI as `nobody` in a child process (tsx loads the sources); resolves its exit code and stderr. */
function reportAsNobody(url: string, args: string[]): Promise<{ code: number; err: string }> {
  const cli = resolve('src/cli.ts');
  const code = `const { main } = await import(${JSON.stringify(cli)}); process.exitCode = await main(process.argv.slice(1));`;
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code, 'report', ...args],
      {
        uid: NOBODY,
        gid: NOBODY,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, HOME: '/tmp', TMPDIR: '/tmp' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (b) => {
      err += String(b);
    });
    child.on('error', fail);
    child.on('close', (c) => done({ code: c ?? -1, err }));
  });
}

describe('report --out into a directory that cannot be renamed over', () => {
  let rw: ReportWorld;
  let asOf: string;
  let reference: Map<string, Buffer>;

  beforeAll(async () => {
    rw = await startReportWorld({ imagesPerScope: 3 });
    asOf = rw.asOf.toISOString();
    const dir = join(mkdtempSync(join(tmpdir(), 'hss-report-out-')), 'ref');
    expect((await runReport(rw.w.t.url, ['--as-of', asOf, '--out', dir])).code).toBe(0);
    reference = readDir(dir);
    expect(reference.size).toBe(FILES);
  });

  afterAll(async () => {
    await rw?.close();
  });

  it('an empty mount point (bind mount as root; skipped with a reason otherwise)', async (ctx) => {
    const parent = mkdtempSync(join(tmpdir(), 'hss-report-mnt-'));
    const source = join(parent, 'volume');
    const out = join(parent, 'out');
    mkdirSync(source);
    mkdirSync(out);
    try {
      execFileSync('mount', ['--bind', source, out], { stdio: 'ignore' });
    } catch {
      ctx.skip(
        `cannot bind-mount here (${isRoot ? 'no CAP_SYS_ADMIN' : 'not root'}): the seam test below covers EBUSY`,
      );
      return;
    }
    try {
      // Renaming over a mount point is what failed before.
      await expect(fsp.rename(mkdtempSync(join(parent, 'x-')), out)).rejects.toMatchObject({ code: 'EBUSY' });
      const r = await runReport(rw.w.t.url, ['--as-of', asOf, '--out', out]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(readDir(out)).toEqual(reference);
    } finally {
      execFileSync('umount', [out]);
    }
    // The files went into the volume; nothing else anywhere.
    expect(readDir(source)).toEqual(reference);
    expect(readdirSync(parent).filter((n) => !n.startsWith('x-'))).toEqual(['out', 'volume']);
  });

  it('an existing writable DIR in a read-only parent (as nobody when root), and a new DIR there fails cleanly', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'hss-report-ro-'));
    const out = join(parent, 'out');
    mkdirSync(out);
    if (isRoot) chownSync(out, NOBODY, NOBODY);
    chmodSync(parent, 0o555);
    try {
      const r = isRoot
        ? await reportAsNobody(rw.w.t.url, ['--as-of', asOf, '--out', out])
        : await runReport(rw.w.t.url, ['--as-of', asOf, '--out', out]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(readDir(out)).toEqual(reference);
      // A DIR that does not exist cannot be made in a read-only parent: one line, exit 1, nothing left.
      const fresh = join(parent, 'new');
      const bad = isRoot
        ? await reportAsNobody(rw.w.t.url, ['--as-of', asOf, '--out', fresh])
        : await runReport(rw.w.t.url, ['--as-of', asOf, '--out', fresh]);
      expect(bad.code).toBe(1);
      expect(bad.err).toBe(
        `hss-baseline-sync report: cannot write --out ${fresh}: a temporary directory in ${parent}: EACCES; nothing was left in it\n`,
      );
      expect(readdirSync(parent)).toEqual(['out']);
    } finally {
      chmodSync(parent, 0o755);
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('a fault while moving the files in (EBUSY on the fourth rename) leaves DIR empty', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hss-report-seam-')), 'out');
    mkdirSync(out);
    let renames = 0;
    const fs: OutFs = {
      mkdtemp: (p) => fsp.mkdtemp(p),
      writeFile: (p, t) => fsp.writeFile(p, t),
      rename: async (a, b) => {
        if (++renames === 4) throw Object.assign(new Error('busy'), { code: 'EBUSY' });
        await fsp.rename(a, b);
      },
    };
    const cap = captureIo({ DATABASE_URL: rw.w.t.url });
    expect(await cmdReport(cap.io, ['--as-of', asOf, '--out', out], { fs })).toBe(1);
    expect(cap.err()).toBe(
      `hss-baseline-sync report: cannot write --out ${out}: moving the files in: EBUSY; nothing was left in it\n`,
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it('a temporary directory that cannot be made inside DIR (EACCES) leaves DIR empty', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hss-report-seam-')), 'out');
    mkdirSync(out);
    const fs: OutFs = {
      mkdtemp: async () => {
        throw Object.assign(new Error('denied'), { code: 'EACCES' });
      },
      writeFile: (p, t) => fsp.writeFile(p, t),
      rename: (a, b) => fsp.rename(a, b),
    };
    const cap = captureIo({ DATABASE_URL: rw.w.t.url });
    expect(await cmdReport(cap.io, ['--as-of', asOf, '--out', out], { fs })).toBe(1);
    expect(cap.err()).toBe(
      `hss-baseline-sync report: cannot write --out ${out}: a temporary directory inside it: EACCES; nothing was left in it\n`,
    );
    expect(readdirSync(out)).toEqual([]);
  });
});
