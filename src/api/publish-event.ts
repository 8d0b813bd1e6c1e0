import { toEnvelope, type Envelope } from '../domain/event.js';
import { matchesFilter } from '../domain/filter.js';
import { ids } from '../domain/ids.js';
import { quotaEventsAt, quotaPeriodStart } from '../domain/quota.js';
import { matchesEventType } from '../domain/subscription.js';
import type { Tenant } from '../domain/tenant.js';
import type { PublishOutcome, Store } from '../store/store.js';

export interface EventInput {
  type: string;
  data: unknown;
  idempotencyKey?: string | null | undefined;
}

/**
 * Publishes one event to every endpoint of the tenant whose subscription and filter match.
 * A customer's event counts against the tenant's quota (the store refuses it past the limit);
 * reaching 80 % and 100 % of the quota then publishes Herald's own `quota.warning` and
 * `quota.exceeded` events, which count against nothing.
 */
export async function publishEvent(
  store: Store,
  tenant: Tenant,
  input: EventInput,
  onQuotaEventError: (error: unknown) => void = () => {},
): Promise<{ result: PublishOutcome & { quotaUsed: number | null }; envelope: Envelope }> {
  const { result, envelope } = await publishOne(store, tenant, input, true);
  const quota = tenant.settings.eventQuota;
  if (quota && result.quotaUsed !== null) {
    for (const type of quotaEventsAt(quota, result.quotaUsed)) {
      const data = { limit: quota.limit, used: result.quotaUsed, period: quota.period, periodStart: quotaPeriodStart(quota.period, result.event.createdAt).toISOString() };
      // The customer's event is stored already: a failed notice must not turn it into an error.
      await publishOne(store, tenant, { type, data }, false).catch(onQuotaEventError);
    }
  }
  return { result, envelope };
}

async function publishOne(store: Store, tenant: Tenant, { type, data, idempotencyKey }: EventInput, countsAgainstQuota: boolean) {
  const createdAt = new Date();
  const id = ids.next('evt');
  const envelope = toEnvelope({ id, type, createdAt, data }, tenant.settings.envelope);
  const quota = tenant.settings.eventQuota;
  // Matching happens here, against the tenant's matchers (no secrets); the store only writes.
  const matchers = await store.endpoints.listMatchers(tenant.id);
  const matched = matchers.filter((endpoint) => matchesEventType(endpoint.eventTypes, type) && matchesFilter(endpoint.filter, envelope));
  const { outcomes, quotaUsed } = await store.events.publish({
    tenantId: tenant.id,
    items: [
      {
        event: { id, tenantId: tenant.id, type, createdAt, data, idempotencyKey: idempotencyKey ?? null },
        deliveries: matched.map((endpoint) => ({ id: ids.next('dlv'), endpointId: endpoint.id })),
      },
    ],
    maxAttempts: tenant.settings.retrySchedule.length,
    ...(countsAgainstQuota && quota ? { quota: { limit: quota.limit, periodStart: quotaPeriodStart(quota.period, createdAt) } } : {}),
  });
  return { result: { ...outcomes[0]!, quotaUsed }, envelope };
}
