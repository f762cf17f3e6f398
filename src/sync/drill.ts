/**
 * The rule drill-down phase of a run: after every scope's summaries are written, the images whose
 * summaries changed since their rules were last fetched get their rules paged
 * (ListImageRiskConfigRules, `failed` and, for HSS_RULE_DETAIL=all, `pass`), and rules without a
 * description get one (ShowImageCheckRuleDetail). Both APIs have their own pacer budgets, and the
 * phase starts only once the summaries are done, so it never delays them. What the run deadline
 * leaves undone stays due (the stored signature still differs) and comes first next run.
 */
import type { Logger } from 'pino';
import type { RuleCounts, RuleKey, RuleResult, Scope } from '../domain.js';
import {
  AbortedError,
  DbError,
  errorSummary,
  HssAuthError,
  HssCircuitOpenError,
  HssSyncError,
} from '../errors.js';
import { ImageQuarantinedError } from '../hss/quarantine.js';
import type { CallOptions, HssClient } from '../hss/types.js';
import { GroupCommit } from './group-commit.js';
import type { Limiter } from './limiter.js';
import type { DrillStore, ImageRulesItem, RulesDue } from './store.js';

/** A description is refetched after this long (the text rarely changes upstream). */
export const RULE_DESCRIPTION_MAX_AGE_MS = 30 * 86_400_000;
/** Consecutive failed images after which a scope's drill-down stops. */
const MAX_CONSECUTIVE_FAILURES = 5;

export function zeroDrillCounts(): RuleCounts {
  return {
    ruleImagesDue: 0,
    ruleImagesFetched: 0,
    ruleImagesPending: 0,
    ruleVersionsOpened: 0,
    ruleVersionsClosed: 0,
    ruleDescriptionsFetched: 0,
  };
}

export function addDrillCounts(into: RuleCounts, c: RuleCounts): void {
  for (const k of Object.keys(into) as (keyof RuleCounts)[]) into[k] += c[k];
}

export interface DrillScopeInput {
  client: HssClient;
  store: DrillStore;
  scope: Scope;
  runId: string;
  mode: 'failed' | 'all';
  now: () => Date;
  /** Bounds rule calls in flight (a limiter of the drill-down's own, not the summaries'). */
  limiter: Limiter;
  concurrency: number;
  callOptions: CallOptions;
  log: Logger;
  /**
   * Rule keys whose description this run already fetches (shared by the run's scopes, which
   * drill at once and would otherwise each fetch the rules they have in common).
   */
  descriptionsClaimed: Set<string>;
}

/** The drill-down of one scope; `problem` says what stopped or failed (null = all done). */
export async function drillScope(input: DrillScopeInput): Promise<RuleCounts & { problem: string | null }> {
  const { client, store, scope, mode, log, callOptions } = input;
  const signal = callOptions.signal;
  const counts = zeroDrillCounts();
  const due = await store.loadRulesDue(scope, mode);
  counts.ruleImagesDue = due.length;
  const writer = new GroupCommit<ImageRulesItem>({
    write: async (batch) => {
      const w = await store.writeImageRules(input.runId, input.now(), batch);
      counts.ruleVersionsOpened += w.versionsOpened;
      counts.ruleVersionsClosed += w.versionsClosed;
      counts.ruleImagesFetched += batch.length;
    },
  });
  let fatal: string | null = null;
  let failed = 0;
  let firstError: string | null = null;
  let consecutive = 0;
  const stop = () => fatal !== null || signal?.aborted === true;

  // Images whose summaries no longer fail need no call: their failed rules are closed now.
  const withCalls: RulesDue[] = [];
  for (const d of due) {
    if (d.failing.length === 0) {
      await writer.add({ scope, imageId: d.imageId, signature: d.signature, mode, rules: [] });
    } else withCalls.push(d);
  }

  const fetchRules = async (d: RulesDue): Promise<RuleResult[]> => {
    const kinds: ('failed' | 'pass')[] = mode === 'all' ? ['failed', 'pass'] : ['failed'];
    const byKey = new Map<string, RuleResult>();
    for (const resultType of kinds) {
      for (const f of d.failing) {
        const rows = await input.limiter.run(() => {
          if (stop()) throw new AbortedError('stopped before the call');
          return client.listRiskConfigRules(
            scope,
            d.imageId,
            { checkName: f.checkName, standard: f.standard, resultType },
            callOptions,
          );
        });
        // A rule listed twice (rescanned between the failed and the pass pages) keeps its first answer.
        for (const r of rows) {
          const k = JSON.stringify([r.checkName, r.checkType, r.standard, r.checkRuleId]);
          if (!byKey.has(k)) byKey.set(k, r);
        }
      }
    }
    return [...byKey.values()];
  };

  let next = 0;
  const worker = async () => {
    while (!stop()) {
      const d = withCalls[next++];
      if (!d) break;
      try {
        const rules = await fetchRules(d);
        consecutive = 0;
        await writer.add({ scope, imageId: d.imageId, signature: d.signature, mode, rules });
      } catch (err) {
        if (err instanceof AbortedError || signal?.aborted) break;
        if (err instanceof HssAuthError || err instanceof HssCircuitOpenError) {
          fatal = errorSummary(err);
          break;
        }
        if (err instanceof DbError) {
          fatal = `writing rules failed: ${errorSummary(err)}`;
          break;
        }
        failed++;
        firstError ??= errorSummary(err);
        log.warn({ imageId: d.imageId, err: errorSummary(err) }, 'rule fetch failed; the image stays due');
        if (err instanceof ImageQuarantinedError) continue;
        if (++consecutive >= MAX_CONSECUTIVE_FAILURES) {
          fatal = `stopped after ${consecutive} consecutive failed rule fetches; last: ${errorSummary(err)}`;
        }
        if (!(err instanceof HssSyncError)) throw err;
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(withCalls.length, Math.max(1, input.concurrency)) }, worker),
  );
  try {
    await writer.drain();
  } catch (err) {
    fatal ??= `writing rules failed: ${errorSummary(err)}`;
  }
  counts.ruleImagesPending = counts.ruleImagesDue - counts.ruleImagesFetched;

  if (!stop()) {
    const keys = (
      await store.loadDescriptionsDue(scope, new Date(input.now().getTime() - RULE_DESCRIPTION_MAX_AGE_MS))
    ).filter((k) => {
      const id = JSON.stringify([k.checkName, k.checkType, k.standard, k.checkRuleId]);
      if (input.descriptionsClaimed.has(id)) return false;
      input.descriptionsClaimed.add(id);
      return true;
    });
    const desc = await fetchDescriptions(input, keys, stop);
    counts.ruleDescriptionsFetched = desc.fetched;
    if (desc.error) {
      failed++;
      firstError ??= desc.error;
    }
  }

  const problems: string[] = [];
  if (fatal) problems.push(fatal);
  if (failed > 0) problems.push(`${failed} rule fetch(es) failed: ${firstError}`);
  if (counts.ruleImagesPending > 0 && signal?.aborted) {
    problems.push(`${counts.ruleImagesPending} image(s) still due for rules; they come first next run`);
  }
  return { ...counts, problem: problems.length ? problems.join('; ') : null };
}

/** Fetches and stores the descriptions of `keys`, one call each; stops at the first failure. */
async function fetchDescriptions(
  input: DrillScopeInput,
  keys: readonly RuleKey[],
  stop: () => boolean,
): Promise<{ fetched: number; error: string | null }> {
  let fetched = 0;
  let next = 0;
  let error: string | null = null;
  const worker = async () => {
    while (!stop() && error === null) {
      const key = keys[next++];
      if (!key) break;
      try {
        const detail = await input.limiter.run(() =>
          input.client.showCheckRuleDetail(input.scope, key, input.callOptions),
        );
        await input.store.upsertRuleDescription(key, detail, input.now());
        fetched++;
      } catch (err) {
        if (err instanceof AbortedError || input.callOptions.signal?.aborted) break;
        // The missing descriptions stay due: the next run asks again.
        error = `rule description ${key.checkName}/${key.checkRuleId}: ${errorSummary(err)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(keys.length, Math.max(1, input.concurrency)) }, worker));
  return { fetched, error };
}
