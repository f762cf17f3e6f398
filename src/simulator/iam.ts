/**
 * POST /v3/auth/tokens of IAM: password login and assume_role, answering 201 with the token in
 * X-Subject-Token. Error bodies have IAM's shape ({"error":{code,message,title}}), not HSS's.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Reply } from './reply.js';
import type { TokenStore } from './tokens.js';

export interface IamDeps {
  users: readonly { domain: string; user: string; password: string }[];
  agencies: readonly { domain: string; name: string }[];
  tokens: TokenStore;
  now: number;
  lifetimeMs: number;
}

function iamError(code: number, title: string, message: string): Reply {
  return { status: code, body: { error: { code, message, title } } };
}

const badRequest = (message: string) => iamError(400, 'Bad Request', message);
const unauthorized = (message: string) => iamError(401, 'Unauthorized', message);
const forbidden = (message: string) => iamError(403, 'Forbidden', message);

/** IAM timestamps carry microseconds: 2026-01-02T00:00:00.000000Z. */
export function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A stable fake id (32 hex) for a name, as IAM ids look. */
function idOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 32);
}

function sameSecret(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function projectOf(auth: Json): Json | undefined {
  const p = obj(obj(auth.scope).project);
  const id = str(p.id);
  const name = str(p.name);
  if (id === undefined && name === undefined) return undefined;
  return { id: id ?? idOf('project', name ?? ''), name: name ?? id };
}

/**
 * Handles a token request. `authToken` is the request's X-Auth-Token (needed by assume_role).
 * 201 means a token was issued.
 */
export function createToken(body: string, authToken: string | undefined, deps: IamDeps): Reply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return badRequest('The request body is invalid.');
  }
  const auth = obj(obj(parsed).auth);
  const identity = obj(auth.identity);
  const methods = Array.isArray(identity.methods) ? identity.methods : [];
  const project = projectOf(auth);
  const expiresAt = deps.now + deps.lifetimeMs;

  if (methods.includes('password')) {
    const user = obj(obj(identity.password).user);
    const name = str(user.name);
    const password = str(user.password);
    const domain = str(obj(user.domain).name);
    const match = deps.users.find((u) => u.user === name && u.domain === domain);
    if (!match || password === undefined || !sameSecret(password, match.password)) {
      return unauthorized('The username or password is wrong.');
    }
    const token = deps.tokens.issue(`user:${match.domain}/${match.user}`, 'user', expiresAt);
    return issued(token, ['password'], deps.now, expiresAt, project, {
      domain: { id: idOf('domain', match.domain), name: match.domain },
      id: idOf('user', match.domain, match.user),
      name: match.user,
      password_expires_at: '',
    });
  }

  if (methods.includes('assume_role')) {
    const found = authToken ? deps.tokens.lookup(authToken, deps.now) : { status: 'unknown' as const };
    if (found.status !== 'valid') return unauthorized('The request you have made requires authentication.');
    if (found.info.kind === 'agency') return forbidden('An agency token cannot assume another agency.');
    const role = obj(identity.assume_role);
    const domain = str(role.domain_name) ?? str(role.domain_id);
    const agencyName = str(role.agency_name);
    const agency = deps.agencies.find((a) => a.domain === domain && a.name === agencyName);
    if (!agency) return forbidden('You are not authorized to assume this agency.');
    const token = deps.tokens.issue(`agency:${agency.domain}/${agency.name}`, 'agency', expiresAt);
    return issued(token, ['assume_role'], deps.now, expiresAt, project, {
      domain: { id: idOf('domain', agency.domain), name: agency.domain },
      id: idOf('agency', agency.domain, agency.name),
      name: `${agency.domain}/${agency.name}`,
    });
  }

  return badRequest('The identity method is not supported.');
}

function issued(
  token: string,
  methods: string[],
  now: number,
  expiresAt: number,
  project: Json | undefined,
  user: Json,
): Reply {
  return {
    status: 201,
    headers: { 'X-Subject-Token': token },
    body: {
      token: {
        expires_at: iamTime(expiresAt),
        issued_at: iamTime(now),
        methods,
        ...(project ? { project } : {}),
        user,
        catalog: [],
        roles: [{ id: '0', name: 'te_admin' }],
      },
    },
  };
}
