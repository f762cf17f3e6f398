import { afterEach, describe, expect, it } from 'vitest';
import type { ImageType, Scope } from '../domain.js';
import { MockHss, mockClient } from './mock-hss.test-helper.js';
import type { QuarantineEvent } from './types.js';

function scope(imageType: ImageType): Scope {
  return { target: 't', projectId: 'proj1', enterpriseProjectId: '0', imageType };
}

let mock = new MockHss();
afterEach(async () => {
  await mock.close();
});

describe('listImagesPage: official optionality and the item as received', () => {
  it('a page without total_num is read: totalNum null, rows and itemsReceived as sent', async () => {
    mock = new MockHss();
    const { client } = mockClient(mock);
    mock.reply({
      status: 200,
      headers: { 'x-request-id': 'r1' },
      json: { data_list: [{ image_id: 'a' }, {}] },
    });
    const page = await client.listImagesPage(scope('private_image'), 0, 10);
    expect([page.totalNum, page.itemsReceived, page.requestId]).toEqual([null, 2, 'r1']);
    expect(page.rows.map((r) => r.imageId)).toEqual(['a']);
  });

  it('a page with neither total_num nor data_list is an empty page', async () => {
    mock = new MockHss();
    const { client } = mockClient(mock);
    mock.reply({ status: 200, json: {} });
    const page = await client.listImagesPage(scope('cicd'), 0, 10);
    expect([page.totalNum, page.itemsReceived, page.rows]).toEqual([null, 0, []]);
  });

  it('each listing keeps its item as received (before transforms); a quarantined item is in none', async () => {
    mock = new MockHss();
    const { client } = mockClient(mock);
    const quarantined: QuarantineEvent[] = [];
    const local = {
      image_id: 'sha256:l',
      image_name: 'redis\u0000',
      latest_scan_time: '0',
      unsafe_setting_num: '2',
      host_num: 3,
      container_num: 5,
      non_scan_reason: '',
    };
    const cicd = { image_id: 'sha256:c', latest_version: false, scan_failed_code: 12 };
    mock.reply({
      status: 200,
      json: { total_num: 3, data_list: [local, { image_id: 'x', is_multiple_arch: 'yes' }, cicd] },
    });
    const page = await client.listImagesPage(scope('local_image'), 0, 10, {
      onQuarantine: (e) => quarantined.push(e),
    });
    expect(page.rows.map((r) => r.raw)).toEqual([{ ...local, image_name: 'redis\uFFFD' }, cicd]);
    expect(page.rows.map((r) => [r.latestScanTime, r.unsafeSettingNum, r.hostNum, r.nonScanReason])).toEqual([
      [null, 2, 3, ''],
      [null, null, null, null],
    ]);
    expect(page.rows.map((r) => [r.latestVersion, r.scanFailedCode])).toEqual([
      [null, null],
      ['false', '12'],
    ]);
    expect(quarantined.map((q) => [q.position, q.problem])).toEqual([
      [1, 'is_multiple_arch: Invalid input: expected boolean, received string'],
    ]);
    expect(client.stats).toEqual({ nulReplaced: 1, skippedWithoutImageId: 0, duplicates: 0, quarantined: 1 });
  });
});
