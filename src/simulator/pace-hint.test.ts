import { describe, expect, it } from 'vitest';
import { paceHint, syncRateFor } from './pace-hint.js';

describe('the pace simulate suggests', () => {
  it('matches the simulator: none = the sync at its largest rate, else the same rate', () => {
    expect([syncRateFor(0), syncRateFor(5), syncRateFor(6000), syncRateFor(100_000)]).toEqual([
      100_000, 5, 6000, 100_000,
    ]);
    expect(paceHint(5)).toBe(
      "  pace: the try lines set HSS_RATE_LIMIT_PER_MINUTE=5 as this simulator allows 5 calls/min per API; without it the sync keeps HSS's 5 calls/min per API (--rate-limit 5 plays HSS)\n",
    );
  });
});
