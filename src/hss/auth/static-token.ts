/**
 * A static X-Auth-Token from the config. It cannot be renewed, so a 401 ends the request with an
 * explanation of what to configure instead.
 */
import { HssAuthError } from '../../errors.js';
import type { Secret } from '../../secret.js';
import { type AuthProvider, tokenCredentialId, type UnauthorizedDecision } from './provider.js';

/** The message for a rejected static token; `code` is the Huawei error code or `HTTP <status>`. */
export function staticTokenRejectedMessage(code: string): string {
  return (
    `HSS_AUTH_TOKEN was rejected (${code}): the token has expired or is wrong. Static tokens live ` +
    '24 hours and cannot be renewed; configure HSS_ACCESS_KEY and HSS_SECRET_KEY (AK/SK signing) or ' +
    'HSS_IAM_DOMAIN, HSS_IAM_USER and HSS_IAM_PASSWORD instead.'
  );
}

/** An AuthProvider sending `X-Auth-Token: <token>`. */
export function createStaticTokenProvider(token: Secret): AuthProvider {
  return {
    kind: 'token',
    credentialId: tokenCredentialId(token.reveal()),
    async headers() {
      return { 'X-Auth-Token': token.reveal() };
    },
    async onUnauthorized(err): Promise<UnauthorizedDecision> {
      // 403 HSS.0010/HSS.0013 are permission problems, not a bad token: keep HSS's own words.
      if (err.status !== 401) return { action: 'fail', error: err };
      const code = err.errorCode ?? `HTTP ${err.status}`;
      return {
        action: 'fail',
        error: new HssAuthError(err.context, { cause: err, message: staticTokenRejectedMessage(code) }),
      };
    },
  };
}
