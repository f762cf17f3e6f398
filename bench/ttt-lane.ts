/**
 * One API's lane in the time-to-truth model: calls start as the worker's pacer lets them (at most
 * `rate` starts in any window of 60 s + 250 ms margin, src/hss/pacer.ts), the most valuable ready
 * item first, none after the run's deadline. Pure; time in epoch ms.
 */

export const WINDOW_MS = 60_000 + 250;
/** Fake time one call takes (as FakeHss's default). */
export const CALL_MS = 1_000;

/** A call waiting in a lane; `rank` orders the ready ones (smaller first), then `seq`. */
export interface LaneItem<T> {
  readyAt: number;
  rank: readonly number[];
  seq: number;
  payload: T;
}

function before<T>(a: LaneItem<T>, b: LaneItem<T>): boolean {
  for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i++) {
    const d = (a.rank[i] ?? 0) - (b.rank[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return a.seq < b.seq;
}

/** A binary heap of lane items, the most valuable on top. */
export class ItemHeap<T> {
  private readonly a: LaneItem<T>[] = [];
  get size(): number {
    return this.a.length;
  }
  push(x: LaneItem<T>): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i] as LaneItem<T>, a[p] as LaneItem<T>)) break;
      [a[i], a[p]] = [a[p] as LaneItem<T>, a[i] as LaneItem<T>];
      i = p;
    }
  }
  pop(): LaneItem<T> | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l] as LaneItem<T>, a[m] as LaneItem<T>)) m = l;
        if (r < a.length && before(a[r] as LaneItem<T>, a[m] as LaneItem<T>)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as LaneItem<T>, a[i] as LaneItem<T>];
        i = m;
      }
    }
    return top;
  }
  /** Empties the heap (unordered). */
  drain(): LaneItem<T>[] {
    return this.a.splice(0);
  }
}

/** The pacer's memory of one (credential, API): the start times of the last `rate` calls. */
export class PacedApi {
  private readonly starts: number[] = [];
  calls = 0;
  constructor(readonly rate: number) {}

  /** The earliest start at or after `t` the window allows. */
  earliest(t: number): number {
    if (this.starts.length < this.rate) return t;
    return Math.max(t, (this.starts[this.starts.length - this.rate] as number) + WINDOW_MS);
  }

  start(t: number): void {
    this.starts.push(t);
    if (this.starts.length > this.rate) this.starts.shift();
    this.calls++;
  }
}

/**
 * Runs one lane from `from` until `deadline`: items already in `ready`, and `later` ones (sorted
 * by readyAt) as they become ready. Returns what was started (with its start time); what is left
 * stays in `ready` (later items that never became ready are moved there too).
 */
export function runLane<T>(
  api: PacedApi,
  ready: ItemHeap<T>,
  later: LaneItem<T>[],
  from: number,
  deadline: number,
  onStart: (item: LaneItem<T>, at: number) => void,
  /** An item no longer needed (superseded) is dropped without a call. */
  valid: (item: LaneItem<T>) => boolean = () => true,
): void {
  later.sort((a, b) => a.readyAt - b.readyAt || a.seq - b.seq);
  let next = 0;
  let t = from;
  for (;;) {
    t = api.earliest(t);
    while (next < later.length && (later[next] as LaneItem<T>).readyAt <= t)
      ready.push(later[next++] as LaneItem<T>);
    if (ready.size === 0) {
      if (next >= later.length) break;
      t = Math.max(t, (later[next] as LaneItem<T>).readyAt);
      continue;
    }
    if (t >= deadline) break;
    const item = ready.pop() as LaneItem<T>;
    if (!valid(item)) continue;
    api.start(t);
    onStart(item, t);
  }
  while (next < later.length) ready.push(later[next++] as LaneItem<T>);
}
