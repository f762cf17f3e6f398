/**
 * The periodic `sync progress` log line of a run, and the per-API figures it records in the
 * run's ledger row so that `status` shows them while the run goes on.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { errorSummary } from '../errors.js';
import { type ApiBacklog, type ApiBoard, catchUpSeconds } from './api-board.js';
import type { Counts, SyncStore } from './store.js';

/** Live counters of the scopes in flight, read by the periodic progress line. */
export type LiveScopes = Map<string, { counts: Counts; due: () => number }>;

/** `{ api: { made, due, catchUpSeconds } }` for log lines. */
export function backlogFields(
  apis: readonly ApiBacklog[],
): Record<string, { made: number; due: number; catchUpSeconds: number }> {
  return Object.fromEntries(
    apis.map((a) => [a.api, { made: a.callsMade, due: a.callsDue, catchUpSeconds: a.catchUpSeconds }]),
  );
}

/**
 * Logs `sync progress` (fetched, pending, ETA, and per API calls made, due and the time to catch
 * up) every `everyMs` until `until` aborts, and records the per-API figures in the ledger.
 */
export async function logProgress(
  deps: { clock: Clock; store: Pick<SyncStore, 'recordRunProgress'> },
  run: { live: LiveScopes; board: ApiBoard; runId: string; startMs: number },
  log: Logger,
  everyMs: number,
  until: AbortSignal,
): Promise<void> {
  for (;;) {
    try {
      await deps.clock.sleep(everyMs, until);
    } catch {
      return;
    }
    let fetched = 0;
    let due = 0;
    for (const s of run.live.values()) {
      fetched += s.counts.imagesFetched;
      due += s.due();
    }
    const elapsed = Math.max(1, deps.clock.now() - run.startMs);
    const pending = Math.max(0, due - fetched);
    const etaSeconds = fetched > 0 ? Math.ceil(((elapsed / fetched) * pending) / 1000) : null;
    const apis = run.board.snapshot();
    log.info(
      {
        scopesInFlight: run.live.size,
        fetched,
        due,
        pending,
        etaSeconds,
        apis: backlogFields(apis),
        catchUpSeconds: catchUpSeconds(apis),
      },
      'sync progress',
    );
    await deps.store.recordRunProgress(run.runId, apis).catch((err: unknown) => {
      log.debug({ err: errorSummary(err) }, 'could not record the run progress');
    });
  }
}
