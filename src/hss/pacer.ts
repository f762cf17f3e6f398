/**
 * One app-wide pacer for HSS calls, keyed by (credentialId, api). HSS allows about 5 calls per
 * minute per user per API (docs/hss-api.md section 6), counted over a minute. A token bucket with
 * burst R would let 2R-1 calls into one sliding minute and earn 429s, so this keeps a log of start
 * times instead: a call may start only when fewer than R calls started in the last window + margin.
 *
 * That log is this process's. HSS counts per credential whoever calls, so with a SharedCallLog
 * (call-budget.ts: PostgreSQL in production) a call granted here also reserves its place in the
 * log every process and replica using the credential shares, and waits while that one is full:
 * the in-process log is the fast path (it never lets this process alone exceed the limit), the
 * shared one the authority. When the shared log fails (database unreachable), the call goes on
 * under the in-process log alone; each failure is counted (sharedErrors) and reported.
 */
import type { Clock } from '../clock.js';
import type { ApiName } from '../domain.js';
import { AbortedError } from '../errors.js';
import { credentialKey, type SharedCallLog } from './call-budget.js';

export interface PacerOptions {
  clock: Clock;
  /** Calls per window per (credential, API). Default 5. */
  ratePerMinute?: number;
  /** Per-API overrides of ratePerMinute. */
  overrides?: Partial<Record<ApiName, number>>;
  /** The server's counting window in ms. Default 60 000. */
  windowMs?: number;
  /** Added to the window to absorb clock and network differences. Default 250 ms. */
  marginMs?: number;
  /** Upper bound of the random extra wait after a 429 without Retry-After. Default 2 000 ms. */
  throttleJitterMs?: number;
  /** Factor applied to a key's rate after each 429 (floored, at least 1). Default 0.8. */
  throttleRateFactor?: number;
  /** [0, 1) source for the jitter. Default Math.random. */
  random?: () => number;
  /** The budget shared with other processes using the same credentials; default none. */
  shared?: SharedCallLog;
  /** A shared-log operation failed (the call went on under the in-process log alone). */
  onSharedError?: (err: unknown) => void;
}

/** Per-key counters for logs, metrics and the run ledger. */
export interface PacerKeySnapshot {
  credentialId: string;
  api: ApiName;
  /** The rate in force now (lowered after throttling). */
  ratePerMinute: number;
  callsStarted: number;
  throttles: number;
  /** Callers waiting right now. */
  waiting: number;
  /** Calls granted whose attempt has not ended yet. */
  inFlight?: number;
  /** Times a granted call waited for the shared budget (other processes' calls); with one only. */
  sharedWaits?: number;
}

/** A granted call. `done()` when its answer has arrived (or it failed): its window starts then. */
export interface PacerSlot {
  done(): void;
}

/** One call counted against a key: in flight, or finished at `at`. */
interface SlotEntry {
  at: number;
  inFlight: boolean;
}

interface Waiter {
  resolve: (slot: PacerSlot) => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

interface KeyState {
  credentialId: string;
  api: ApiName;
  rate: number;
  /**
   * Recent calls: in flight, or finished within the last window + margin. A call counts from
   * its completion, not its start: the server saw it arrive no later than we saw its answer, so
   * R calls per window by completion time are at most R per window by arrival time, whatever
   * the latency (counting from the start would let a slow first call and a fast later one land
   * in one server window).
   */
  slots: SlotEntry[];
  /** No call starts before this instant (set by onThrottled). */
  blockedUntil: number;
  queue: Waiter[];
  /** The pending wake-up, if any; aborted when nobody waits any more. */
  wake: AbortController | null;
  callsStarted: number;
  throttles: number;
  sharedWaits: number;
}

/** Paces HSS calls per (credential, API); see the module comment for the guarantee. */
export class Pacer {
  private readonly clock: Clock;
  private readonly rate: number;
  private readonly overrides: Partial<Record<ApiName, number>>;
  private readonly windowMs: number;
  private readonly marginMs: number;
  private readonly throttleJitterMs: number;
  private readonly throttleRateFactor: number;
  private readonly random: () => number;
  private readonly keys = new Map<string, KeyState>();
  private readonly shared: SharedCallLog | undefined;
  private readonly onSharedError: (err: unknown) => void;
  private readonly fingerprints = new Map<string, string>();
  /** Shared-log operations that failed (the calls went on under the in-process log). */
  sharedErrors = 0;

  constructor(options: PacerOptions) {
    this.clock = options.clock;
    this.rate = positiveInt(options.ratePerMinute ?? 5);
    this.overrides = options.overrides ?? {};
    this.windowMs = options.windowMs ?? 60_000;
    this.marginMs = options.marginMs ?? 250;
    this.throttleJitterMs = options.throttleJitterMs ?? 2_000;
    this.throttleRateFactor = options.throttleRateFactor ?? 0.8;
    this.random = options.random ?? Math.random;
    this.shared = options.shared;
    this.onSharedError = options.onSharedError ?? (() => {});
  }

  /**
   * Resolves when a call on (credentialId, api) may start, and counts it as started: granted by
   * the in-process log (callers on the same key in FIFO order), then by the shared one when
   * there is one. Rejects with AbortedError when `signal` aborts first.
   */
  async acquire(credentialId: string, api: ApiName, signal?: AbortSignal): Promise<PacerSlot> {
    const local = await this.acquireLocal(credentialId, api, signal);
    const shared = this.shared;
    if (!shared) return local;
    let fingerprint = this.fingerprints.get(credentialId);
    if (!fingerprint) {
      fingerprint = credentialKey(credentialId);
      this.fingerprints.set(credentialId, fingerprint);
    }
    const key = fingerprint;
    let token: string | null;
    try {
      token = await this.reserveShared(shared, key, credentialId, api, signal);
    } catch (err) {
      local.done();
      throw err;
    }
    return {
      done: () => {
        local.done();
        if (token === null) return;
        const t = token;
        token = null;
        shared.finish(key, api, t).catch((err: unknown) => this.sharedFailed(err));
      },
    };
  }

  /** The shared log's token for the call, once it admits it; null when the shared log failed. */
  private async reserveShared(
    shared: SharedCallLog,
    key: string,
    credentialId: string,
    api: ApiName,
    signal: AbortSignal | undefined,
  ): Promise<string | null> {
    const state = this.state(credentialId, api);
    for (;;) {
      if (signal?.aborted) throw abortedWaiting(api, signal);
      let r: Awaited<ReturnType<SharedCallLog['reserve']>>;
      try {
        r = await shared.reserve(key, api, state.rate, this.windowMs + this.marginMs);
      } catch (err) {
        this.sharedFailed(err);
        return null;
      }
      if (r.ok) return r.token;
      state.sharedWaits++;
      try {
        await this.clock.sleep(r.waitMs, signal);
      } catch {
        throw abortedWaiting(api, signal);
      }
    }
  }

  private sharedFailed(err: unknown): void {
    this.sharedErrors++;
    this.onSharedError(err);
  }

  /** The in-process grant; see `acquire`. */
  private acquireLocal(credentialId: string, api: ApiName, signal?: AbortSignal): Promise<PacerSlot> {
    if (signal?.aborted) return Promise.reject(abortedWaiting(api, signal));
    const state = this.state(credentialId, api);
    return new Promise<PacerSlot>((resolve, reject) => {
      const onAbort = () => {
        const i = state.queue.indexOf(waiter);
        if (i >= 0) state.queue.splice(i, 1);
        if (state.queue.length === 0) this.cancelWake(state);
        reject(abortedWaiting(api, signal));
      };
      const waiter: Waiter = {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      state.queue.push(waiter);
      this.drain(state);
    });
  }

  /**
   * The server answered 429 / APIGW.0308 on this key: no call starts before now + retryAfterMs
   * (or, without Retry-After, a full window + margin + random jitter), and the key's rate drops to
   * max(1, floor(rate * factor)) for the rest of the run (until beginRun()). 429s that arrive
   * while the key is already blocked belong to the same episode (calls that were in flight
   * together): they extend the block but lower the rate only once.
   */
  onThrottled(credentialId: string, api: ApiName, retryAfterMs: number | null): void {
    const state = this.state(credentialId, api);
    const now = this.clock.now();
    const wait =
      retryAfterMs ?? this.windowMs + this.marginMs + Math.floor(this.random() * this.throttleJitterMs);
    const sameEpisode = state.blockedUntil > now;
    state.blockedUntil = Math.max(state.blockedUntil, now + wait);
    if (!sameEpisode) state.rate = Math.max(1, Math.floor(state.rate * this.throttleRateFactor));
    state.throttles++;
    // A pending wake-up re-evaluates when it fires; the new block only makes waits longer.
  }

  /**
   * A new run starts: every key gets its configured rate back, so one bad minute does not slow
   * every later run. A block set by Retry-After stays (it is the server's word about the time).
   */
  beginRun(): void {
    for (const state of this.keys.values()) {
      state.rate = positiveInt(this.overrides[state.api] ?? this.rate);
    }
  }

  /** Counters per key, in the order keys were first used. */
  snapshot(): PacerKeySnapshot[] {
    return [...this.keys.values()].map((s) => ({
      credentialId: s.credentialId,
      api: s.api,
      ratePerMinute: s.rate,
      callsStarted: s.callsStarted,
      throttles: s.throttles,
      waiting: s.queue.length,
      inFlight: s.slots.filter((x) => x.inFlight).length,
      ...(this.shared ? { sharedWaits: s.sharedWaits } : {}),
    }));
  }

  private state(credentialId: string, api: ApiName): KeyState {
    const key = `${credentialId}\u0000${api}`;
    let state = this.keys.get(key);
    if (!state) {
      state = {
        credentialId,
        api,
        rate: positiveInt(this.overrides[api] ?? this.rate),
        slots: [],
        blockedUntil: 0,
        queue: [],
        wake: null,
        callsStarted: 0,
        throttles: 0,
        sharedWaits: 0,
      };
      this.keys.set(key, state);
    }
    return state;
  }

  /** ms until the next call on this key may start (0 = now; Infinity = when a call in flight ends). */
  private waitMs(state: KeyState, now: number): number {
    const span = this.windowMs + this.marginMs;
    state.slots = state.slots.filter((s) => s.inFlight || s.at + span > now);
    let earliest = state.blockedUntil;
    if (state.slots.length >= state.rate) {
      // Free enough finished slots to bring the count below the rate.
      const need = state.slots.length - state.rate + 1;
      const expiries = state.slots
        .filter((s) => !s.inFlight)
        .map((s) => s.at + span)
        .sort((a, b) => a - b);
      if (expiries.length < need) return Number.POSITIVE_INFINITY;
      earliest = Math.max(earliest, expiries[need - 1] as number);
    }
    return Math.max(0, earliest - now);
  }

  private drain(state: KeyState): void {
    while (state.queue.length > 0) {
      const now = this.clock.now();
      const wait = this.waitMs(state, now);
      if (wait === Number.POSITIVE_INFINITY) return; // a slot's done() drains again
      if (wait > 0) {
        this.scheduleWake(state, wait);
        return;
      }
      const waiter = state.queue.shift() as Waiter;
      const entry: SlotEntry = { at: now, inFlight: true };
      state.slots.push(entry);
      state.callsStarted++;
      waiter.cleanup();
      waiter.resolve({
        done: () => {
          if (!entry.inFlight) return;
          entry.inFlight = false;
          entry.at = this.clock.now();
          this.drain(state);
        },
      });
    }
  }

  private scheduleWake(state: KeyState, wait: number): void {
    if (state.wake) return;
    const controller = new AbortController();
    state.wake = controller;
    this.clock.sleep(wait, controller.signal).then(
      () => {
        if (state.wake === controller) state.wake = null;
        this.drain(state);
      },
      () => {
        if (state.wake === controller) state.wake = null;
      },
    );
  }

  private cancelWake(state: KeyState): void {
    const wake = state.wake;
    state.wake = null;
    wake?.abort();
  }
}

function positiveInt(n: number): number {
  return Math.max(1, Math.floor(n));
}

function abortedWaiting(api: ApiName, signal: AbortSignal | undefined): AbortedError {
  return new AbortedError(`aborted while waiting for the ${api} rate limit`, { cause: signal?.reason });
}
