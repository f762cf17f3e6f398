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

type Options = ConstructorParameters<typeof RuleDescriptions>[0];

/** The lookups of SCOPE one at a time, a failure thrown, the rest as `extra` says. */
function descriptions(client: HssClient, store: DrillStore, extra: Partial<Options>): RuleDescriptions {
  return new RuleDescriptions({
    client,
    store,
    scope: SCOPE,
    runId: 'r',
    enabled: true,
    now: () => new Date('2026-04-01T00:00:00Z'),
    limiter: createLimiter(1),
    concurrency: 1,
    ruleValues: 'all',
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
    fetched: () => {},
    ...extra,
  });
}

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
    const d = descriptions(client as HssClient, racingStore(reads), {
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

  it('reads the values due a page at a time, the next once the fetch lane has room, and asks a description alone only after the scan', async () => {
    const rule = (id: string): RuleKey => ({ ...RULE, checkRuleId: id });
    const image = (n: number) => ({ ...IMAGE, imageId: `sha256:${n}` });
    // 7 images × rule 1.1 due; rule 9.9 only needs its description.
    const due: ImageRuleRef[] = Array.from({ length: 7 }, (_, i) => ({
      scope: SCOPE,
      image: image(i),
      key: rule('1.1'),
    }));
    const events: string[] = [];
    const store: Partial<DrillStore> = {
      loadDescriptionsDue: async () => [rule('9.9'), rule('1.1')],
      loadRuleValuesDue: async (_s, after, limit) => {
        const from = after ? due.findIndex((d) => d.image.imageId === after.imageId) + 1 : 0;
        events.push(`page@${from}`);
        return due.slice(from, from + limit);
      },
      filterDescriptionsDue: async (keys) => [...keys],
      upsertRuleDescription: async () => {},
      upsertRuleValues: async () => {},
    };
    const client: Partial<HssClient> = {
      showCheckRuleDetail: async (_scope, key, img) => {
        events.push(`${key.checkRuleId}@${img?.imageId.slice(7) ?? 'none'}`);
        return DETAIL;
      },
    };
    const d = descriptions(client as HssClient, store as DrillStore, { valuesPage: 3 });
    d.backlog();
    await d.finish();
    const calls = events.filter((e) => !e.startsWith('page'));
    expect(calls).toEqual(['1.1@0', '1.1@1', '1.1@2', '1.1@3', '1.1@4', '1.1@5', '1.1@6', '9.9@none']);
    // Three pages (3 + 3 + 1): each read after the calls of the one before had mostly started.
    expect(events.filter((e) => e.startsWith('page'))).toEqual(['page@0', 'page@3', 'page@6']);
    expect(events.indexOf('page@3')).toBeGreaterThan(events.indexOf('1.1@0'));
    expect(events.indexOf('page@6')).toBeGreaterThan(events.indexOf('1.1@3'));
    expect(d.valuesFetched).toBe(7);
  });
});
