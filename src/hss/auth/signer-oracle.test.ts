/**
 * Our signer against the official one: @huaweicloud/huaweicloud-sdk-core's AKSKSigner (a
 * devDependency, used here as an oracle only). Both sign the same request; the Authorization
 * headers must be identical.
 */
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { describe, expect, it } from 'vitest';
import { buildQuery, pathWithQuery } from '../encoding.js';
import { canonicalQuery, signRequest } from './signer.js';

const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'CANARY-SECRET-KEY-0a9b8c7d6e5f';
const HOST = 'hss.cn-north-4.myhuaweicloud.com';
const DATE = '20260101T000000Z';

type Query = Record<string, string | string[]>;

/** The official SDK's Authorization for GET `path` with `query` (raw values, as the SDK takes them). */
function official(path: string, query: Query): string {
  const request = {
    method: 'GET',
    endpoint: `https://${HOST}${path}`,
    // The SDK sorts array values in place: give it copies.
    queryParams: Object.fromEntries(
      Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]),
    ),
    headers: { 'X-Sdk-Date': DATE, 'X-Project-Id': 'proj1' },
  };
  const credential = { getAk: () => AK, getSk: () => SK };
  const headers = AKSKSigner.sign(request, credential as never) as Record<string, string>;
  return headers.Authorization ?? 'none';
}

/** Ours, over the wire string buildQuery makes. */
function ours(path: string, query: Query): string {
  return signRequest({
    method: 'GET',
    pathAndQuery: pathWithQuery(path, buildQuery(query)),
    headers: { host: HOST, 'x-sdk-date': DATE, 'x-project-id': 'proj1' },
    body: '',
    accessKey: AK,
    secretKey: SK,
  }).authorization;
}

describe('signRequest agrees with the official Node.js SDK signer', () => {
  it('repeated keys are ordered by raw value: tag=zeta&tag=é (é sorts after z raw, before it as %C3%A9)', () => {
    const query = { tag: ['zeta', 'é'] };
    expect(buildQuery(query)).toBe('tag=zeta&tag=%C3%A9');
    expect(canonicalQuery('tag=%C3%A9&tag=zeta')).toBe('tag=zeta&tag=%C3%A9');
    expect(ours('/v5/proj1/image/baseline/risk-configs', query)).toBe(
      official('/v5/proj1/image/baseline/risk-configs', query),
    );
  });

  it('names are ordered by raw name too', () => {
    const query = { é: '1', z: '2', 'a b': '3', a_: '4', 'a~': '5' };
    expect(buildQuery(query)).toBe('a%20b=3&a_=4&a~=5&z=2&%C3%A9=1');
    expect(ours('/v5/proj1/x', query)).toBe(official('/v5/proj1/x', query));
  });

  it('the queries this client sends, with spaces, reserved and non-ASCII characters, sign alike', () => {
    const query = {
      image_type: 'private_image',
      enterprise_project_id: 'all_granted_eps',
      image_id: 'sha256:a b/c+d',
      check_name: 'CentOS 7',
      check_type: '基线 ✓',
      limit: '200',
      offset: '0',
    };
    expect(ours('/v5/proj1/image/baseline/check-rule/detail', query)).toBe(
      official('/v5/proj1/image/baseline/check-rule/detail', query),
    );
  });

  it('values beyond U+FFFF are ordered as the SDK orders them (UTF-16 code units)', () => {
    const query = { v: ['\uFFFD', '😀', 'a'] };
    expect(buildQuery(query)).toBe('v=a&v=%F0%9F%98%80&v=%EF%BF%BD');
    expect(ours('/v5/proj1/x', query)).toBe(official('/v5/proj1/x', query));
  });

  it('an empty query signs alike', () => {
    expect(ours('/v5/proj1/image/local-repositories', {})).toBe(
      official('/v5/proj1/image/local-repositories', {}),
    );
  });
});
