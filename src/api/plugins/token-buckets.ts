/**
 * Per-key token buckets for the API rate limit. In-process: with several API processes each
 * enforces its own share, which bounds abuse without a round trip to the store per request.
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; answers 0, or how many ms until one is free. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    if (this.#buckets.size > 100_000) this.#forgetFull();
    return ((1 - bucket.tokens) / this.perSecond) * 1000;
  }

  #forgetFull(): void {
    for (const [key, bucket] of this.#buckets) if (bucket.tokens >= this.burst - 1) this.#buckets.delete(key);
  }
}
