/**
 * Query-string handling shared by the API handlers: parsing the wire query the way the gateway
 * does (first value wins, RFC 3986 percent-decoding, '+' stays '+') and the documented
 * integer-range rules.
 */

/** Parsed query: first value per name. Throws URIError on malformed percent-encoding. */
export function parseQuery(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** Splits a raw request target into path and query (without '?'). */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/**
 * An integer parameter: absent → `def`; digits only (no sign, no decimals) within [min, max] →
 * the number; anything else → null (the caller answers 400 HSS.0001).
 */
export function intParam(
  q: Map<string, string>,
  name: string,
  min: number,
  max: number,
  def: number,
): number | null {
  const raw = q.get(name);
  if (raw === undefined) return def;
  if (!/^\d{1,10}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

/**
 * A filter with documented values: absent or '' → undefined (no filter); a documented value →
 * the value; any other → null (nothing matches: the answer is empty).
 */
export function filterParam(
  q: Map<string, string>,
  name: string,
  known: readonly string[],
): string | undefined | null {
  const value = q.get(name) || undefined;
  if (value === undefined) return undefined;
  return known.includes(value) ? value : null;
}

/** A page of `items` and the documented envelope. */
export function pageOf<T>(items: readonly T[], offset: number, limit: number, totalNum = items.length) {
  return { total_num: totalNum, data_list: items.slice(offset, offset + limit) };
}
