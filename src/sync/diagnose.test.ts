import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../config/types.js';
import { diagnoseRun, failedOnConfiguration, sharedErrorKey } from './diagnose.js';

const target = { name: 't1', region: 'cn-north-4', projectId: 'p1' } as TargetConfig;
const scope = (label: string, status: string, imagesListed: number, error: string | null) => ({
  scope: { target: 't1' },
  label,
  status,
  counts: { imagesListed },
  error,
});

describe('sharedErrorKey', () => {
  it('ignores request ids, API names and paths, so the list APIs of one credential compare equal', () => {
    expect(
      sharedErrorKey(
        'HSS_AUTH_FAILED: ListRegistryImages GET /v5/p1/image/registries/images HTTP 401 APIGW.0301 "bad" request_id=abc',
      ),
    ).toBe(
      sharedErrorKey(
        'HSS_AUTH_FAILED: ListCicdImages GET /v5/p1/image/cicd/images HTTP 401 APIGW.0301 "bad" request_id=def',
      ),
    );
  });
});

describe('diagnoseRun', () => {
  it('writes a failure shared by some scopes once, and keeps a different one apart', () => {
    const d = diagnoseRun(
      [target],
      [
        scope(
          'p1/0/private_image',
          'failed',
          0,
          'HSS_API_ERROR: ListRegistryImages HTTP 400 HSS.0013 request_id=a',
        ),
        scope('p1/0/cicd', 'failed', 0, 'HSS_API_ERROR: ListCicdImages HTTP 400 HSS.0013 request_id=b'),
        scope('p1/0/local_image', 'failed', 0, 'HSS_NETWORK: ListImageLocal: reset'),
        scope('p1/0/shared_image', 'succeeded', 3, null),
      ],
    );
    expect(d).toEqual({
      problems: [
        'target t1, 2 scopes (p1/0/private_image, p1/0/cicd): HSS_API_ERROR: ListRegistryImages HTTP 400 HSS.0013 request_id=a',
        'p1/0/local_image: HSS_NETWORK: ListImageLocal: reset',
      ],
      warnings: [],
    });
  });

  it('warns only when every scope of the target succeeded with 0 images', () => {
    expect(
      diagnoseRun([target], [scope('a', 'succeeded', 0, null), scope('b', 'failed', 0, 'x')]).warnings,
    ).toEqual([]);
    expect(
      diagnoseRun([target], [scope('a', 'succeeded', 0, null), scope('b', 'skipped', 0, null)]).warnings,
    ).toEqual([
      `target t1: all 1 scope(s) listed 0 images; check that HSS_PROJECT_ID (or the target's project_id) "p1" is a project of region cn-north-4: HSS answers a project it does not know with an empty list`,
    ]);
  });

  it('failedOnConfiguration needs every scope that ran to fail on a wrong setting', () => {
    const dns =
      'HSS_HOST_NOT_FOUND: ListRegistryImages: configuration problem: host "h" not found (ENOTFOUND): check X';
    expect(failedOnConfiguration([scope('a', 'failed', 0, dns), scope('b', 'skipped', 0, null)])).toBe(true);
    expect(
      failedOnConfiguration([scope('a', 'failed', 0, dns), scope('b', 'failed', 0, 'HSS_NETWORK: x')]),
    ).toBe(false);
    expect(failedOnConfiguration([])).toBe(false);
  });
});
