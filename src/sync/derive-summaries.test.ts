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
        severity: null,
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

  it('takes the worst of all rows when none failed; unknown strings rank below Security', () => {
    const sev = (severities: (string | null)[], scanResult = 'pass') =>
      deriveSummaries(
        severities.map((severity, i) => row({ checkRuleId: String(i), severity, scanResult })),
      )[0]?.severity;
    expect(sev(['Low', 'Critical', 'High'])).toBe('Critical');
    expect(sev(['Security', 'Low'])).toBe('Low');
    expect(sev(['Info', 'Security'])).toBe('Security');
    expect(sev(['Info', 'Other'])).toBe('Info');
    expect(sev([null, 'Info'])).toBe('Info');
    expect(sev([null, null])).toBeNull();
    expect(sev(['Medium', 'High'], 'failed')).toBe('High');
  });

  it('gives nothing for no rows', () => {
    expect(deriveSummaries([])).toEqual([]);
  });
});
