/**
 * The rule rows of one image, through the rule API the image type × API matrix names
 * (src/hss/api-matrix.ts): ListImageRiskConfigRules, one listing per failing baseline and result
 * type (`failed`, and `pass` under HSS_RULE_DETAIL=all); or ListCheckRulesInfo, one image-wide
 * listing (`scan_result=failed` under HSS_RULE_DETAIL=failed, every row under `all`).
 */
import type { RuleResult, RuleSource, Scope } from '../../domain.js';
import { AbortedError } from '../../errors.js';
import type { CallOptions, HssClient } from '../../hss/types.js';
import type { Limiter } from '../limiter.js';
import type { RulesDue } from '../store.js';

export interface RuleFetchInput {
  client: HssClient;
  scope: Scope;
  mode: 'failed' | 'all';
  source: RuleSource;
  limiter: Limiter;
  callOptions: CallOptions;
  stopped(): boolean;
  /** One listing answered (the board's due count goes down). */
  answered(): void;
}

/** The result types ListImageRiskConfigRules is asked for under `mode`. */
const kindsOf = (mode: 'failed' | 'all'): ('failed' | 'pass')[] =>
  mode === 'all' ? ['failed', 'pass'] : ['failed'];

/** Listings (first pages) the image costs; 0 when no baseline fails (no call is made). */
export function ruleCallsOf(source: RuleSource, mode: 'failed' | 'all', due: RulesDue): number {
  if (due.failing.length === 0) return 0;
  return source === 'ListCheckRulesInfo' ? 1 : due.failing.length * kindsOf(mode).length;
}

/** Every rule row of the image the mode asks for, as answered (in answer order). */
export async function fetchImageRules(input: RuleFetchInput, due: RulesDue): Promise<RuleResult[]> {
  const { client, scope, mode, callOptions } = input;
  const call = <T>(fn: () => Promise<T>): Promise<T> =>
    input.limiter.run(() => {
      if (input.stopped()) throw new AbortedError('stopped before the call');
      return fn();
    });
  if (input.source === 'ListCheckRulesInfo') {
    const scanResult = mode === 'failed' ? 'failed' : null;
    const rows = await call(() => client.listCheckRules(scope, due.imageId, { scanResult }, callOptions));
    input.answered();
    return rows;
  }
  const rows: RuleResult[] = [];
  for (const resultType of kindsOf(mode)) {
    for (const f of due.failing) {
      rows.push(
        ...(await call(() =>
          client.listRiskConfigRules(
            scope,
            due.imageId,
            { checkName: f.checkName, standard: f.standard, resultType },
            callOptions,
          ),
        )),
      );
      input.answered();
    }
  }
  return rows;
}
