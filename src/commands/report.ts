/** `report`: evidence of the posture as of an instant (src/report/command.ts). */
import { cmdReport } from '../report/command.js';
import type { CliIo } from './types.js';

export function run(io: CliIo, args: string[]): Promise<number> {
  return cmdReport(io, args);
}
