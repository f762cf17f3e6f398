import { describe, expect, it } from 'vitest';
import { HssApiError } from '../errors.js';
import { LOCK_LOST, runError, runStatus, scopeResult, scopeResultOfError, tallyScopes } from './outcome.js';

const clean = { inventoryComplete: true, aborted: false, lockLost: false, stoppedBy: null, problems: [] };

describe('scopeResult', () => {
  it('succeeded without problems, partial with some, failed when a phase stopped the scope', () => {
    expect(scopeResult(clean)).toEqual({ status: 'succeeded', inventoryComplete: true, error: null });
    expect(scopeResult({ ...clean, problems: ['a', 'b'] })).toEqual({
      status: 'partial',
      inventoryComplete: true,
      error: 'a; b',
    });
    expect(scopeResult({ ...clean, stoppedBy: 'b', problems: ['a', 'b'] })).toEqual({
      status: 'failed',
      inventoryComplete: true,
      error: 'a; b',
    });
    expect(scopeResult({ ...clean, problems: ['x'.repeat(3000)] }).error).toHaveLength(2000);
  });

  it('puts the signal before a lost lock, and a lost lock before the problems', () => {
    const all = { ...clean, aborted: true, lockLost: true, stoppedBy: 's', problems: ['s'] };
    expect(scopeResult(all)).toEqual({
      status: 'aborted',
      inventoryComplete: true,
      error: 'aborted by signal',
    });
    expect(scopeResult({ ...all, aborted: false })).toEqual({
      status: 'failed',
      inventoryComplete: true,
      error: `${LOCK_LOST}; s`,
    });
  });

  it('turns a thrown fault into failed with its summary, or aborted on the signal', () => {
    const err = new HssApiError({ api: 'ListRegistryImages', path: 'GET /x', status: 503 });
    expect(scopeResultOfError(err, { aborted: false, lockLost: false })).toEqual({
      status: 'failed',
      inventoryComplete: false,
      error: 'HSS_API_ERROR: ListRegistryImages HTTP 503',
    });
    expect(scopeResultOfError(err, { aborted: false, lockLost: true }).error).toBe(LOCK_LOST);
    expect(scopeResultOfError(err, { aborted: true, lockLost: true }).status).toBe('aborted');
  });
});

describe('run outcome', () => {
  it('tallies the scopes that ran; aborted ones count as partial', () => {
    expect(tallyScopes(['succeeded', 'skipped', 'failed', 'aborted', 'partial'])).toEqual({
      total: 4,
      succeeded: 1,
      partial: 2,
      failed: 1,
    });
  });

  it('is aborted on the signal, succeeded when none or all succeeded, failed when all failed, else partial', () => {
    const t = (succeeded: number, failed: number, partial = 0) => ({
      total: succeeded + failed + partial,
      succeeded,
      partial,
      failed,
    });
    expect(runStatus(t(2, 0), true)).toBe('aborted');
    expect(runStatus(t(0, 0), false)).toBe('succeeded');
    expect(runStatus(t(2, 0), false)).toBe('succeeded');
    expect(runStatus(t(0, 2), false)).toBe('failed');
    expect(runStatus(t(1, 1), false)).toBe('partial');
    expect(runStatus(t(0, 0, 1), false)).toBe('partial');
  });

  it('says why in one line: the signal, else problems then warnings', () => {
    expect(runError(true, ['p'], ['w'])).toBe('aborted by signal');
    expect(runError(false, ['p1', 'p2'], ['w'])).toBe('p1; p2; warning: w');
    expect(runError(false, [], [])).toBeNull();
  });
});
