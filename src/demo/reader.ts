/**
 * The demo's read-only login for BI tools: a role that may log in and is granted `hss_reader`
 * (schema hss only; hss_internal stays out of its sight). Its password is generated once, kept in
 * the demo's data directory (mode 600) and set again at every start, so the file and the role
 * always agree and no secret lives in the code.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import pg from 'pg';

export interface ReaderLogin {
  /** The role's name (lower case letters, digits, underscores). */
  role: string;
  /** Where its password is kept. */
  passwordFile: string;
}

/** The demo's reader login name on its own server. */
export const DEMO_READER_ROLE = 'hss_demo_reader';

/** The password kept in `file`, made (24 random bytes, base64url) and stored when there is none. */
export async function readerPassword(file: string): Promise<string> {
  const kept = await readFile(file, 'utf8').then(
    (s) => s.trim(),
    () => '',
  );
  if (kept) return kept;
  const made = randomBytes(24).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${made}\n`, { mode: 0o600 });
  return made;
}

/**
 * Creates the login (or sets its password again) and grants it hss_reader, through `pool` (a
 * login that may create roles: the embedded server's superuser). Needs the migrations applied
 * (they create hss_reader). Returns the URL the reader connects with: `ownerUrl` with the
 * reader's name and password.
 */
export async function ensureReaderLogin(
  pool: pg.Pool,
  login: ReaderLogin,
  ownerUrl: string,
): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(login.role)) {
    throw new Error(`not a plain role name: ${JSON.stringify(login.role)}`);
  }
  const password = await readerPassword(login.passwordFile);
  const role = pg.escapeIdentifier(login.role);
  const secret = pg.escapeLiteral(password);
  const exists = await pool.query('select 1 from pg_catalog.pg_roles where rolname = $1', [login.role]);
  if (exists.rowCount === 0) {
    await pool.query(`create role ${role} login password ${secret}`).catch((err: { code?: string }) => {
      // Another demo process made it in between: set the password below.
      if (err.code !== '42710') throw err;
    });
  }
  await pool.query(`alter role ${role} login password ${secret}`);
  await pool.query(`grant hss_reader to ${role}`);
  const u = new URL(ownerUrl);
  u.username = encodeURIComponent(login.role);
  u.password = encodeURIComponent(password);
  return u.toString();
}
