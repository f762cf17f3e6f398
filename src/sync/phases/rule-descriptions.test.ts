/**
 * The order of a lookup's two reads. Rules committed between the read of the descriptions due and
 * the read of the values due must come with their values (one call per image), never once more
 * without an image: the race a slow database or a busy machine opens between the two reads.
 */
import { describe, expect, it } from 'vitest';
import type { ImageRuleRef, RuleDetail, RuleKey, Scope } from '../../domain.js';
import type { HssClient } from '../../hss/types.js';
import { createLimiter } from '../limiter.js';
import type { DrillStore } from '../store.js';
import { newDrillClaims, RuleDescriptions } from './rule-descriptions.js';

const SCOPE: Scope = { target: 't', projectId: 'p', enterpriseProjectId: '0', imageType: 'private_image' };
const RULE: RuleKey = {
  checkName: 'EulerOS',
  checkType: 'EulerOS',
  standard: 'cn_standard',
  checkRuleId: '1.10',
};
const IMAGE = { imageId: 'sha256:a', namespace: 'ns', imageName: 'app', imageVersion: '1', instanceId: null };
const DETAIL: RuleDetail = {
  description: 'd',
  reference: null,
  audit: null,
  remediation: null,
  checkInfoList: [],
};

/**
 * A store whose rule rows are committed the moment its first read of a lookup returns: before,
 * nothing is due; after, the rule's description and its values on IMAGE are.
 */
function racingStore(reads: string[]): DrillStore {
  let committed = false;
  const after = <T>(name: string, value: () => T): Promise<T> => {
    reads.push(name);
    const v = value();
    committed = true;
    return Promise.resolve(v);
  };
  const store: Partial<DrillStore> = {
    loadDescriptionsDue: () => after('descriptions', () => (committed ? [RULE] : [])),
    loadRuleValuesDue: () =>
      after('values', (): ImageRuleRef[] => (committed ? [{ scope: SCOPE, image: IMAGE, key: RULE }] : [])),
    filterDescriptionsDue: async (keys) => [...keys],
    upsertRuleDescription: async () => {},
    upsertRuleValues: async () => {},
  };
  return store as DrillStore;
}

describe('RuleDescriptions lookups', () => {
  it('reads the descriptions due before the values due: rules committed in between are asked with their image only', async () => {
    const reads: string[] = [];
    const calls: string[] = [];
    const client: Partial<HssClient> = {
      showCheckRuleDetail: async (_scope, key, image) => {
        calls.push(`${key.checkRuleId}@${image?.imageId ?? 'none'}`);
        return DETAIL;
      },
    };
    let described = 0;
    const d = new RuleDescriptions({
      client: client as HssClient,
      store: racingStore(reads),
      scope: SCOPE,
      runId: 'r',
      enabled: true,
      now: () => new Date('2026-04-01T00:00:00Z'),
      limiter: createLimiter(1),
      concurrency: 1,
      callOptions: {},
      claims: newDrillClaims(),
      db: (fn) => fn(),
      stopped: () => false,
      defect: (err) => {
        throw err;
      },
      failure: (m) => {
        throw new Error(m);
      },
      fetched: () => {
        described++;
      },
    });
    d.backlog();
    await d.finish();
    expect(reads).toEqual(['descriptions', 'values']);
    expect(calls).toEqual(['1.10@sha256:a']);
    // The description came with the values answer (filterDescriptionsDue says it is due).
    expect(described).toBe(1);
    expect(d.valuesFetched).toBe(1);
  });
});
