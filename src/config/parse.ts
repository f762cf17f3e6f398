/** Small pure parsers for config values. Each throws ConfigError naming the variable. */
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
