/**
 * A permission problem (PostgreSQL SQLSTATE 42501, "permission denied for …") is a login that
 * lacks a role, the same fix whichever query met it: one line naming the role the command needs
 * and how to grant it, never a stack trace, exit 78 (src/exit-codes.ts).
 */
import { HssSyncError } from './errors.js';

/** This login may not read or do what the command needs; `message` says what was refused. */
export class PermissionDeniedError extends HssSyncError {
  readonly code = 'DB_PERMISSION_DENIED';
}

/** PostgreSQL's insufficient_privilege. */
const INSUFFICIENT_PRIVILEGE = '42501';

/** What was refused, when `err` (or a cause) is a permission problem; else null. */
export function permissionDeniedIn(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    if (e instanceof PermissionDeniedError) return e.message;
    if ((e as { code?: unknown }).code === INSUFFICIENT_PRIVILEGE) return e.message;
  }
  return null;
}

/** The role each command needs: the public surface to read, the data to write, or the schema. */
const NEEDS: Record<string, 'hss_reader' | 'hss_writer' | 'owner'> = {
  status: 'hss_reader',
  report: 'hss_reader',
  verify: 'hss_reader',
  sync: 'hss_writer',
  start: 'hss_writer',
  migrate: 'owner',
  demo: 'owner',
};

/** The login of a DATABASE_URL (null when it has none or does not parse). */
export function loginOf(databaseUrl: string | undefined): string | null {
  if (!databaseUrl) return null;
  try {
    const user = decodeURIComponent(new URL(databaseUrl).username);
    return user === '' ? null : user;
  } catch {
    return null;
  }
}

/** How to give `login` what `command` needs (README "Deployment", "Two logins"). */
export function permissionFix(command: string, login: string | null): string {
  const who = login ? `login ${login}` : 'the login of DATABASE_URL';
  const role = NEEDS[command] ?? 'hss_writer';
  if (role === 'owner') {
    return (
      `${command} must run as the owner of the schemas hss and hss_internal (the login that first migrated), ` +
      `not ${who}: set DATABASE_URL to the owner's login (README, "Deployment")`
    );
  }
  return (
    `${command} needs a login granted ${role}: as a superuser or a role with CREATEROLE, ` +
    `run GRANT ${role} TO ${login ?? '<login>'} (README, "Deployment")`
  );
}
