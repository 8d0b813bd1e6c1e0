import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryDelayMs } from './retry.js';

const schedule = [0, 60, 300];

describe('retryDelayMs', () => {
  it('takes the step after the attempts made, with at most ±25 % jitter', () => {
    expect(retryDelayMs(schedule, 1, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(schedule, 1, () => 0)).toBe(45_000);
    expect(retryDelayMs(schedule, 1, () => 1)).toBe(75_000);
    expect(retryDelayMs(schedule, 2, () => 0.5)).toBe(300_000);
  });

  it('answers null once the schedule is spent', () => {
    expect(retryDelayMs(schedule, 3, () => 0.5)).toBeNull();
  });

  it('lets a larger Retry-After replace the step, capped at the longest step', () => {
    expect(retryDelayMs(schedule, 1, () => 0.5, 120_000)).toBe(120_000);
    expect(retryDelayMs(schedule, 1, () => 0.5, 10_000)).toBe(60_000);
    expect(retryDelayMs(schedule, 1, () => 0.5, 9_000_000)).toBe(300_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-05-28T12:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 28 May 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Thu, 28 May 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
