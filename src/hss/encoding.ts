/**
 * The exact bytes of a request line. Huawei's gateway recomputes the signature from the path and
 * query it receives, so the wire must carry exactly the RFC 3986 encoding that was signed: paths and
 * queries are built here once, pre-encoded, and handed to undici and the signer unchanged.
 */

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;
const utf8 = new TextEncoder();

/**
 * RFC 3986 percent-encoding: unreserved `A-Za-z0-9-_.~` kept, every other byte of the UTF-8 form
 * written `%XY` with upper-case hex (space is `%20`, never `+`). Lone surrogates become U+FFFD.
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const ch of value) {
    if (UNRESERVED.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of utf8.encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Decodes `%XY` sequences (UTF-8) and nothing else: `+` stays `+`, as RFC 3986 wants.
 * Malformed sequences are kept as they are.
 */
export function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * A path from raw segments: `buildPath(['v5', projectId, 'image', 'baseline', 'risk-configs'])`
 * → `/v5/<encoded projectId>/image/baseline/risk-configs`. Each segment is encoded on its own, so a
 * `/` inside a value (e.g. a check_name) cannot create a new segment.
 */
export function buildPath(segments: readonly string[]): string {
  return `/${segments.map(percentEncode).join('/')}`;
}

/** A query value; arrays repeat the name, `undefined`/`null` omit it, `''` sends `name=`. */
export type QueryValue = string | number | readonly (string | number)[] | undefined | null;

/**
 * The query string without `?`: pairs sorted by raw name, then raw value (the signer's canonical
 * order, so wire and signature agree), names and values percent-encoded, joined by `&`. Empty
 * string when there are no pairs.
 */
export function buildQuery(params: Readonly<Record<string, QueryValue>>): string {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value as string | number];
    for (const v of values) pairs.push([name, String(v)]);
  }
  return encodeSortedPairs(pairs);
}

/**
 * Sorts raw (decoded) pairs by name, then value, then percent-encodes and joins them. The order is
 * that of the raw strings, as the official signers sort them before encoding (the Node.js SDK's
 * AKSKSigner sorts keys and repeated values with the default string order, UTF-16 code units;
 * the Go SDK's sort.Strings is UTF-8 byte order, which differs only between U+E000..U+FFFF and
 * characters beyond U+FFFF). Ordering by the encoded form would put `é` (`%C3%A9`) before `zeta`.
 */
export function encodeSortedPairs(pairs: [string, string][]): string {
  pairs.sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1]));
  return pairs.map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `path?query`, or just `path` when the query is empty. */
export function pathWithQuery(path: string, query: string): string {
  return query === '' ? path : `${path}?${query}`;
}
