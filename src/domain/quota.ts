import type { EventQuota } from './tenant.js';

export type QuotaEventType = 'quota.warning' | 'quota.exceeded';

/** Share of the quota at which the tenant is warned. */
const WARNING_SHARE = 0.8;

/** Start of the UTC day or month that `now` falls in: quotas count per calendar period. */
export function quotaPeriodStart(period: EventQuota['period'], now: Date): Date {
  const day = period === 'day' ? now.getUTCDate() : 1;
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), day));
}

/**
 * The operational events due when one publish took the period's count from `before` to
 * `after` (a batch may jump several steps). The store raises the count atomically per
 * publish, so the ranges of concurrent publishes never overlap and exactly one publish
 * crosses each threshold: each event goes out once per period without further bookkeeping.
 */
export function quotaEventsCrossed(quota: EventQuota, before: number, after: number): QuotaEventType[] {
  const crossed = (threshold: number) => before < threshold && threshold <= after;
  const due: QuotaEventType[] = [];
  if (crossed(Math.ceil(quota.limit * WARNING_SHARE))) due.push('quota.warning');
  if (crossed(quota.limit)) due.push('quota.exceeded');
  return due;
}
