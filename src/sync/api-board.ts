/**
 * Per API, what a run has done and what it still has to do: calls made, calls due and the time
 * the API's own budget needs to catch up. Every API has its own budget per credential, and the
 * phases of a run overlap, so the run catches up when its slowest API does (the largest of the
 * per-API times), not after their sum.
 */
import type { ApiName } from '../domain.js';
import { etaSeconds } from './plan.js';

/** One API's line of the board (also a ledger value: hss.sync_runs.api_backlog). */
export interface ApiBacklog {
  api: ApiName;
  /** HTTP attempts made this run (retries and 429s included, as calls_by_api counts them). */
  callsMade: number;
  /** Calls known to be still due: work planned this run and not done (a lower bound). */
  callsDue: number;
  /** The configured calls per minute (of the slowest target when several call the API). */
  ratePerMinute: number;
  /** Seconds the API's budget needs for its due calls (the largest over targets). */
  catchUpSeconds: number;
}

/** A source of due calls: read live while its work runs, frozen to a number when it ends. */
export interface DueSource {
  /** Replaces the live reading with a final figure (what is left for the next run). */
  freeze(due: number): void;
}

interface Entry {
  target: string;
  api: ApiName;
  due: () => number;
}

/** The board of one run. Pure bookkeeping: no I/O, no clock. */
export class ApiBoard {
  private readonly made = new Map<string, number>();
  private readonly sources: Entry[] = [];
  private readonly rates = new Map<string, number>();

  /** `rateFor(target, api)`: the configured calls per minute. */
  constructor(private readonly rateFor: (target: string, api: ApiName) => number) {}

  /** One HTTP attempt of `api` on `target`. */
  called(target: string, api: ApiName): void {
    const k = key(target, api);
    this.made.set(k, (this.made.get(k) ?? 0) + 1);
    this.remember(target, api);
  }

  /** Adds a live source of due calls of `api` on `target`. */
  track(target: string, api: ApiName, due: () => number): DueSource {
    const entry: Entry = { target, api, due };
    this.sources.push(entry);
    this.remember(target, api);
    return {
      freeze(n: number) {
        const fixed = Math.max(0, n);
        entry.due = () => fixed;
      },
    };
  }

  /** Every API seen this run, in API-name order. */
  snapshot(): ApiBacklog[] {
    const due = new Map<string, number>();
    for (const s of this.sources) {
      const k = key(s.target, s.api);
      due.set(k, (due.get(k) ?? 0) + Math.max(0, s.due()));
    }
    const byApi = new Map<ApiName, ApiBacklog>();
    for (const [k, rate] of this.rates) {
      const api = apiOf(k);
      const made = this.made.get(k) ?? 0;
      const d = due.get(k) ?? 0;
      const line = byApi.get(api) ?? {
        api,
        callsMade: 0,
        callsDue: 0,
        ratePerMinute: rate,
        catchUpSeconds: 0,
      };
      line.callsMade += made;
      line.callsDue += d;
      line.ratePerMinute = Math.min(line.ratePerMinute, rate);
      // Each (credential, API) has its own budget: targets catch up side by side.
      line.catchUpSeconds = Math.max(line.catchUpSeconds, etaSeconds(d, rate));
      byApi.set(api, line);
    }
    return [...byApi.values()].sort((a, b) => (a.api < b.api ? -1 : a.api > b.api ? 1 : 0));
  }

  private remember(target: string, api: ApiName): void {
    const k = key(target, api);
    if (!this.rates.has(k)) this.rates.set(k, this.rateFor(target, api));
  }
}

/** The time the run needs to catch up: its slowest API's (the budgets work side by side). */
export function catchUpSeconds(board: readonly ApiBacklog[]): number {
  return board.reduce((m, b) => Math.max(m, b.catchUpSeconds), 0);
}

function key(target: string, api: ApiName): string {
  return `${target}\u0000${api}`;
}

function apiOf(k: string): ApiName {
  return k.slice(k.indexOf('\u0000') + 1) as ApiName;
}
