/** Authentication: the inputs of a target (from the environment or a file) to exactly one method. */
import { ConfigError } from '../errors.js';
import type { Secret } from '../secret.js';
import type { AuthConfig } from './types.js';

/** Raw auth inputs, from env or a file target; exactly one method must be complete. */
export interface AuthInputs {
  token?: Secret;
  accessKey?: string;
  secretKey?: Secret;
  securityToken?: Secret;
  iamDomain?: string;
  iamUser?: string;
  iamPassword?: Secret;
  agencyDomain?: string;
  agencyName?: string;
}

export function resolveAuth(
  where: string,
  a: AuthInputs,
  names: Record<keyof AuthInputs, string>,
): AuthConfig {
  const methods: string[] = [];
  if (a.token) methods.push(names.token);
  if (a.accessKey || a.secretKey) methods.push(`${names.accessKey}/${names.secretKey}`);
  if (a.iamDomain || a.iamUser || a.iamPassword)
    methods.push(`${names.iamDomain}/${names.iamUser}/${names.iamPassword}`);
  const howTo = `exactly one of: ${names.accessKey} + ${names.secretKey} (AK/SK signing, recommended); ${names.iamDomain} + ${names.iamUser} + ${names.iamPassword} (IAM login); ${names.token} (static token, 24 h)`;
  if (methods.length === 0) throw new ConfigError(where, 'no HSS credentials are configured', howTo);
  if (methods.length > 1)
    throw new ConfigError(
      where,
      `more than one authentication method is configured (${methods.join(' and ')})`,
      howTo,
    );
  if (a.token) return { method: 'token', token: a.token };
  if (a.accessKey || a.secretKey) {
    if (!a.accessKey)
      throw new ConfigError(
        names.accessKey,
        'is not set but a secret key is',
        'set the access key ID with its secret key',
      );
    if (!a.secretKey)
      throw new ConfigError(
        names.secretKey,
        'is not set but an access key is',
        `set the secret key (or ${names.secretKey}_FILE)`,
      );
    return {
      method: 'aksk',
      accessKey: a.accessKey,
      secretKey: a.secretKey,
      securityToken: a.securityToken ?? null,
    };
  }
  if (!a.iamDomain)
    throw new ConfigError(names.iamDomain, 'is not set', 'the account (domain) name for IAM login');
  if (!a.iamUser) throw new ConfigError(names.iamUser, 'is not set', 'the IAM user name');
  if (!a.iamPassword)
    throw new ConfigError(names.iamPassword, 'is not set', `the IAM password (or ${names.iamPassword}_FILE)`);
  if (Boolean(a.agencyDomain) !== Boolean(a.agencyName)) {
    throw new ConfigError(
      a.agencyDomain ? names.agencyName : names.agencyDomain,
      'is not set but its partner is',
      `set both ${names.agencyDomain} and ${names.agencyName}`,
    );
  }
  return {
    method: 'password',
    domain: a.iamDomain,
    user: a.iamUser,
    password: a.iamPassword,
    agency: a.agencyDomain && a.agencyName ? { domain: a.agencyDomain, name: a.agencyName } : null,
  };
}

export const ENV_AUTH_NAMES: Record<keyof AuthInputs, string> = {
  token: 'HSS_AUTH_TOKEN',
  accessKey: 'HSS_ACCESS_KEY',
  secretKey: 'HSS_SECRET_KEY',
  securityToken: 'HSS_SECURITY_TOKEN',
  iamDomain: 'HSS_IAM_DOMAIN',
  iamUser: 'HSS_IAM_USER',
  iamPassword: 'HSS_IAM_PASSWORD',
  agencyDomain: 'HSS_IAM_AGENCY_DOMAIN',
  agencyName: 'HSS_IAM_AGENCY_NAME',
};
