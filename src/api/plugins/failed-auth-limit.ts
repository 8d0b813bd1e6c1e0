/**
 * Failed authentication per client address: after `limit` failures within `windowMs`, the
 * address is refused for `blockMs`, but only for requests without a valid credential (the
 * caller asks `blocked` after its own check failed), so a shared NAT address full of guessers
 * never locks out a real key. In-process: with several API processes each counts its own
 * share, which still caps guessing at `limit` × processes a minute with no store round trip.
 */
export class FailedAuthLimit {
  /**
   * Per address, the times of its last `limit` failures in a ring (exact sliding window:
   * a fixed window would let 2 × limit − 2 guesses through around its edge). 400 bytes an
   * address at the default limit; at most MAX_ADDRESSES are kept.
   */
  readonly #addresses = new Map<string, { times: Float64Array; next: number; blockedUntil: number }>();

  constructor(
    private readonly limit = 50,
    private readonly windowMs = 60_000,
    private readonly blockMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Ms until the address may try again, or 0 when it is not blocked. */
  blocked(address: string): number {
    const entry = this.#addresses.get(address);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  /** Counts a failure; the `limit`-th within the window starts the block. */
  fail(address: string): void {
    const now = this.now();
    let entry = this.#addresses.get(address);
    if (!entry) {
      if (this.#addresses.size >= MAX_ADDRESSES) this.#forget(now);
      entry = { times: new Float64Array(this.limit).fill(-Infinity), next: 0, blockedUntil: 0 };
      this.#addresses.set(address, entry);
    }
    entry.times[entry.next] = now;
    entry.next = (entry.next + 1) % this.limit;
    // The next slot now holds the oldest of the last `limit` failures (-Infinity while fewer).
    if (now - entry.times[entry.next]! < this.windowMs) entry.blockedUntil = now + this.blockMs;
  }

  /** Bounds memory under a spray of addresses: entries with nothing recent go, else the oldest half. */
  #forget(now: number): void {
    for (const [address, entry] of this.#addresses) {
      const newest = entry.times[(entry.next + this.limit - 1) % this.limit]!;
      if (now - newest >= this.windowMs && entry.blockedUntil <= now) this.#addresses.delete(address);
    }
    if (this.#addresses.size < MAX_ADDRESSES) return;
    let drop = this.#addresses.size / 2;
    for (const address of this.#addresses.keys()) {
      if (drop-- <= 0) break;
      this.#addresses.delete(address);
    }
  }
}

const MAX_ADDRESSES = 50_000;
