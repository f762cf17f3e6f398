import { describe, expect, it } from 'vitest';
import { hssEndpoint, iamEndpoint, KNOWN_REGIONS, splitEndpoint } from './endpoints.js';

describe('endpoints', () => {
  it('builds the public HSS and IAM endpoints', () => {
    expect(hssEndpoint('cn-north-4')).toBe('https://hss.cn-north-4.myhuaweicloud.com');
    expect(iamEndpoint('ap-southeast-1')).toBe('https://iam.ap-southeast-1.myhuaweicloud.com');
  });
  it('uses the .eu domain for eu-west-101', () => {
    expect(hssEndpoint('eu-west-101')).toBe('https://hss.eu-west-101.myhuaweicloud.eu');
    expect(iamEndpoint('eu-west-101')).toBe('https://iam.eu-west-101.myhuaweicloud.eu');
  });
  it('lists the 30 documented regions once each', () => {
    expect(KNOWN_REGIONS).toHaveLength(30);
    expect(new Set(KNOWN_REGIONS).size).toBe(30);
    expect(KNOWN_REGIONS).toContain('my-kualalumpur-1');
  });
  it('splits an override with a port and a proxy prefix', () => {
    expect(splitEndpoint('http://127.0.0.1:8080/hss/')).toEqual({
      origin: 'http://127.0.0.1:8080',
      basePath: '/hss',
      host: '127.0.0.1:8080',
    });
    expect(splitEndpoint('https://hss.cn-north-4.myhuaweicloud.com')).toEqual({
      origin: 'https://hss.cn-north-4.myhuaweicloud.com',
      basePath: '',
      host: 'hss.cn-north-4.myhuaweicloud.com',
    });
  });
});
