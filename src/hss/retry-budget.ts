/**
 * A per-run retry budget: retries (after network errors, 5xx, 429, unusable bodies) may number at
 * most `minRetries + ratio × first attempts` in one run. A healthy run never notices it; during
 * an outage it stops the retry ladders from multiplying the calls (and the run time) the run
 * spends, while the per-request limit (HttpLimits.maxAttempts) still bounds each request.
 */
export interface RetryBudgetOptions {
  /** Retries always allowed, however few calls the run made. Default 50. */
  minRetries?: number;
  /** Further retries allowed per first attempt. Default 0.5. */
  ratio?: number;
}

export class RetryBudget {
  private readonly minRetries: number;
  private readonly ratio: number;
  private firstAttempts = 0;
  private retries = 0;
  private refused = 0;

  constructor(options: RetryBudgetOptions = {}) {
    this.minRetries = Math.max(0, Math.floor(options.minRetries ?? 50));
    this.ratio = Math.max(0, options.ratio ?? 0.5);
  }

  /** Counts the first attempt of a request. */
  onFirstAttempt(): void {
    this.firstAttempts++;
  }

  /** Takes one retry from the budget; false (and counted as refused) when it is spent. */
  tryRetry(): boolean {
    if (this.retries >= this.limit) {
      this.refused++;
      return false;
    }
    this.retries++;
    return true;
  }

  /** Retries allowed so far. */
  get limit(): number {
    return Math.floor(this.minRetries + this.ratio * this.firstAttempts);
  }

  /** Retries taken. */
  get used(): number {
    return this.retries;
  }

  /** Retries refused because the budget was spent. */
  get refusedCount(): number {
    return this.refused;
  }
}
