import { describe, expect, it } from 'vitest';
import { ApiBoard, catchUpSeconds } from './api-board.js';

describe('ApiBoard', () => {
  it('counts calls made and due per API, each API catching up at its own rate', () => {
    const rates: Record<string, number> = { ListImageRiskConfigs: 5, ListImageRiskConfigRules: 4 };
    const board = new ApiBoard((_t, api) => rates[api] ?? 5);
    let summariesLeft = 12;
    const summaries = board.track('t1', 'ListImageRiskConfigs', () => summariesLeft);
    board.track('t1', 'ListImageRiskConfigRules', () => 8);
    for (let i = 0; i < 3; i++) board.called('t1', 'ListImageRiskConfigs');
    board.called('t1', 'ListRegistryImages');
    expect(board.snapshot()).toEqual([
      { api: 'ListImageRiskConfigRules', callsMade: 0, callsDue: 8, ratePerMinute: 4, catchUpSeconds: 120 },
      { api: 'ListImageRiskConfigs', callsMade: 3, callsDue: 12, ratePerMinute: 5, catchUpSeconds: 144 },
      { api: 'ListRegistryImages', callsMade: 1, callsDue: 0, ratePerMinute: 5, catchUpSeconds: 0 },
    ]);
    // Live until frozen: then the final figure stays whatever the source says.
    summariesLeft = 2;
    expect(board.snapshot()[1]?.callsDue).toBe(2);
    summaries.freeze(1);
    summariesLeft = 50;
    expect(board.snapshot()[1]).toEqual({
      api: 'ListImageRiskConfigs',
      callsMade: 3,
      callsDue: 1,
      ratePerMinute: 5,
      catchUpSeconds: 12,
    });
    // The budgets work side by side: the run catches up when its slowest API does.
    expect(catchUpSeconds(board.snapshot())).toBe(120);
  });

  it('sums the due calls of several targets, but takes the slowest target for the catch-up time', () => {
    const board = new ApiBoard((t) => (t === 'slow' ? 2 : 10));
    board.track('fast', 'ListImageRiskConfigs', () => 10);
    board.track('slow', 'ListImageRiskConfigs', () => 4);
    expect(board.snapshot()).toEqual([
      { api: 'ListImageRiskConfigs', callsMade: 0, callsDue: 14, ratePerMinute: 2, catchUpSeconds: 120 },
    ]);
  });
});
