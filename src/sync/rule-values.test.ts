/**
 * HSS_RULE_VALUES in whole runs (MemoryStore, FakeHss, fake clock): `off` asks
 * ShowImageCheckRuleDetail for each failed rule's description once, never per image; `all` asks
 * per image and failed rule, each answer bringing its rule's description.
 */
import { describe, expect, it } from 'vitest';
import { scopeLabel } from '../domain.js';
import { S0, world } from './engine-world.test-helper.js';
import { rule, summary } from './fake-hss.test-helper.js';

const detailCalls = (w: ReturnType<typeof world>) =>
  w.hss.callsOf('ShowImageCheckRuleDetail').map((c) => `${c.scope.split('|').pop()} ${c.subject}`);

describe('HSS_RULE_VALUES', () => {
  it('off: one description call per failed rule, no per-image value; a second run asks nothing', async () => {
    const w = world({ ruleDetail: 'failed', ruleValues: 'off' });
    const r = await w.run();
    expect(r.status).toBe('succeeded');
    expect(detailCalls(w).sort()).toEqual([
      'p1/0/private_image a1-a',
      'p1/0/private_image a2-a',
      'p1/0/private_image a3-a',
      'p1/1/private_image b1-a',
      'p1/1/private_image b2-a',
      'p1/1/private_image shared',
    ]);
    expect(w.store.values.size).toBe(0);
    expect(w.store.descriptions.size).toBe(6);
    await w.run();
    expect(w.hss.callsOf('ShowImageCheckRuleDetail')).toHaveLength(6);
  });

  it('all: one call per image and failed rule, descriptions brought by them', async () => {
    const w = world({ ruleDetail: 'failed', ruleValues: 'all' });
    await w.run();
    expect(detailCalls(w).sort()).toEqual([
      'p1/0/private_image a1-a@a1',
      'p1/0/private_image a2-a@a2',
      'p1/0/private_image a3-a@a3',
      'p1/0/private_image shared@a1',
      'p1/0/private_image shared@a2',
      'p1/0/private_image shared@a3',
      'p1/1/private_image b1-a@b1',
      'p1/1/private_image b2-a@b2',
      'p1/1/private_image shared@b1',
      'p1/1/private_image shared@b2',
    ]);
    expect(w.store.values.size).toBe(10);
    expect(w.store.descriptions.size).toBe(6);
  });

  it('all: after a rescan, only the values of the rule newly failed are asked for', async () => {
    const w = world({ ruleDetail: 'failed', ruleValues: 'all' });
    await w.run();
    const a1 = w.hss.world.get(scopeLabel(S0))?.[0];
    if (!a1) throw new Error('no a1');
    a1.scanTime += 3_600_000;
    a1.results = [summary('CentOS 7', 2), summary('SSH', 0)].map((r, i) =>
      i === 0 ? { ...r, failedRuleNum: 3 } : r,
    );
    a1.rules = {
      'CentOS 7': [
        rule('CentOS 7', 'a1-a', 'failed'),
        rule('CentOS 7', 'shared', 'failed'),
        rule('CentOS 7', 'n1', 'failed'),
      ],
    };
    const before = w.hss.callsOf('ShowImageCheckRuleDetail').length;
    await w.clock.advance(1_800_000);
    await w.run();
    expect(detailCalls(w).slice(before)).toEqual(['p1/0/private_image n1@a1']);
    expect(w.store.values.size).toBe(11);
  });
});
