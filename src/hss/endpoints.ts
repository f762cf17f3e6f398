/**
 * Public endpoints of HSS and IAM per region (docs/hss-api.md section 5). The config may override
 * every endpoint (private clouds, proxies, tests); these are only the defaults.
 */

/** Regions where HSS is offered, as listed in docs/hss-api.md section 5. */
export const KNOWN_REGIONS = [
  'cn-north-1',
  'cn-north-2',
  'cn-north-4',
  'cn-north-9',
  'cn-north-11',
  'cn-north-12',
  'cn-east-2',
  'cn-east-3',
  'cn-east-4',
  'cn-east-5',
  'cn-south-1',
  'cn-south-2',
  'cn-south-4',
  'cn-southwest-2',
  'cn-southwest-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'af-south-1',
  'sa-brazil-1',
  'la-south-2',
  'la-north-2',
  'na-mexico-1',
  'tr-west-1',
  'ae-ad-1',
  'me-east-1',
  'my-kualalumpur-1',
  'ru-moscow-1',
  'eu-west-101',
] as const;

// eu-west-101 (Dublin) lives under the European sovereign domain, not myhuaweicloud.com.
function domainFor(region: string): string {
  return region === 'eu-west-101' ? 'myhuaweicloud.eu' : 'myhuaweicloud.com';
}

/** Default HSS base URL of a region, without trailing slash: `https://hss.{region}.myhuaweicloud.com`. */
export function hssEndpoint(region: string): string {
  return `https://hss.${region}.${domainFor(region)}`;
}

/** Default IAM base URL of a region, without trailing slash: `https://iam.{region}.myhuaweicloud.com`. */
export function iamEndpoint(region: string): string {
  return `https://iam.${region}.${domainFor(region)}`;
}

/** A configured base URL split for the dispatcher: origin, path prefix (no trailing `/`), Host value. */
export interface EndpointParts {
  origin: string;
  basePath: string;
  host: string;
}

/**
 * Splits a base URL such as `https://hss.cn-north-4.myhuaweicloud.com` or `http://127.0.0.1:8080/hss`
 * (a proxy prefix is kept and prepended to every path).
 */
export function splitEndpoint(endpoint: string): EndpointParts {
  const url = new URL(endpoint);
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, ''), host: url.host };
}
