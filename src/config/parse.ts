/** Small pure parsers for config values. Each throws ConfigError naming the variable. */
import { validateDetailed } from 'node-cron';
import { API_NAMES, type ApiName, IMAGE_TYPES, type ImageType } from '../domain.js';
import { ConfigError } from '../errors.js';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1500ms`, `30s`, `15m`, `12h`, `7d` → milliseconds. */
export function parseDuration(variable: string, raw: string): number {
  const m = DURATION.exec(raw.trim());
  if (!m)
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a duration`,
      'a number with a unit: ms, s, m, h or d, e.g. 30m, 12h, 7d',
    );
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
  if (ms <= 0) throw new ConfigError(variable, 'must be greater than zero');
  return ms;
}

export function parseIntInRange(variable: string, raw: string, min: number, max: number): number {
  const t = raw.trim();
  if (!/^-?\d+$/.test(t))
    throw new ConfigError(variable, `${JSON.stringify(raw)} is not a whole number`, `${min}–${max}`);
  const n = Number(t);
  if (n < min || n > max) throw new ConfigError(variable, `${n} is out of range`, `${min}–${max}`);
  return n;
}

export function parseFraction(variable: string, raw: string): number {
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a fraction`,
      'a number from 0 to 1, e.g. 0.2',
    );
  }
  return n;
}

export function parseBool(variable: string, raw: string): boolean {
  const t = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  throw new ConfigError(variable, `${JSON.stringify(raw)} is not a boolean`, 'true or false');
}

/** Comma list, trimmed, empty items dropped, duplicates removed (order kept). */
export function parseList(raw: string): string[] {
  return [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ];
}

export function parseEnum<T extends string>(variable: string, raw: string, allowed: readonly T[]): T {
  const t = raw.trim();
  if ((allowed as readonly string[]).includes(t)) return t as T;
  throw new ConfigError(variable, `unknown value ${JSON.stringify(raw)}`, allowed.join(', '));
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** An http(s) base URL without trailing slash; plain http only on loopback unless allowed. */
export function parseEndpoint(variable: string, raw: string, allowInsecureHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a URL`,
      'an https:// URL such as https://hss.cn-north-4.myhuaweicloud.com',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(
      variable,
      `protocol ${url.protocol} is not supported`,
      'https:// (or http:// on loopback)',
    );
  }
  if (url.username || url.password) {
    throw new ConfigError(variable, 'must not contain credentials', 'a URL without user:password@');
  }
  if (url.search || url.hash) {
    throw new ConfigError(
      variable,
      'must not contain a query or fragment',
      'scheme://host[:port][/base-path]',
    );
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    throw new ConfigError(
      variable,
      `plain http:// to ${url.hostname} would send credentials unencrypted`,
      'https://, http:// on a loopback host, or set HSS_ALLOW_INSECURE_HTTP=true',
    );
  }
  return url.toString().replace(/\/+$/, '');
}

/** Postgres URL check without echoing it (it may contain a password). */
export function parseDatabaseUrl(variable: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(variable, 'is not a URL', 'postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      variable,
      `protocol ${url.protocol} is not PostgreSQL`,
      'postgres:// or postgresql://',
    );
  }
  return raw.trim();
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function parseRegion(variable: string, raw: string): string {
  const t = raw.trim();
  if (!REGION.test(t)) {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a region name`,
      'a Huawei Cloud region such as cn-north-4, ap-southeast-1, eu-west-101',
    );
  }
  return t;
}

export function parseImageTypes(variable: string, items: string[]): ImageType[] {
  if (items.length === 0) throw new ConfigError(variable, 'is empty', IMAGE_TYPES.join(', '));
  return items.map((t) => parseEnum(variable, t, IMAGE_TYPES));
}

export function parseEnterpriseProjects(variable: string, items: string[]): string[] {
  if (items.length === 0)
    throw new ConfigError(variable, 'is empty', 'a comma list of enterprise project IDs, e.g. 0');
  for (const id of items) {
    if (id.length > 256)
      throw new ConfigError(
        variable,
        'an enterprise project ID is longer than 256 characters',
        '1–256 characters',
      );
  }
  return items;
}

export function parseProjectId(variable: string, raw: string): string {
  const t = raw.trim();
  if (t.length < 1 || t.length > 256 || /[/?#\s]/.test(t)) {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a project ID`,
      '1–256 characters without /, ?, # or spaces',
    );
  }
  return t;
}

export function parseRateOverrides(
  variable: string,
  raw: string | undefined,
): Partial<Record<ApiName, number>> {
  const out: Partial<Record<ApiName, number>> = {};
  if (!raw) return out;
  for (const item of parseList(raw)) {
    const [name, value, extra] = item.split('=').map((s) => s.trim());
    if (!name || value === undefined || extra !== undefined) {
      throw new ConfigError(
        variable,
        `${JSON.stringify(item)} is not API=rate`,
        'e.g. ListImageRiskConfigs=4,ListRegistryImages=5',
      );
    }
    const api = parseEnum(variable, name, API_NAMES);
    out[api] = parseIntInRange(variable, value, 1, 100_000);
  }
  return out;
}

export function parseSchedule(variable: string, raw: string): string {
  const expr = raw.trim();
  let detail: ReturnType<typeof validateDetailed>;
  try {
    detail = validateDetailed(expr);
  } catch (err) {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a cron expression (${(err as Error).message})`,
      'e.g. */30 * * * * (5 fields) or 0 */30 * * * * (6 fields, with seconds)',
    );
  }
  const fields = expr.split(/\s+/).length;
  if (!detail.valid || fields < 5 || fields > 6) {
    const why = detail.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || `${fields} fields`;
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a valid cron expression (${why})`,
      'e.g. */30 * * * * (5 fields) or 0 */30 * * * * (6 fields, with seconds)',
    );
  }
  return expr;
}

/** A listen address: an IPv4/IPv6 literal or a host name, nothing else. */
export function parseHost(variable: string, raw: string): string {
  const host = raw.trim();
  if (!/^[A-Za-z0-9._:-]{1,253}$/.test(host)) {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not an address to listen on`,
      'an IP address or host name such as 0.0.0.0, 127.0.0.1, :: or localhost',
    );
  }
  return host;
}

export function parseTimezone(variable: string, raw: string): string {
  const tz = raw.trim();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ConfigError(
      variable,
      `${JSON.stringify(raw)} is not a time zone`,
      'an IANA name such as UTC, Europe/Berlin, Asia/Shanghai',
    );
  }
  return tz;
}
