/**
 * Group commit for fetched results. Each result is written as soon as no write is in progress;
 * results that arrive during a write go together in the next one. So results commit as they
 * arrive when fetching is slow (rate-limited), and batch up when fetching is fast, without a
 * timer. Memory stays bounded: `add` waits while `maxPending` items are queued.
 */
export interface GroupCommitOptions<T> {
  write(batch: T[]): Promise<void>;
  /** Most items per write (one transaction). Default 100. */
  maxBatch?: number;
  /** Most items queued before `add` waits. Default 1,000. */
  maxPending?: number;
}

export class GroupCommit<T> {
  private readonly pending: T[] = [];
  private flushing: Promise<void> | null = null;
  private failure: unknown = null;
  private readonly waiters: (() => void)[] = [];
  private readonly maxBatch: number;
  private readonly maxPending: number;

  constructor(private readonly opts: GroupCommitOptions<T>) {
    this.maxBatch = opts.maxBatch ?? 100;
    this.maxPending = opts.maxPending ?? 1000;
  }

  /** Queues an item; rejects with the write error once a write has failed. */
  async add(item: T): Promise<void> {
    if (this.failure) throw this.failure;
    this.pending.push(item);
    this.kick();
    while (this.pending.length > this.maxPending && !this.failure) {
      await new Promise<void>((r) => this.waiters.push(r));
    }
    if (this.failure) throw this.failure;
  }

  /** Resolves when everything queued so far is written; rejects if a write failed. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
  }

  /** Items queued but not written (lost if the process dies now). */
  get queued(): number {
    return this.pending.length;
  }

  private kick(): void {
    if (this.flushing || this.failure) return;
    this.flushing = (async () => {
      try {
        while (this.pending.length > 0) {
          const batch = this.pending.splice(0, this.maxBatch);
          this.wake();
          await this.opts.write(batch);
        }
      } catch (err) {
        this.failure = err;
        this.pending.length = 0;
        this.wake();
      } finally {
        this.flushing = null;
      }
    })();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
