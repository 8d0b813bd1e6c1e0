/**
 * Failed authentication per client address: after `limit` failures within `windowMs`, the
 * address is refused for `blockMs`, but only for requests without a valid credential (the
 * caller asks `blocked` after its own check failed), so a shared NAT address full of guessers
 * never locks out a real key. In-process: with several API processes each counts its own
 * share, which still caps guessing at `limit` × processes a minute with no store round trip.
 */
export class FailedAuthLimit {
  readonly #addresses = new Map<string, { windowStart: number; failures: number; blockedUntil: number }>();

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
    if (!entry || now - entry.windowStart >= this.windowMs) {
      if (!entry && this.#addresses.size >= 100_000) this.#forgetStale(now);
      entry = { windowStart: now, failures: 0, blockedUntil: entry?.blockedUntil ?? 0 };
      this.#addresses.set(address, entry);
    }
    entry.failures++;
    if (entry.failures >= this.limit) entry.blockedUntil = now + this.blockMs;
  }

  /** Bounds memory under a spray of addresses: entries whose window and block are over go. */
  #forgetStale(now: number): void {
    for (const [address, entry] of this.#addresses) {
      if (now - entry.windowStart >= this.windowMs && entry.blockedUntil <= now) this.#addresses.delete(address);
    }
  }
}
