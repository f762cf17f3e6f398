/**
 * The fetch phase of a scope: the summaries of every image due, fetched on
 * the run's work-queue runner (lane.ts) and written as they arrive (group commit, one transaction
 * per batch). Failures follow the run's failure policy (failure-policy.ts). An image whose fetch
 * failed transiently gets one more try after the others: by then a burst of errors or throttling
 * has usually passed. An image the database refuses is left out of its batch, never the batch.
 * The summaries come from the API the image type × API matrix names (src/hss/api-matrix.ts):
 * ListImageRiskConfigs, or, where it does not serve the type, the image's rule results
 * (ListCheckRulesInfo, every row) added up (derive-summaries.ts); those rule rows are handed to the
 * rule drill-down, which then has no call to make for them.
 */
import type { Logger } from 'pino';
import {
  type ImageResultItem,
  type RiskConfig,
  type RuleResult,
  type Scope,
  type SummarySource,
  scopeLabel,
} from '../../domain.js';
import { AbortedError, errorSummary } from '../../errors.js';
import { ImageQuarantinedError } from '../../hss/quarantine.js';
import type { CallOptions, HssClient } from '../../hss/types.js';
import { deriveSummaries } from '../derive-summaries.js';
import { classifyFailure, FailureStreak, type QuarantineTally, stopReason } from '../failure-policy.js';
import { GroupCommit } from '../group-commit.js';
import { writeIsolatingRejects } from '../isolate.js';
import { Lane } from '../lane.js';
import type { Limiter } from '../limiter.js';
import type { FetchTask } from '../plan.js';
import type { Counts, SyncStore } from '../store.js';
import type { ProgressEvent } from '../types.js';

export interface FetchInput {
  client: HssClient;
  store: Pick<SyncStore, 'writeImageResults'>;
  scope: Scope;
  runId: string;
  /** Where the scope's summaries come from (the matrix). */
  summaries: SummarySource;
  /**
   * Summaries derived from rule results: the rows they came from, handed on before the summaries
   * are written (the drill-down writes them as the image's rules). Absent = nobody wants them.
   */
  onRuleRows?(imageId: string, rows: RuleResult[], scannedAt: number | null): void;
  /** The run's HTTP limiter (calls in flight over every scope). */
  limiter: Limiter;
  /** Workers of this scope (the limiter bounds them over the run). */
  concurrency: number;
  callOptions: CallOptions;
  /** The scope's call signal: set when the run or scope is stopping. */
  callSignal: AbortSignal;
  quarantine: QuarantineTally;
  /** The scope's counters: images fetched, not scanned, versions. */
  counts: Counts;
  now(): Date;
  /** These images' summaries were just written (the drill-down starts on them). */
  onWritten(imageIds: string[]): void;
  onProgress?(p: ProgressEvent): void;
  log: Logger;
}

/** What the fetch phase found. */
export interface FetchFindings {
  failed: number;
  firstError: string | null;
  /** Images the database refused (left pending) and the first reason. */
  refused: number;
  firstRefused: string | null;
  /** The reason that stopped the scope's fetch (auth, breaker, database, too many failures). */
  stoppedBy: string | null;
}

/** Writes the not-scanned records, fetches and writes the due images; throws on a defect. */
export async function fetchDue(
  input: FetchInput,
  tasks: readonly FetchTask[],
  notScanned: readonly ImageResultItem[],
): Promise<FetchFindings> {
  const found: FetchFindings = {
    failed: 0,
    firstError: null,
    refused: 0,
    firstRefused: null,
    stoppedBy: null,
  };
  const writer = resultWriter(input, found);
  for (const n of notScanned) await writer.add(n);
  await fetchAll(input, tasks, writer, found);
  await writer.drain();
  return found;
}

/** The fetch's problems, for the scope's outcome (the stop reason last). */
export function fetchProblems(f: FetchFindings, quarantine: QuarantineTally): string[] {
  const problems: string[] = [];
  if (f.failed > 0) problems.push(`${f.failed} image(s) failed to fetch: ${f.firstError}`);
  if (quarantine.items > 0) problems.push(quarantine.describe());
  if (f.refused > 0) {
    problems.push(`${f.refused} image(s) refused by the database, left pending (first: ${f.firstRefused})`);
  }
  if (f.stoppedBy) problems.push(f.stoppedBy);
  return problems;
}

function resultWriter(input: FetchInput, found: FetchFindings): GroupCommit<ImageResultItem> {
  const { counts, log } = input;
  return new GroupCommit<ImageResultItem>({
    write: async (batch) => {
      const at = input.now();
      const w = await writeIsolatingRejects(batch, (items) =>
        input.store.writeImageResults(input.runId, at, items),
      );
      for (const r of w.results) {
        counts.versionsOpened += r.versionsOpened;
        counts.versionsClosed += r.versionsClosed;
      }
      for (const item of w.written) {
        if (item.outcome === 'fetched') counts.imagesFetched++;
        else counts.imagesNotScanned++;
      }
      for (const { item, error } of w.rejected) {
        found.refused++;
        found.firstRefused ??= `image ${item.imageId}: ${errorSummary(error)}`;
        log.warn(
          { imageId: item.imageId, err: errorSummary(error) },
          "the database refused an image's results; the image is left as it was and stays due",
        );
      }
      // Written: their rule drill-down may start at once (it does not wait for the scope).
      input.onWritten(w.written.filter((i) => i.outcome === 'fetched').map((i) => i.imageId));
    },
  });
}

/**
 * The summaries of one image derived from every rule row of it (ListCheckRulesInfo). A row set
 * aside as schema-invalid would leave the counts short: like a schema-invalid summary, it leaves
 * the image's summaries as they were (ImageQuarantinedError: an item problem, the image stays
 * pending). A row without check_rule_id counts (the rule writer sets it aside, not this).
 */
async function derived(input: FetchInput, task: FetchTask): Promise<RiskConfig[]> {
  const { client, scope, callOptions } = input;
  let setAside = 0;
  let requestId: string | null = null;
  const rows = await client.listCheckRules(
    scope,
    task.imageId,
    { scanResult: null },
    {
      ...callOptions,
      onQuarantine: (e) => {
        setAside++;
        requestId ??= e.requestId;
        callOptions.onQuarantine?.(e);
      },
    },
  );
  if (setAside > 0) {
    const context = {
      api: 'ListCheckRulesInfo' as const,
      path: 'GET /v5/{project_id}/baseline/check-rules',
      requestId,
    };
    throw new ImageQuarantinedError(context, task.imageId, setAside);
  }
  input.onRuleRows?.(task.imageId, rows, task.signal.latestScanTime);
  return deriveSummaries(rows);
}

/** The fetches of one scope: each image once, those that failed transiently once more at the end. */
class Fetcher {
  private readonly streak = new FailureStreak();
  private done = 0;
  private firstDeferred: string | null = null;
  private defect: unknown = null;
  private readonly label: string;

  constructor(
    private readonly input: FetchInput,
    private readonly tasks: readonly FetchTask[],
    private readonly writer: GroupCommit<ImageResultItem>,
    private readonly found: FetchFindings,
  ) {
    this.label = scopeLabel(input.scope);
  }

  private readonly stop = () =>
    this.found.stoppedBy !== null || this.defect !== null || this.input.callSignal.aborted;

  private async fetchOne(task: FetchTask, again: FetchTask[] | null): Promise<void> {
    const { input } = this;
    const { client, scope, callOptions } = input;
    try {
      const results = await input.limiter.run((): Promise<RiskConfig[]> => {
        if (this.stop()) throw new AbortedError('stopped before the call');
        if (input.summaries === 'ListImageRiskConfigs') {
          return client.listRiskConfigs(scope, task.imageId, callOptions);
        }
        return derived(input, task);
      });
      this.streak.succeeded();
      await this.writer.add({
        scope,
        imageId: task.imageId,
        signal: task.signal,
        outcome: 'fetched',
        source: input.summaries,
        results,
      });
      this.done++;
      input.onProgress?.({ scope: this.label, phase: 'fetch', done: this.done, total: this.tasks.length });
    } catch (err) {
      this.failed(task, again, err);
    }
  }

  /** What a failed fetch means: nothing (stopped), a pending image, the scope stopped, a retry later, or a failure. */
  private failed(task: FetchTask, again: FetchTask[] | null, err: unknown): void {
    const { found, input } = this;
    const { quarantine, log } = input;
    const kind = classifyFailure(err, input.callSignal.aborted);
    if (kind === 'stopped') return;
    if (kind === 'item-problem') {
      // HSS answered; the answer was unusable for this image only. It stays pending.
      if (quarantine.overLimit) found.stoppedBy = quarantine.overLimitReason('stopped');
      return;
    }
    if (kind === 'scope-failure') {
      found.stoppedBy = stopReason(err, 'results', 'image fetch');
      return;
    }
    found.stoppedBy ??= this.streak.failed(err, 'fetches');
    if (kind === 'retry' && again) {
      log.info(
        { imageId: task.imageId, err: errorSummary(err) },
        'image fetch failed; trying it again later',
      );
      again.push(task);
      this.firstDeferred ??= errorSummary(err);
      return;
    }
    found.failed++;
    found.firstError ??= errorSummary(err);
    log.warn({ imageId: task.imageId, err: errorSummary(err) }, 'image fetch failed');
    // A defect fails the scope with it, once the images in flight are answered.
    if (kind === 'defect') this.defect ??= err;
  }

  private async round(queue: readonly FetchTask[], again: FetchTask[] | null): Promise<void> {
    const lane = new Lane<FetchTask>({
      concurrency: Math.max(1, this.input.concurrency),
      stopped: this.stop,
      work: (task) => this.fetchOne(task, again),
    });
    lane.push(queue);
    lane.close();
    await lane.idle();
    if (this.defect !== null) throw this.defect;
  }

  async all(): Promise<void> {
    const again: FetchTask[] = [];
    await this.round(this.tasks, again);
    if (again.length > 0 && !this.stop()) await this.round(again, null);
    else if (again.length > 0) {
      // Stopped before the second try: those images are pending like any other unfetched one.
      this.found.failed += again.length;
      this.found.firstError ??= this.firstDeferred;
    }
  }
}

function fetchAll(
  input: FetchInput,
  tasks: readonly FetchTask[],
  writer: GroupCommit<ImageResultItem>,
  found: FetchFindings,
): Promise<void> {
  return new Fetcher(input, tasks, writer, found).all();
}
