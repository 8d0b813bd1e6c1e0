import { describe, expect, it } from 'vitest';
import { quotaEventsCrossed } from './quota.js';

describe('quotaEventsCrossed', () => {
  const quota = { limit: 10, period: 'day' as const };

  it('warns at 80 % and tells at 100 %, one step at a time', () => {
    const seen = Array.from({ length: 12 }, (_, i) => quotaEventsCrossed(quota, i, i + 1));
    expect(seen.flat()).toEqual(['quota.warning', 'quota.exceeded']);
    expect(seen[7]).toEqual(['quota.warning']);
    expect(seen[9]).toEqual(['quota.exceeded']);
  });

  it('sees both thresholds when one batch jumps over them, and neither again after', () => {
    expect(quotaEventsCrossed(quota, 3, 10)).toEqual(['quota.warning', 'quota.exceeded']);
    expect(quotaEventsCrossed(quota, 7, 9)).toEqual(['quota.warning']);
    expect(quotaEventsCrossed(quota, 8, 10)).toEqual(['quota.exceeded']);
    expect(quotaEventsCrossed(quota, 10, 10)).toEqual([]);
  });

  it('rounds the warning up for small limits', () => {
    expect(quotaEventsCrossed({ limit: 5, period: 'month' }, 3, 4)).toEqual(['quota.warning']);
    expect(quotaEventsCrossed({ limit: 1, period: 'month' }, 0, 1)).toEqual(['quota.warning', 'quota.exceeded']);
  });
});
