/**
 * The token bucket behind `rateLimitPerSecond`: it holds at most `limit` tokens (the burst)
 * and refills at `limit` per second; each delivery claimed takes one. Kept on the endpoint
 * row as (tokens, refilledAt) and read and written only by the claim, under the row's lock.
 */
export interface RateBucket {
  limit: number;
  tokens: number | null;
  refilledAt: number | null;
}

// Float refills may land a hair below a whole token at the moment one is due.
const EPSILON = 1e-9;

/** Tokens available at `now`; a bucket never used is full. */
export function tokensAt(bucket: RateBucket, now: number): number {
  if (bucket.tokens === null || bucket.refilledAt === null) return bucket.limit;
  const refill = (Math.max(0, now - bucket.refilledAt) / 1000) * bucket.limit;
  return Math.min(bucket.limit, bucket.tokens + refill);
}

/** Whole deliveries the bucket lets through now. */
export const wholeTokens = (tokens: number): number => Math.floor(tokens + EPSILON);

/** When the next whole token is there, for a bucket holding `tokens` at `now`. */
export function nextTokenAt(tokens: number, limit: number, now: number): number {
  if (tokens + EPSILON >= 1) return now;
  return now + Math.ceil(((1 - tokens) * 1000) / limit);
}
