/**
 * A work lane: a queue worked by up to `concurrency` workers, fed while it runs. The run's one
 * work-queue runner: the fetch phase works its due images on a lane (phases/fetch.ts), and the
 * rule drill-down is a pipeline of lanes (image → rule pages → descriptions), one lane per API, so
 * each API works through its own budget as soon as it has work instead of after the stage before
 * it has finished.
 */
export interface LaneOptions<T> {
  concurrency: number;
  /** Does one item; must not throw (it records its own failures). */
  work(item: T): Promise<void>;
  /** True once no new item may start (stopped, aborted, failed): queued items stay undone. */
  stopped(): boolean;
  /** Receives what `work` threw after all (a defect); default: ignored. */
  failed?(err: unknown): void;
}

export class Lane<T> {
  private readonly queue: T[] = [];
  private running = 0;
  private closed = false;
  private waiters: (() => void)[] = [];
  private roomWaiters: { n: number; resolve: () => void }[] = [];

  constructor(private readonly o: LaneOptions<T>) {}

  /** Queues items; they start as workers free up. */
  push(items: readonly T[]): void {
    this.queue.push(...items);
    this.pump();
  }

  /** No more items will be pushed. */
  close(): void {
    this.closed = true;
    this.settle();
  }

  /** Items queued and not started. */
  get queued(): number {
    return this.queue.length;
  }

  /** Removes and returns the items queued and not started (left undone). */
  takeQueued(): T[] {
    return this.queue.splice(0);
  }

  /** Items being worked on. */
  get active(): number {
    return this.running;
  }

  /**
   * Resolves when the lane is idle for good: closed and empty, or stopped with no item in
   * progress (queued items are left undone).
   */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when at most `n` items are queued and not started, or the lane is stopped or idle. */
  roomFor(n: number): Promise<void> {
    if (this.queue.length <= n || this.o.stopped() || this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ n, resolve }));
  }

  /** Starts what may start now; call again after `stopped()` may have changed. */
  pump(): void {
    while (!this.o.stopped() && this.running < this.o.concurrency && this.queue.length > 0) {
      const item = this.queue.shift() as T;
      this.running++;
      void this.o
        .work(item)
        .catch((err: unknown) => this.o.failed?.(err))
        .finally(() => {
          this.running--;
          this.pump();
          this.settle();
        });
    }
    this.settle();
  }

  private isIdle(): boolean {
    return this.running === 0 && (this.o.stopped() || (this.closed && this.queue.length === 0));
  }

  private settle(): void {
    if (this.roomWaiters.length > 0) {
      const free = this.o.stopped() || this.isIdle();
      const ready = this.roomWaiters.filter((w) => free || this.queue.length <= w.n);
      this.roomWaiters = this.roomWaiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve();
    }
    if (!this.isIdle()) return;
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}
