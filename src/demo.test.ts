import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_PORT, DEMO_IMAGE_TYPES, defaultDemoDataDir, demoOptions } from './demo.js';

describe('demo options', () => {
  it('defaults: a fixed port, .demo-data, 6000 calls/min, 30 images per scope', () => {
    expect(demoOptions({})).toEqual({
      port: 54329,
      dataDir: defaultDemoDataDir(),
      ratePerMinute: 6000,
      imagesPerScope: 30,
    });
    expect(DEFAULT_DEMO_PORT).toBe(54329);
  });

  it('takes --port, --data-dir (made absolute), --rate-limit and --images', () => {
    expect(demoOptions({ port: '5999', 'data-dir': 'x/y', 'rate-limit': '5', images: '2' })).toEqual({
      port: 5999,
      dataDir: resolve('x/y'),
      ratePerMinute: 5,
      imagesPerScope: 2,
    });
  });

  it('names the option and what is allowed when a value is wrong', () => {
    const fails = (v: Parameters<typeof demoOptions>[0]) => {
      try {
        demoOptions(v);
        return 'no error';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(fails({ port: '70000' })).toBe(
      '--port: "70000" is not a whole number in range (allowed: 1–65535)',
    );
    expect(fails({ port: '' })).toBe('--port: "" is not a whole number in range (allowed: 1–65535)');
    expect(fails({ 'rate-limit': '0' })).toBe(
      '--rate-limit: "0" is not a whole number in range (allowed: 1–100000)',
    );
    expect(fails({ images: '1.5' })).toBe(
      '--images: "1.5" is not a whole number in range (allowed: 1–10000)',
    );
    expect(fails({ 'data-dir': ' ' })).toBe(
      '--data-dir: is empty (allowed: a directory path, e.g. --data-dir .demo-data)',
    );
  });

  it('syncs every image type but local (ListImageLocal serves local_image the same images)', () => {
    expect(DEMO_IMAGE_TYPES).toEqual([
      'private_image',
      'shared_image',
      'local_image',
      'instance_image',
      'registry',
      'cicd',
    ]);
  });
});
