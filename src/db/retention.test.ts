import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { addDays, daysBetween, utcDay } from './daily.js';
import { retentionCutoffs } from './retention.js';

const env = {
  DATABASE_URL: 'postgres://u@localhost/db',
  HSS_REGION: 'cn-north-4',
  HSS_PROJECT_ID: 'p1',
  HSS_AUTH_TOKEN: 't',
};

describe('retentionCutoffs', () => {
  const at = new Date('2026-03-10T17:45:00Z');

  it('cuts at the UTC midnight N days before the day of `at`', () => {
    expect(retentionCutoffs(at, { days: 30, historyDays: 400 })).toEqual({
      factsBeforeDay: '2026-02-08',
      runsBefore: new Date('2026-02-08T00:00:00Z'),
      historyBefore: new Date('2025-02-03T00:00:00Z'),
    });
  });

  it('is the same all day long, so only the first run of a day deletes anything', () => {
    const early = retentionCutoffs(new Date('2026-03-10T00:00:00Z'), { days: 7, historyDays: null });
    const late = retentionCutoffs(new Date('2026-03-10T23:59:59.999Z'), { days: 7, historyDays: null });
    expect(early).toEqual(late);
    expect(early.factsBeforeDay).toBe('2026-03-03');
  });

  it('keeps everything when a period is null or 0', () => {
    expect(retentionCutoffs(at, { days: null, historyDays: 0 })).toEqual({
      factsBeforeDay: null,
      runsBefore: null,
      historyBefore: null,
    });
  });
});

describe('UTC days', () => {
  it('adds days across month and year ends and counts them', () => {
    expect(utcDay(new Date('2025-12-31T23:59:59.999Z'))).toBe('2025-12-31');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(daysBetween('2025-12-30', '2026-01-02')).toBe(3);
  });
});

describe('HSS_RETENTION_DAYS and HSS_HISTORY_RETENTION_DAYS', () => {
  it('default to two years of facts and ledger, and the history for ever', () => {
    const c = loadConfig(env);
    expect([c.retentionDays, c.historyRetentionDays]).toEqual([730, null]);
  });

  it('take whole days; 0 keeps for ever', () => {
    const c = loadConfig({ ...env, HSS_RETENTION_DAYS: '90', HSS_HISTORY_RETENTION_DAYS: '3650' });
    expect([c.retentionDays, c.historyRetentionDays]).toEqual([90, 3650]);
    expect(loadConfig({ ...env, HSS_RETENTION_DAYS: '0' }).retentionDays).toBeNull();
  });

  it('reject what is not a number of days, naming the variable', () => {
    expect(() => loadConfig({ ...env, HSS_RETENTION_DAYS: '30d' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, HSS_RETENTION_DAYS: '30d' })).toThrow(
      'HSS_RETENTION_DAYS: "30d" is not a whole number',
    );
    expect(() => loadConfig({ ...env, HSS_HISTORY_RETENTION_DAYS: '-1' })).toThrow(
      'HSS_HISTORY_RETENTION_DAYS',
    );
  });
});
