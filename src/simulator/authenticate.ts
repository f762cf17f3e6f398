/**
 * Authentication of /v5 calls: an AK/SK signature (when an Authorization header is present) or
 * an X-Auth-Token. Answers the caller identity or the 401 the gateway gives. Messages never
 * contain the token, the SK or the signature.
 */
import type { TokenStore } from './tokens.js';
import { type SignedRequest, verifyRequest } from './verify-signature.js';

export type AuthResult =
  | { ok: true; identity: string }
  | { ok: false; errorCode: 'APIGW.0301' | 'APIGW.0307'; message: string; by: 'signature' | 'token' };

export interface AuthDeps {
  tokens: TokenStore;
  accessKeys: ReadonlyMap<string, { sk: string; securityToken?: string | undefined }>;
  now: number;
  maxSkewMs: number;
}

const PREFIX = 'Incorrect IAM authentication information: ';

/** Decides who is calling. The identity of an AK/SK call is 'ak:<AK>'. */
export function authenticate(req: SignedRequest, deps: AuthDeps): AuthResult {
  if (req.headers.authorization !== undefined) {
    const v = verifyRequest(req, {
      secretFor: (ak) => deps.accessKeys.get(ak),
      now: deps.now,
      maxSkewMs: deps.maxSkewMs,
    });
    if (v.ok) return { ok: true, identity: `ak:${v.access}` };
    return { ok: false, errorCode: 'APIGW.0301', message: PREFIX + v.reason, by: 'signature' };
  }
  const token = req.headers['x-auth-token'];
  if (token === undefined || token === '') {
    return { ok: false, errorCode: 'APIGW.0301', message: `${PREFIX}x-auth-token not found`, by: 'token' };
  }
  const found = deps.tokens.lookup(token, deps.now);
  if (found.status === 'valid') return { ok: true, identity: found.info.identity };
  if (found.status === 'expired') {
    return { ok: false, errorCode: 'APIGW.0307', message: 'The token expires.', by: 'token' };
  }
  return { ok: false, errorCode: 'APIGW.0301', message: `${PREFIX}decrypt token fail`, by: 'token' };
}
