/**
 * Variables that look like this product's but are not: a typo (`HSS_REGON`) would otherwise
 * leave the intended setting unset or at its default, reported (if at all) as "HSS_REGION: is not
 * set". Every command that reads the environment checks it first (src/cli.ts).
 *
 * The rule (docs/operations.md, "Configuration"): a set HSS_* or SYNC_* variable that is not in SPEC (nor the
 * `_FILE` twin of a secret one) is a configuration error (exit 78) when a known name is at most
 * two edits away, naming it; any other is ignored with a warning line.
 */
import { ConfigError } from '../errors.js';
import { closest } from '../suggest.js';
import { SPEC, type VarName } from './env-spec.js';
import type { Env } from './read.js';

const PREFIXES = /^(HSS|SYNC)_/;

/** Every name the product reads: SPEC's, and NAME_FILE for each secret. */
export const KNOWN_VARIABLES: readonly string[] = (Object.keys(SPEC) as VarName[]).flatMap((name) =>
  SPEC[name].secret === true ? [name, `${name}_FILE`] : [name],
);

/**
 * Throws ConfigError for the first set HSS_/SYNC_ variable that is not known but close to one
 * (in name order); returns one warning line per other unknown one.
 */
export function checkVariableNames(env: Env): string[] {
  const known = new Set(KNOWN_VARIABLES);
  const warnings: string[] = [];
  const unknown = Object.keys(env)
    .filter((name) => PREFIXES.test(name) && !known.has(name) && (env[name] ?? '').trim() !== '')
    .sort();
  for (const name of unknown) {
    const guess = closest(name, KNOWN_VARIABLES);
    if (guess) throw new ConfigError(name, `is not a known variable (did you mean ${guess}?)`);
    warnings.push(`warning: ${name} is not a variable hss-baseline-sync reads; it is ignored`);
  }
  return warnings;
}
