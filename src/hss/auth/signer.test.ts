import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPath, buildQuery, pathWithQuery } from '../encoding.js';
import { canonicalQuery, canonicalUri, formatSdkDate, signRequest } from './signer.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';

describe('signRequest: the published vector (Huawei signing guide)', () => {
  const result = signRequest({
    method: 'GET',
    pathAndQuery:
      '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
    headers: {
      'Content-Type': 'application/json',
      Host: 'service.region.example.com',
      'X-Sdk-Date': '20191115T033655Z',
    },
    body: '',
    accessKey: AK,
    secretKey: SK,
  });

  it('builds the canonical request with a trailing / on the URI', () => {
    expect(result.canonicalRequest).toBe(
      [
        'GET',
        '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
        'content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n',
        'content-type;host;x-sdk-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
  });
  it('hashes the canonical request and signs exactly as published', () => {
    expect(result.hashedCanonicalRequest).toBe(
      'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
    );
    expect(result.signature).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
    expect(result.stringToSign).toBe(
      'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
    );
    expect(result.authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, ' +
        'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });
});

describe('signRequest: edge cases', () => {
  const headers = { Host: 'hss.example.com', 'X-Sdk-Date': '20260101T000000Z', 'X-Project-Id': 'p' };
  const sign = (pathAndQuery: string) =>
    signRequest({ method: 'GET', pathAndQuery, headers, body: '', accessKey: 'AK', secretKey: 'SK' });
  const tail = `host:hss.example.com\nx-project-id:p\nx-sdk-date:20260101T000000Z\n\nhost;x-project-id;x-sdk-date\n${EMPTY_SHA256}`;

  it('space in a path segment is %20 in the canonical URI and on the wire', () => {
    const wire = buildPath(['v5', 'p', 'image', 'baseline', 'risk-configs', 'CentOS 7', 'rules']);
    expect(wire).toBe('/v5/p/image/baseline/risk-configs/CentOS%207/rules');
    const r = sign(wire);
    expect(r.canonicalRequest).toBe(`GET\n/v5/p/image/baseline/risk-configs/CentOS%207/rules/\n\n${tail}`);
    // Independent check of steps 6 and 7 on this canonical request.
    const hashed = createHash('sha256').update(r.canonicalRequest).digest('hex');
    const expected = createHmac('sha256', 'SK')
      .update(`SDK-HMAC-SHA256\n20260101T000000Z\n${hashed}`)
      .digest('hex');
    expect(r.signature).toBe(expected);
  });

  it('non-ASCII and a slash inside one segment stay one encoded segment', () => {
    const wire = buildPath(['v5', 'p', 'image', 'baseline', 'risk-configs', 'Ubuntu/测试', 'rules']);
    expect(sign(wire).canonicalRequest).toBe(
      `GET\n/v5/p/image/baseline/risk-configs/Ubuntu%2F%E6%B5%8B%E8%AF%95/rules/\n\n${tail}`,
    );
  });

  it('reserved characters in query values are encoded; the wire and canonical query agree', () => {
    const query = buildQuery({ q: 'a=b&c', plus: '+', slash: '/', eq: '=' });
    expect(query).toBe('eq=%3D&plus=%2B&q=a%3Db%26c&slash=%2F');
    expect(sign(pathWithQuery('/v5/p', query)).canonicalRequest).toBe(`GET\n/v5/p/\n${query}\n${tail}`);
  });

  it('repeated names are sorted by value, empty values kept, the wire order does not matter', () => {
    expect(canonicalQuery('b=2&a=&b=1&c')).toBe('a=&b=1&b=2&c=');
    expect(sign('/v5/p?tag=z&tag=a&empty=').canonicalRequest).toBe(
      `GET\n/v5/p/\nempty=&tag=a&tag=z\n${tail}`,
    );
  });

  it('an empty query gives an empty canonical query line', () => {
    expect(sign('/v5/p/image/local-repositories').canonicalRequest).toBe(
      `GET\n/v5/p/image/local-repositories/\n\n${tail}`,
    );
    expect(canonicalQuery('')).toBe('');
  });

  it('re-encodes what a lenient encoder left raw, as the gateway does', () => {
    expect(canonicalUri('/a/b(c)')).toBe('/a/b%28c%29/');
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalQuery('x=a+b')).toBe('x=a%2Bb');
  });

  it('refuses to sign without X-Sdk-Date', () => {
    expect(() =>
      signRequest({
        method: 'GET',
        pathAndQuery: '/',
        headers: { host: 'h' },
        body: '',
        accessKey: 'a',
        secretKey: 's',
      }),
    ).toThrow('signRequest: the X-Sdk-Date header must be signed');
  });
});

describe('formatSdkDate', () => {
  it('formats UTC as YYYYMMDDTHHMMSSZ', () => {
    expect(formatSdkDate(Date.UTC(2019, 10, 15, 3, 36, 55, 999))).toBe('20191115T033655Z');
  });
});
