/**
 * Verification of Huawei's SDK-HMAC-SHA256 request signatures, written from the algorithm in
 * docs/hss-api.md section 4 (the simulator's own implementation, independent of the client's signer):
 * canonical URI from the raw wire path, canonical query from the wire query, the signed headers,
 * the body hash, HMAC-SHA256 keyed with the SK itself.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'SDK-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** RFC 3986 encoding: unreserved A-Z a-z 0-9 - _ . ~ kept, every other UTF-8 byte as %XY. */
export function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Canonical URI: each wire path segment decoded then re-encoded, joined by '/', ending in '/'. */
export function canonicalUri(rawPath: string): string {
  const path = rawPath
    .split('/')
    .map((seg) => encodeRfc3986(decodeURIComponent(seg)))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

/**
 * Canonical query: wire pairs decoded ('+' stays '+'), sorted by name then by RAW (decoded)
 * value, and only then each re-encoded as name=value, joined by '&'. '' for no query. This is
 * the official signers' order (huaweicloud-sdk-go-v3 core/auth/signer CanonicalQueryString sorts
 * the raw values, then escapes them), so `tag=zeta&tag=é` canonicalises as
 * `tag=zeta&tag=%C3%A9`, not by the encoded `%C3%A9` first. Strings compare in UTF-16 order (as
 * the Java and Node.js signers and this project's client do); Go's byte order differs only
 * between characters beyond U+FFFF and U+E000–U+FFFF.
 */
export function canonicalQuery(rawQuery: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push([
      decodeURIComponent(eq < 0 ? part : part.slice(0, eq)),
      eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1)),
    ]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${encodeRfc3986(n)}=${encodeRfc3986(v)}`).join('&');
}

/** Canonical headers: `name:trimmed-value\n` per signed header (names lower-case, in the given order). */
export function canonicalHeaders(headers: Record<string, string>, signedHeaders: readonly string[]): string {
  return signedHeaders.map((name) => `${name}:${(headers[name] ?? '').trim()}\n`).join('');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface CanonicalInput {
  method: string;
  /** Path exactly as on the wire (before '?'). */
  rawPath: string;
  /** Query exactly as on the wire (after '?'), '' if none. */
  rawQuery: string;
  /** Lower-case header name → value. */
  headers: Record<string, string>;
  /** Lower-case, sorted. */
  signedHeaders: readonly string[];
  /** Hex SHA-256 of the body, or 'UNSIGNED-PAYLOAD'. */
  bodyHash: string;
}

/** The canonical request: method, URI, query, headers, signed headers, body hash, joined by '\n'. */
export function canonicalRequest(c: CanonicalInput): string {
  return [
    c.method.toUpperCase(),
    canonicalUri(c.rawPath),
    canonicalQuery(c.rawQuery),
    canonicalHeaders(c.headers, c.signedHeaders),
    c.signedHeaders.join(';'),
    c.bodyHash,
  ].join('\n');
}

/** String to sign = algorithm, X-Sdk-Date and the hex SHA-256 of the canonical request. */
export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/** Hex HMAC-SHA256 keyed with the SK string itself (no key derivation). */
export function hmacHex(sk: string, data: string): string {
  return createHmac('sha256', sk).update(data).digest('hex');
}

export interface ParsedAuthorization {
  access: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`; null when malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  const m = /^SDK-HMAC-SHA256\s+(.*)$/.exec(header.trim());
  if (!m?.[1]) return null;
  const fields = new Map<string, string>();
  for (const part of m[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const access = fields.get('Access');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!access || !signed || !signature) return null;
  return { access, signedHeaders: signed.split(';').map((h) => h.trim().toLowerCase()), signature };
}

/** X-Sdk-Date (`YYYYMMDDTHHMMSSZ`, UTC) as epoch ms; null when malformed. */
export function parseSdkDate(value: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  // Reject dates Date.UTC would roll over (2019-02-30 and the like).
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return t;
}

export interface SignedRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export type VerifyOutcome = { ok: true; access: string } | { ok: false; reason: string };

export interface VerifyOptions {
  /** SK of an access key, or undefined when unknown. */
  secretFor: (access: string) => { sk: string; securityToken?: string | undefined } | undefined;
  now: number;
  maxSkewMs: number;
}

/**
 * Verifies the Authorization header of a request. Reasons (for the 401 message; never secret):
 * malformed header, unknown AK, X-Sdk-Date missing / malformed / unsigned / skewed, a signed
 * header absent, security token mismatch, signature mismatch.
 */
export function verifyRequest(req: SignedRequest, opts: VerifyOptions): VerifyOutcome {
  const parsed = parseAuthorization(req.headers.authorization ?? '');
  if (!parsed) return { ok: false, reason: 'the Authorization header is malformed' };
  const key = opts.secretFor(parsed.access);
  if (!key) return { ok: false, reason: 'the access key does not exist' };
  const sdkDate = req.headers['x-sdk-date'];
  if (sdkDate === undefined) return { ok: false, reason: 'X-Sdk-Date not found' };
  const t = parseSdkDate(sdkDate);
  if (t === null) return { ok: false, reason: 'X-Sdk-Date is malformed' };
  if (!parsed.signedHeaders.includes('x-sdk-date')) return { ok: false, reason: 'x-sdk-date is not signed' };
  for (const h of parsed.signedHeaders) {
    if (req.headers[h] === undefined) return { ok: false, reason: `signed header ${h} not found` };
  }
  if (Math.abs(opts.now - t) > opts.maxSkewMs) {
    return {
      ok: false,
      reason: `the request time is skewed more than ${Math.round(opts.maxSkewMs / 60_000)} minutes from the server time`,
    };
  }
  if (
    key.securityToken !== undefined &&
    !safeEqual(req.headers['x-security-token'] ?? '', key.securityToken)
  ) {
    return { ok: false, reason: 'the security token does not match' };
  }
  let canonical: string;
  try {
    canonical = canonicalRequest({
      method: req.method,
      rawPath: req.rawPath,
      rawQuery: req.rawQuery,
      headers: req.headers,
      signedHeaders: parsed.signedHeaders,
      bodyHash:
        req.headers['x-sdk-content-sha256'] === UNSIGNED_PAYLOAD ? UNSIGNED_PAYLOAD : sha256Hex(req.body),
    });
  } catch {
    return { ok: false, reason: 'the request URI is malformed' };
  }
  const expected = hmacHex(key.sk, stringToSign(sdkDate, canonical));
  if (!safeEqual(parsed.signature.toLowerCase(), expected)) {
    return { ok: false, reason: 'verify aksk signature fail' };
  }
  return { ok: true, access: parsed.access };
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
