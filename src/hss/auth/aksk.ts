/**
 * AK/SK request signing (SDK-HMAC-SHA256), Huawei's recommended method. Nothing to renew; a 401 is
 * final. APIGW.0301 in particular is never retried: more than five bad signatures in a row lock
 * the key pair for five minutes.
 */
import type { Clock } from '../../clock.js';
import { HssAuthError } from '../../errors.js';
import type { Secret } from '../../secret.js';
import type { AuthProvider, UnauthorizedDecision } from './provider.js';
import { formatSdkDate, signRequest } from './signer.js';

/** The gateway rejects X-Sdk-Date more than 15 min off; we warn from 5 min, well before that. */
export const CLOCK_SKEW_WARN_MS = 5 * 60_000;

export interface AkSkOptions {
  accessKey: string;
  secretKey: Secret;
  /** X-Security-Token of temporary credentials, or null. */
  securityToken: Secret | null;
  clock: Clock;
}

/**
 * Describes the local clock against the server's `Date` header when they differ by more than
 * 5 minutes (`local clock is N s ahead of the server`), else null.
 */
export function describeClockSkew(serverDate: string | null, nowMs: number): string | null {
  if (serverDate === null) return null;
  const serverMs = Date.parse(serverDate);
  if (Number.isNaN(serverMs)) return null;
  const diff = nowMs - serverMs;
  if (Math.abs(diff) <= CLOCK_SKEW_WARN_MS) return null;
  const seconds = Math.round(Math.abs(diff) / 1000);
  return `local clock is ${seconds} s ${diff > 0 ? 'ahead of' : 'behind'} the server`;
}

/** An AuthProvider signing every request with the AK/SK pair; credentialId is the AK. */
export function createAkSkProvider(options: AkSkOptions): AuthProvider {
  const { accessKey, secretKey, securityToken, clock } = options;
  return {
    kind: 'aksk',
    credentialId: accessKey,
    async headers(req) {
      const sdkDate = formatSdkDate(clock.now());
      const signed: Record<string, string> = {
        host: req.host,
        'x-sdk-date': sdkDate,
        'x-project-id': req.projectId,
      };
      if (securityToken) signed['x-security-token'] = securityToken.reveal();
      if (req.contentType) signed['content-type'] = req.contentType;
      const { authorization } = signRequest({
        method: req.method,
        pathAndQuery: req.pathAndQuery,
        headers: signed,
        body: req.body,
        accessKey,
        secretKey: secretKey.reveal(),
      });
      const out: Record<string, string> = {
        'X-Sdk-Date': sdkDate,
        'X-Project-Id': req.projectId,
        Authorization: authorization,
      };
      if (securityToken) out['X-Security-Token'] = securityToken.reveal();
      return out;
    },
    async onUnauthorized(err, ctx): Promise<UnauthorizedDecision> {
      if (err.status !== 401) return { action: 'fail', error: err };
      const skew = describeClockSkew(ctx.serverDate, clock.now());
      const code = err.errorCode ?? `HTTP ${err.status}`;
      let why: string;
      if (err.errorCode === 'APIGW.0307' && securityToken) {
        why = `the temporary security token was rejected (${code}): it has expired; configure fresh temporary credentials`;
      } else {
        why =
          `the AK/SK signature was rejected (${code}); not retried, because repeated bad signatures lock ` +
          'the key pair for 5 minutes. Check HSS_ACCESS_KEY and HSS_SECRET_KEY';
      }
      if (skew) why += `; ${skew} (the gateway rejects X-Sdk-Date more than 15 minutes off: sync the clock)`;
      return {
        action: 'fail',
        error: new HssAuthError(err.context, { cause: err, message: `${err.message}: ${why}` }),
      };
    },
  };
}
