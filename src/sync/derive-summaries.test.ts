import { describe, expect, it } from 'vitest';
import type { RuleResult } from '../domain.js';
import { deriveSummaries } from './derive-summaries.js';

function row(over: Partial<RuleResult>): RuleResult {
  return {
    checkName: 'CentOS 7',
    checkType: 'CentOS 7',
    standard: 'hw_standard',
    checkRuleId: '1.1',
    checkRuleName: 'r',
    severity: 'Low',
    scanResult: 'pass',
    checkTypeDesc: null,
    ...over,
  };
}

describe('deriveSummaries', () => {
  it('counts rows and failed rows per (check_name, check_type, standard), sorted by that key', () => {
    const rows = [
      row({ checkName: 'Ubuntu', checkType: 'Ubuntu', checkRuleId: 'u1', scanResult: 'failed' }),
      row({ checkRuleId: '1', scanResult: 'failed', severity: 'Medium', checkTypeDesc: null }),
      row({ checkRuleId: '2', scanResult: 'pass', severity: 'High', checkTypeDesc: 'desc A' }),
      row({ checkRuleId: '', scanResult: 'failed', severity: 'Low', checkTypeDesc: 'desc B' }),
      row({ standard: 'cn_standard', checkRuleId: '1', scanResult: 'pass', severity: null }),
    ];
    expect(deriveSummaries(rows)).toEqual([
      {
        checkName: 'CentOS 7',
        checkType: 'CentOS 7',
        standard: 'cn_standard',
        // Nothing failed: Security, whatever the passed rows say.
        severity: 'Security',
        checkRuleNum: 1,
        failedRuleNum: 0,
        checkTypeDesc: null,
      },
      {
        checkName: 'CentOS 7',
        checkType: 'CentOS 7',
        standard: 'hw_standard',
        // The worst failed row (Medium), not the worst row (High, passed).
        severity: 'Medium',
        // The row without a check_rule_id counts.
        checkRuleNum: 3,
        failedRuleNum: 2,
        checkTypeDesc: 'desc A',
      },
      {
        checkName: 'Ubuntu',
        checkType: 'Ubuntu',
        standard: 'hw_standard',
        severity: 'Low',
        checkRuleNum: 1,
        failedRuleNum: 1,
        checkTypeDesc: null,
      },
    ]);
  });

  it('is Security when none failed, else the worst failed; unknown strings rank below Security', () => {
    const sev = (severities: (string | null)[], scanResult = 'pass') =>
      deriveSummaries(
        severities.map((severity, i) => row({ checkRuleId: String(i), severity, scanResult })),
      )[0]?.severity;
    expect(sev(['Low', 'Critical', 'High'])).toBe('Security');
    expect(sev([null, null])).toBe('Security');
    expect(sev(['Low', 'Critical', 'High'], 'failed')).toBe('Critical');
    expect(sev(['Security', 'Low'], 'failed')).toBe('Low');
    expect(sev(['Info', 'Security'], 'failed')).toBe('Security');
    expect(sev(['Info', 'Other'], 'failed')).toBe('Info');
    expect(sev([null, 'Info'], 'failed')).toBe('Info');
    expect(sev([null, null], 'failed')).toBeNull();
  });

  it('gives nothing for no rows', () => {
    expect(deriveSummaries([])).toEqual([]);
  });
});
