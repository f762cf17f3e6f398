import { describe, expect, it } from 'vitest';
import { plantValues } from './hostile.js';

describe('plantValues', () => {
  const listPage = () => ({ total_num: 2, data_list: [{ image_id: 'a', image_size: 1 }, { image_id: 'b' }] });

  it('sets JSON values on the list rows of one image_id and on the page', () => {
    const text = plantValues(
      'ListRegistryImages',
      listPage(),
      undefined,
      [
        { api: 'ListRegistryImages', at: 'item', imageId: 'b', set: { unsafe_setting_num: 3_000_000_000 } },
        { api: 'ListRegistryImages', at: 'page', set: { total_num: 2_147_483_548 } },
        { api: 'ListCicdImages', at: 'page', set: { total_num: 0 } },
      ],
      true,
    );
    expect(JSON.parse(text ?? '')).toEqual({
      total_num: 2_147_483_548,
      data_list: [
        { image_id: 'a', image_size: 1 },
        { image_id: 'b', unsafe_setting_num: 3_000_000_000 },
      ],
    });
  });

  it('writes raw text verbatim: numbers and nesting no JavaScript value serialises to', () => {
    const digits = '9'.repeat(400);
    const text = plantValues(
      'ListRegistryImages',
      listPage(),
      undefined,
      [{ api: 'ListRegistryImages', at: 'item', imageId: 'a', raw: { image_size: digits, deep: '[[[]]]' } }],
      true,
    );
    expect(text).toBe(
      `{"total_num":2,"data_list":[{"image_id":"a","image_size":${digits},"deep":[[[]]]},{"image_id":"b"}]}`,
    );
  });

  it('per-image APIs: only answers filtered on the image, only the item at `index`; null when nothing matched', () => {
    const page = () => ({ total_num: 2, data_list: [{ check_rule_num: 1 }, { check_rule_num: 2 }] });
    const spec = {
      api: 'ListImageRiskConfigs',
      at: 'item' as const,
      imageId: 'x',
      index: 1,
      set: { check_rule_num: -3 },
    };
    expect(
      JSON.parse(plantValues('ListImageRiskConfigs', page(), 'x', [spec], false) ?? '').data_list,
    ).toEqual([{ check_rule_num: 1 }, { check_rule_num: -3 }]);
    expect(plantValues('ListImageRiskConfigs', page(), 'y', [spec], false)).toBeNull();
    expect(plantValues('ListImageRiskConfigRules', page(), 'x', [spec], false)).toBeNull();
  });
});
