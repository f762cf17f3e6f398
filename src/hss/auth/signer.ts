/**
 * SDK-HMAC-SHA256 request signing (docs/hss-api.md section 4), pure: no clock, no I/O. The caller
 * supplies the X-Sdk-Date value among the headers to sign.
 *
 * The canonical URI and query are derived from the wire string the way the gateway derives them
 * (decode each part, re-encode per RFC 3986, sort the query), so a request built by encoding.ts
 * signs exactly what it sends.
 */
import { createHash, createHmac } from 'node:crypto';
import { encodeSortedPairs, percentDecode, percentEncode } from '../encoding.js';

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

export interface SignInput {
  method: string;
  /** Pre-encoded `path?query` exactly as sent. */
  pathAndQuery: string;
  /** The headers to sign (any case); each becomes part of SignedHeaders. Must include X-Sdk-Date. */
  headers: Readonly<Record<string, string>>;
  /** Request body ('' for none). */
  body: string | Uint8Array;
  accessKey: string;
  secretKey: string;
}

export interface SignResult {
  canonicalRequest: string;
  /** Hex SHA-256 of the canonical request. */
  hashedCanonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  signature: string;
  /** The Authorization header value. */
  authorization: string;
}

/** UTC `YYYYMMDDTHHMMSSZ` for the X-Sdk-Date header. */
export function formatSdkDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Canonical URI: every segment re-encoded per RFC 3986, always ending with `/`. */
export function canonicalUri(path: string): string {
  const encoded = path
    .split('/')
    .map((segment) => percentEncode(percentDecode(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/**
 * Canonical query: pairs decoded, sorted by raw name then raw value (as the official signers
 * sort, before encoding: encoding.ts encodeSortedPairs), re-encoded, `&`-joined; '' when none.
 */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs: [string, string][] = query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    return [percentDecode(name), percentDecode(value)];
  });
  return encodeSortedPairs(pairs);
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Signs one request; see docs/hss-api.md section 4 for each step. */
export function signRequest(input: SignInput): SignResult {
  const q = input.pathAndQuery.indexOf('?');
  const path = q < 0 ? input.pathAndQuery : input.pathAndQuery.slice(0, q);
  const query = q < 0 ? '' : input.pathAndQuery.slice(q + 1);

  const headers = Object.entries(input.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const sdkDate = headers.find(([name]) => name === 'x-sdk-date')?.[1];
  if (sdkDate === undefined) throw new Error('signRequest: the X-Sdk-Date header must be signed');
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalHeaders = headers.map(([name, value]) => `${name}:${value}\n`).join('');

  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(query),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(input.body),
  ].join('\n');
  const hashedCanonicalRequest = sha256Hex(canonicalRequest);
  const stringToSign = `${SIGNING_ALGORITHM}\n${sdkDate}\n${hashedCanonicalRequest}`;
  const signature = createHmac('sha256', input.secretKey).update(stringToSign).digest('hex');
  return {
    canonicalRequest,
    hashedCanonicalRequest,
    stringToSign,
    signedHeaders,
    signature,
    authorization: `${SIGNING_ALGORITHM} Access=${input.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
