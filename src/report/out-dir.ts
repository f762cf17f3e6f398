/**
 * --out DIR: a new directory, or an existing empty one, gets the report's files with nothing
 * half-written. A new DIR is made whole beside itself and renamed into place (one step). An
 * existing DIR is never renamed over (it may be a mount point, EBUSY, or sit in a read-only
 * parent, EACCES, as in a read-only container with a writable volume): the files are written
 * into a temporary directory inside DIR, then each is renamed into DIR, manifest.json last, and
 * the temporary directory is removed. On any failure, what was moved and the temporary directory
 * are removed again, so DIR is left as it was (absent, or empty).
 */
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './options.js';

/** The file operations used (a test seam: a test injects EBUSY or EACCES from one of them). */
export interface OutFs {
  mkdtemp(prefix: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

const realFs: OutFs = {
  mkdtemp: (prefix) => fsp.mkdtemp(prefix),
  writeFile: (path, text) => fsp.writeFile(path, text, { encoding: 'utf8', mode: 0o644, flag: 'wx' }),
  rename: (from, to) => fsp.rename(from, to),
};

/** DIR must not exist, or be an empty directory; its parent must exist. */
export async function checkOut(out: string): Promise<void> {
  const s = await fsp.stat(out).catch(() => null);
  if (s) {
    if (!s.isDirectory()) throw new UsageError(`--out ${out} exists and is not a directory`);
    if ((await fsp.readdir(out)).length > 0) {
      throw new UsageError(
        `--out ${out} is not empty: give a new or empty directory (a report is never mixed with other files)`,
      );
    }
    return;
  }
  const parent = await fsp.stat(dirname(out)).catch(() => null);
  if (!parent?.isDirectory())
    throw new UsageError(`--out ${out}: the directory ${dirname(out)} does not exist`);
}

const reason = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** Writes `files` (name → text, in order; manifest.json is moved last) into `out`. */
export async function writeReportFiles(
  out: string,
  files: ReadonlyMap<string, string>,
  fs: OutFs = realFs,
): Promise<void> {
  const exists = await fsp.stat(out).then(
    () => true,
    () => false,
  );
  const fail = (step: string, err: unknown) =>
    new Error(`cannot write --out ${out}: ${step}: ${reason(err)}; nothing was left in it`);
  let tmp: string;
  try {
    tmp = await fs.mkdtemp(exists ? join(out, '.report.tmp-') : join(dirname(out), `.${basename(out)}.tmp-`));
  } catch (err) {
    throw fail(exists ? 'a temporary directory inside it' : `a temporary directory in ${dirname(out)}`, err);
  }
  const moved: string[] = [];
  try {
    for (const [name, text] of files) await fs.writeFile(join(tmp, name), text);
    if (!exists) {
      await fs.rename(tmp, out);
      return;
    }
    const names = [...files.keys()].sort(
      (a, b) => Number(a === 'manifest.json') - Number(b === 'manifest.json'),
    );
    for (const name of names) {
      await fs.rename(join(tmp, name), join(out, name));
      moved.push(name);
    }
    await fsp.rmdir(tmp);
  } catch (err) {
    await Promise.all(moved.map((name) => fsp.rm(join(out, name), { force: true })));
    await fsp.rm(tmp, { recursive: true, force: true });
    throw fail(exists ? 'moving the files in' : 'writing the files', err);
  }
}
