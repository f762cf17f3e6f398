/**
 * The pace `simulate` suggests to the sync. The sync paces itself at HSS_RATE_LIMIT_PER_MINUTE,
 * by default HSS's documented 5 calls per minute per API: against a simulator without a limit,
 * a "try" line without a rate would make a first sync of its world take over 20 minutes.
 */

/** The sync's largest HSS_RATE_LIMIT_PER_MINUTE (src/config/env-spec.ts). */
const SYNC_MAX_RATE = 100_000;

/** The HSS_RATE_LIMIT_PER_MINUTE matching a simulator limit (0 = none: the sync's largest). */
export function syncRateFor(simRatePerMinute: number): number {
  return simRatePerMinute === 0 ? SYNC_MAX_RATE : Math.min(simRatePerMinute, SYNC_MAX_RATE);
}

/** One line saying why the try lines set HSS_RATE_LIMIT_PER_MINUTE. */
export function paceHint(simRatePerMinute: number): string {
  const matches =
    simRatePerMinute === 0
      ? 'this simulator has no rate limit (--rate-limit 0)'
      : `this simulator allows ${simRatePerMinute} calls/min per API`;
  return `  pace: the try lines set HSS_RATE_LIMIT_PER_MINUTE=${syncRateFor(simRatePerMinute)} as ${matches}; without it the sync keeps HSS's 5 calls/min per API (--rate-limit 5 plays HSS)\n`;
}
