/**
 * A host name that does not resolve is a wrong setting, not a network fault: `ENOTFOUND` for
 * `hss.cn-nort-4.myhuaweicloud.com` stays so however often it is retried. It is reported at once
 * as a configuration problem, naming the host, the region when the host is a default one, and the
 * settings to check. `EAI_AGAIN` (the resolver did not answer) stays a retryable network error:
 * it says nothing about the name.
 */
import { CONFIGURATION_PROBLEM } from '../errors.js';
import { closest } from '../suggest.js';
import { KNOWN_REGIONS } from './endpoints.js';

/** getaddrinfo answers that mean "this name does not exist". */
export const HOST_NOT_FOUND_CODES: readonly string[] = ['ENOTFOUND', 'EAI_NONAME'];

/** The errno code when `err` (or a cause) says the host name does not resolve, else null. */
export function hostNotFoundCode(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && HOST_NOT_FOUND_CODES.includes(code)) return code;
  }
  return null;
}

/** The known HSS region closest to `region` (at most 2 edits away), or null. */
export function closestRegion(region: string): string | null {
  return closest(region, KNOWN_REGIONS);
}

/**
 * `host "hss.cn-nort-4.myhuaweicloud.com" not found (ENOTFOUND): "cn-nort-4" is not a known HSS
 * region (did you mean cn-north-4?); check HSS_REGION and HSS_ENDPOINT`. `service` is the first
 * label of the default host (`hss`, `iam`); `settings` names what to check.
 */
export function hostNotFoundProblem(host: string, code: string, service: string, settings: string): string {
  const name = host.replace(/:\d+$/, '');
  const m = new RegExp(`^${service}\\.([a-z0-9-]+)\\.myhuaweicloud\\.(com|eu)$`).exec(name);
  let region = '';
  if (m && !(KNOWN_REGIONS as readonly string[]).includes(m[1]!)) {
    const guess = closestRegion(m[1]!);
    region = ` "${m[1]}" is not a known HSS region${guess ? ` (did you mean ${guess}?)` : ''};`;
  }
  return `${CONFIGURATION_PROBLEM} host ${JSON.stringify(name)} not found (${code}):${region} check ${settings}`;
}
