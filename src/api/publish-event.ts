import { toEnvelope, type Envelope } from '../domain/event.js';
import { ids } from '../domain/ids.js';
import { quotaEventsCrossed, quotaPeriodStart } from '../domain/quota.js';
import type { OperationalEvent } from '../domain/operational-event.js';
import type { Tenant } from '../domain/tenant.js';
import { HeraldError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { PublishItem, PublishOutcome, Store } from '../store/store.js';
import type { Tracing } from '../telemetry/tracing.js';
import { matching, type EndpointMatchers } from './endpoint-matchers.js';
import { notifyPublished } from './routes/event-stream.js';

export interface EventInput {
  type: string;
  data: unknown;
  idempotencyKey?: string | null | undefined;
}

/** What publishing needs of the API context. */
export interface Publisher {
  store: Store;
  matchers: EndpointMatchers;
  /** Counts the customer's created events (not test sends, not Herald's notices). */
  metrics: Metrics;
  tracing: Tracing;
}

export interface PublishOptions {
  /**
   * A test send: one delivery to this endpoint whatever it subscribes to, one attempt, no
   * quota, never in polling; the caller makes the attempt at once.
   */
  testEndpointId?: string;
  /** A quota notice that could not be published; the customer's events are stored already. */
  onNoticeError?: (error: unknown) => void;
}

export interface Published {
  /** Request order; `created` false when the idempotency key had been seen (the first event answers). */
  outcomes: PublishOutcome[];
  envelopes: Envelope[];
}

/**
 * The one publish path: single events, batches, test sends and Herald's own quota notices.
 * Events are matched in memory against the tenant's cached endpoint matchers and handed to
 * the store as one all-or-nothing write. Customer events count against the tenant's quota
 * (the store refuses the whole batch past the limit); a publish that carries the count across
 * 80 % or 100 % then publishes `quota.warning` / `quota.exceeded`, which count against nothing.
 */
export async function publishEvents(publisher: Publisher, tenant: Tenant, events: EventInput[], options: PublishOptions = {}): Promise<Published> {
  if (options.testEndpointId !== undefined) return write(publisher, tenant, events, { testEndpointId: options.testEndpointId });
  const published = await write(publisher, tenant, events, { countsAgainstQuota: true }).catch((error: unknown) => {
    if (error instanceof HeraldError && error.code === 'quota_exceeded') publisher.metrics.publishOutcomes.inc({ outcome: 'quota_exceeded' }, events.length);
    throw error;
  });
  const created = published.outcomes.filter((outcome) => outcome.created).length;
  if (created > 0) publisher.metrics.published.inc(created);
  if (created > 0) publisher.metrics.publishOutcomes.inc({ outcome: 'created' }, created);
  if (created < events.length) publisher.metrics.publishOutcomes.inc({ outcome: 'duplicate' }, events.length - created);
  await publishQuotaNotices(publisher, tenant, published, options.onNoticeError ?? (() => {}));
  return published;
}

interface WriteOptions {
  testEndpointId?: string;
  countsAgainstQuota?: boolean;
  /** Told to the operator in the same transaction (a quota notice's operational event). */
  operational?: OperationalEvent[];
}

async function write(publisher: Publisher, tenant: Tenant, events: EventInput[], options: WriteOptions): Promise<Published & { quotaUsed: number | null }> {
  const testEndpointId = options.testEndpointId ?? null;
  const { store, matchers, tracing } = publisher;
  const style = tenant.settings.envelope;
  const createdAt = new Date();
  const endpointMatchers = testEndpointId === null ? await matchers.get(tenant.id) : [];
  const items: PublishItem[] = events.map(({ type, data, idempotencyKey }) => {
    const id = ids.next('evt');
    const endpointIds = testEndpointId === null ? matching(endpointMatchers, type, toEnvelope({ id, type, createdAt, data }, style)) : [testEndpointId];
    return {
      event: { id, tenantId: tenant.id, type, createdAt, data, idempotencyKey: idempotencyKey ?? null },
      deliveries: endpointIds.map((endpointId) => ({ id: ids.next('dlv'), endpointId })),
    };
  });
  const quota = tenant.settings.eventQuota;
  // The publish is a trace; its context is stored with the events, so every attempt, in
  // whichever process, continues it.
  const attributes = { 'herald.tenant_id': tenant.id, 'herald.event_count': items.length, 'herald.event_type': items[0]?.event.type ?? '' };
  const result = await tracing.publish(attributes, (traceContext) =>
    store.events.publish({
      tenantId: tenant.id,
      items: traceContext === null ? items : items.map((item) => ({ ...item, event: { ...item.event, traceContext } })),
      maxAttempts: testEndpointId === null ? tenant.settings.retrySchedule.length : 1,
      ...(testEndpointId !== null ? { isTest: true } : {}),
      ...(options.operational ? { operational: options.operational } : {}),
      ...(options.countsAgainstQuota && quota ? { quota: { limit: quota.limit, periodStart: quotaPeriodStart(quota.period, createdAt) } } : {}),
    }),
  );
  // Test sends never show in polling, so open event streams have nothing to read.
  if (testEndpointId === null && result.outcomes.some((outcome) => outcome.created)) notifyPublished(tenant.id);
  return { outcomes: result.outcomes, envelopes: result.outcomes.map((outcome) => toEnvelope(outcome.event, style)), quotaUsed: result.quotaUsed };
}

/**
 * The store counts a batch's created events atomically, so each publish owns the range
 * (used - created, used] of the period's count: every threshold falls in exactly one range,
 * and each notice goes out once per period however the events were batched.
 */
async function publishQuotaNotices(publisher: Publisher, tenant: Tenant, published: Published & { quotaUsed: number | null }, onError: (error: unknown) => void): Promise<void> {
  const quota = tenant.settings.eventQuota;
  if (!quota || published.quotaUsed === null) return;
  const created = published.outcomes.filter((outcome) => outcome.created);
  const first = created[0];
  if (!first) return;
  const periodStart = quotaPeriodStart(quota.period, first.event.createdAt).toISOString();
  for (const type of quotaEventsCrossed(quota, published.quotaUsed - created.length, published.quotaUsed)) {
    const data = { limit: quota.limit, used: published.quotaUsed, period: quota.period, periodStart };
    const operational: OperationalEvent[] = [{ type, data: { tenantId: tenant.id, ...data } }];
    const sent = await write(publisher, tenant, [{ type, data }], { operational }).then(() => true, onError);
    if (sent) publisher.metrics.operationalEvents.inc({ type });
  }
}
