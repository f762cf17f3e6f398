/**
 * `report`: evidence of the posture as of an instant (src/report/command.ts). Its manifest says
 * whether the history hash chain held, checked in the same snapshot as the evidence.
 */
import { cmdReport } from '../report/command.js';
import { verifyChainIn } from '../verify/chain.js';
import type { CliIo } from './types.js';

export function run(io: CliIo, args: string[]): Promise<number> {
  return cmdReport(io, args, {
    verifier: async (db) => {
      const r = await verifyChainIn(db);
      return { intact: r.intact, broken: r.brokenCount };
    },
  });
}
