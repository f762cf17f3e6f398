/** Instants given on the command line (`report --as-of`, `verify --since`). */

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO 8601 instant with an explicit zone (Z or ±hh:mm), checked field by field: an instant
 * without a zone would depend on the machine's.
 */
export function parseInstant(text: string): Date | null {
  const m = INSTANT.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as number[];
  const daysInMonth = new Date(Date.UTC(y as number, mo as number, 0)).getUTCDate();
  if ((mo as number) < 1 || (mo as number) > 12 || (d as number) < 1 || (d as number) > daysInMonth)
    return null;
  if ((h as number) > 23 || (mi as number) > 59 || (s as number) > 59) return null;
  const zone = m[8] as string;
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4)) > 59)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** An ISO 8601 date (UTC midnight) or an instant with Z or an offset (`verify --since`). */
export function parseDateOrInstant(text: string): Date | null {
  return parseInstant(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
}

/**
 * The instant as UTC ISO 8601 text with the microseconds of `text` (a JS Date keeps only
 * milliseconds; PostgreSQL keeps microseconds, so commands pass this text to SQL): the form of
 * Date.toISOString() when the sub-millisecond digits are zero, else six fractional digits. Null
 * when `text` is finer than a microsecond (digits 7–9 not zero).
 */
export function microsecondText(text: string, at: Date): string | null {
  const frac = /T\d{2}:\d{2}:\d{2}\.(\d+)/.exec(text)?.[1] ?? '';
  if (/[1-9]/.test(frac.slice(6))) return null;
  const micros = frac.padEnd(6, '0').slice(3, 6);
  const iso = at.toISOString();
  return micros === '000' ? iso : `${iso.slice(0, -1)}${micros}Z`;
}
