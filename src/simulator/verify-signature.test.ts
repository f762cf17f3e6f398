import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  hmacHex,
  parseAuthorization,
  parseSdkDate,
  type SignedRequest,
  sha256Hex,
  stringToSign,
  verifyRequest,
} from './verify-signature.js';

// The published vector of Huawei's signing guide (docs/hss-api.md section 4).
const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const DATE = '20191115T033655Z';
const SIGNATURE = '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe';
const vector: SignedRequest = {
  method: 'GET',
  rawPath: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
  rawQuery: 'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
  headers: {
    'content-type': 'application/json',
    host: 'service.region.example.com',
    'x-sdk-date': DATE,
    authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-sdk-date, Signature=${SIGNATURE}`,
  },
  body: new Uint8Array(),
};
const vectorTime = Date.UTC(2019, 10, 15, 3, 36, 55);
const keys = (ak: string) => (ak === AK ? { sk: SK } : undefined);

describe('signature algorithm', () => {
  it('reproduces the published vector', () => {
    const canonical = canonicalRequest({
      ...vector,
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      bodyHash: sha256Hex(''),
    });
    expect(canonical).toBe(
      [
        'GET',
        '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
        'content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n',
        'content-type;host;x-sdk-date',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
    expect(sha256Hex(canonical)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    expect(hmacHex(SK, stringToSign(DATE, canonical))).toBe(SIGNATURE);
  });

  it('builds the canonical URI from decoded-then-re-encoded wire segments, always ending in /', () => {
    expect(canonicalUri('/v5/p/image/baseline/risk-configs/CentOS%207/rules')).toBe(
      '/v5/p/image/baseline/risk-configs/CentOS%207/rules/',
    );
    expect(canonicalUri('/a/b%2fc/')).toBe('/a/b%2Fc/');
    expect(canonicalUri("/x/it's(1)*!~")).toBe('/x/it%27s%281%29%2A%21~/');
    expect(canonicalUri('/v5/%E9%A1%B9%E7%9B%AE')).toBe('/v5/%E9%A1%B9%E7%9B%AE/');
    expect(canonicalUri('/v5/项目')).toBe('/v5/%E9%A1%B9%E7%9B%AE/');
    expect(() => canonicalUri('/bad/%zz')).toThrow(URIError);
  });

  it('sorts the canonical query by name then value and re-encodes it', () => {
    expect(canonicalQuery('')).toBe('');
    expect(canonicalQuery('b=2&a=z&a=y&c')).toBe('a=y&a=z&b=2&c=');
    expect(canonicalQuery('image_name=euleros%2Ftest&check_name=CentOS%207')).toBe(
      'check_name=CentOS%207&image_name=euleros%2Ftest',
    );
    // '+' is not a space in RFC 3986 decoding.
    expect(canonicalQuery('q=a+b&r=a%20b')).toBe('q=a%2Bb&r=a%20b');
  });

  it('parses Authorization headers and X-Sdk-Date', () => {
    expect(parseAuthorization(vector.headers.authorization!)).toEqual({
      access: AK,
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      signature: SIGNATURE,
    });
    expect(parseAuthorization('Bearer abc')).toBeNull();
    expect(parseAuthorization('SDK-HMAC-SHA256 Access=a, Signature=b')).toBeNull();
    expect(parseSdkDate(DATE)).toBe(vectorTime);
    expect(parseSdkDate('2019-11-15T03:36:55Z')).toBeNull();
    expect(parseSdkDate('20190230T000000Z')).toBeNull();
    expect(parseSdkDate('20191115T246000Z')).toBeNull();
  });
});

describe('verifyRequest', () => {
  const verify = (req: SignedRequest, now = vectorTime) =>
    verifyRequest(req, { secretFor: keys, now, maxSkewMs: 15 * 60_000 });
  const withHeaders = (h: Record<string, string>) => ({ ...vector, headers: { ...vector.headers, ...h } });

  it('accepts the published vector', () => {
    expect(verify(vector)).toEqual({ ok: true, access: AK });
  });

  it('rejects a mismatch: another query, path, body, header value or signature', () => {
    const mismatch = { ok: false, reason: 'verify aksk signature fail' };
    expect(verify({ ...vector, rawQuery: 'limit=3&marker=13551d6b-755d-4757-b956-536f674975c0' })).toEqual(
      mismatch,
    );
    expect(verify({ ...vector, rawPath: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/subnets' })).toEqual(mismatch);
    expect(verify({ ...vector, body: new TextEncoder().encode('{}') })).toEqual(mismatch);
    expect(verify(withHeaders({ host: 'other.example.com' }))).toEqual(mismatch);
    const badSig = vector.headers.authorization!.replace(SIGNATURE, SIGNATURE.replace(/.$/, '0'));
    expect(verify(withHeaders({ authorization: badSig }))).toEqual(mismatch);
  });

  it('names each other reason for a rejection', () => {
    const reason = (req: SignedRequest, now?: number) => {
      const v = verify(req, now);
      return v.ok ? 'ok' : v.reason;
    };
    expect(reason(withHeaders({ authorization: 'SDK-HMAC-SHA256 nonsense' }))).toBe(
      'the Authorization header is malformed',
    );
    expect(
      reason(withHeaders({ authorization: vector.headers.authorization!.replace(AK, 'UNKNOWNAK') })),
    ).toBe('the access key does not exist');
    const { 'x-sdk-date': _, ...noDate } = vector.headers;
    expect(reason({ ...vector, headers: noDate })).toBe('X-Sdk-Date not found');
    expect(reason(withHeaders({ 'x-sdk-date': 'yesterday' }))).toBe('X-Sdk-Date is malformed');
    expect(reason(vector, vectorTime + 15 * 60_000)).toBe('ok');
    expect(reason(vector, vectorTime + 15 * 60_000 + 1)).toBe(
      'the request time is skewed more than 15 minutes from the server time',
    );
    expect(reason(vector, vectorTime - 15 * 60_000 - 1)).toBe(
      'the request time is skewed more than 15 minutes from the server time',
    );
    const { host: _h, ...noHost } = vector.headers;
    expect(reason({ ...vector, headers: noHost })).toBe('signed header host not found');
    const unsignedDate = vector.headers.authorization!.replace(
      'content-type;host;x-sdk-date',
      'content-type;host',
    );
    expect(reason(withHeaders({ authorization: unsignedDate }))).toBe('x-sdk-date is not signed');
  });

  it('requires the configured security token of temporary credentials', () => {
    const temp = (ak: string) => (ak === AK ? { sk: SK, securityToken: 'sts-token' } : undefined);
    const run = (h: Record<string, string>) =>
      verifyRequest(withHeaders(h), { secretFor: temp, now: vectorTime, maxSkewMs: 900_000 });
    expect(run({})).toEqual({ ok: false, reason: 'the security token does not match' });
    expect(run({ 'x-security-token': 'other' })).toEqual({
      ok: false,
      reason: 'the security token does not match',
    });
    expect(run({ 'x-security-token': 'sts-token' })).toEqual({ ok: true, access: AK });
  });
});
