import { describe, expect, it } from 'vitest';
import { closestRegion, hostNotFoundCode, hostNotFoundProblem } from './dns.js';

const dnsError = (code: string) => Object.assign(new Error(`getaddrinfo ${code} h`), { code });

describe('host not found', () => {
  it('ENOTFOUND and EAI_NONAME are wrong names; EAI_AGAIN (no answer from the resolver) is not', () => {
    expect(hostNotFoundCode(dnsError('ENOTFOUND'))).toBe('ENOTFOUND');
    expect(hostNotFoundCode(new Error('fetch failed', { cause: dnsError('EAI_NONAME') }))).toBe('EAI_NONAME');
    expect(hostNotFoundCode(dnsError('EAI_AGAIN'))).toBe(null);
    expect(hostNotFoundCode(dnsError('ECONNREFUSED'))).toBe(null);
  });

  it('names the nearest known region for a default host, and nothing for a custom one', () => {
    expect(closestRegion('cn-nort-4')).toBe('cn-north-4');
    expect(closestRegion('xx-nowhere-9')).toBe(null);
    expect(
      hostNotFoundProblem('hss.ap-southeast-l.myhuaweicloud.com', 'ENOTFOUND', 'hss', 'HSS_REGION'),
    ).toBe(
      'configuration problem: host "hss.ap-southeast-l.myhuaweicloud.com" not found (ENOTFOUND): "ap-southeast-l" is not a known HSS region (did you mean ap-southeast-1?); check HSS_REGION',
    );
    expect(hostNotFoundProblem('hss-proxy.corp.example:8443', 'ENOTFOUND', 'hss', 'HSS_ENDPOINT')).toBe(
      'configuration problem: host "hss-proxy.corp.example" not found (ENOTFOUND): check HSS_ENDPOINT',
    );
  });
});
