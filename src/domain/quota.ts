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
 * The operational events due when the period's count has just become `used`. The count rises
 * by one per publish, atomically, so exactly one publish sees each threshold: each event goes
 * out once per period without any further bookkeeping.
 */
export function quotaEventsAt(quota: EventQuota, used: number): QuotaEventType[] {
  const due: QuotaEventType[] = [];
  if (used === Math.ceil(quota.limit * WARNING_SHARE)) due.push('quota.warning');
  if (used === quota.limit) due.push('quota.exceeded');
  return due;
}
