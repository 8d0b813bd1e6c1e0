import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../domain/endpoint.js';
import { IdGenerator } from '../domain/ids.js';
import { OPERATOR_TENANT_ID } from '../domain/operational-event.js';
import { defaultTenantSettings } from '../domain/tenant.js';
import type { AttemptRecord, DeliveryJob, Store } from './store.js';

/**
 * Operational events as every store must write them (issue 13): in the transaction of their
 * cause, fanned out to the operator's matching endpoints, never about the operator's own.
 * Beside the main conformance suite, run by the same two store tests.
 */
export function runOperationalConformance(name: string, openFresh: () => Promise<Store>): void {
  describe(`${name} store: operational events`, () => {
    let store: Store;
    const ids = new IdGenerator();
    const T0 = new Date('2026-05-28T12:00:00.000Z');
    const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

    beforeEach(async () => {
      store = await openFresh();
      await store.migrate();
      await store.tenants.create({ id: 'acme', name: 'Acme', settings: { ...defaultTenantSettings(), autoDisableAfterFailures: 4 }, createdAt: T0 });
      await store.operator.updateSettings({ failingAfter: 2 });
    });
    afterEach(async () => {
      await store.close();
    });

    const addEndpoint = (tenantId: string, eventTypes = ['*']) =>
      store.endpoints.create(
        { id: ids.next('ep'), tenantId, url: `https://${tenantId.replace(':', '-')}.example/hook`, description: '', eventTypes, filter: null, status: 'active', headers: {}, rateLimitPerSecond: null, signature: null, createdAt: T0 },
        { secret: 'sealed', previousSecret: null, previousSecretExpiresAt: null, verifyToken: null },
      );

    const publishTo = async (endpoint: Endpoint, count: number) => {
      await store.events.publish({
        tenantId: endpoint.tenantId,
        items: Array.from({ length: count }, () => ({
          event: { id: ids.next('evt'), tenantId: endpoint.tenantId, type: 'chat.message', createdAt: T0, data: {}, idempotencyKey: null },
          deliveries: [{ id: ids.next('dlv'), endpointId: endpoint.id }],
        })),
        maxAttempts: 1,
      });
    };

    const attempt = (job: DeliveryJob, now: Date, statusCode: number): AttemptRecord => {
      const ok = statusCode < 300;
      return {
        deliveryId: job.delivery.id,
        attempt: { number: job.delivery.attemptCount + 1, startedAt: now, durationMs: 5, statusCode, responseBody: '', error: ok ? null : `HTTP ${statusCode}`, requestHeaders: {} },
        verdict: ok ? { kind: 'succeeded' } : { kind: 'dead' },
        endpointHealth: ok ? 'success' : 'failure',
        autoDisableAfterFailures: 4,
        now,
      };
    };

    const claimAll = (now: Date) => store.queue.claim({ now, limit: 50, maxInFlightPerEndpoint: 50, leaseGraceMs: 0, owner: 'wrk_test' });

    /** The operator's deliveries as (type, data) of their events, oldest first. */
    const operatorEvents = async () => {
      const page = await store.deliveries.list(OPERATOR_TENANT_ID, {}, { limit: 250 });
      const events = await Promise.all(page.data.reverse().map((d) => store.events.get(OPERATOR_TENANT_ID, d.eventId)));
      return events.map((event) => ({ type: event!.type, data: event!.data as Record<string, unknown> }));
    };

    it('keeps the reserved tenant out of the tenant list', async () => {
      expect((await store.tenants.list({ limit: 50 })).data.map((t) => t.id)).toEqual(['acme']);
      expect(await store.tenants.get(OPERATOR_TENANT_ID)).toMatchObject({ id: OPERATOR_TENANT_ID });
    });

    it('sends failing once per streak, then disabled and exhausted, recovered at the first success after', async () => {
      const operator = await addEndpoint(OPERATOR_TENANT_ID, ['endpoint.*', 'delivery.exhausted']);
      const endpoint = await addEndpoint('acme');
      await publishTo(endpoint, 5);
      const jobs = await claimAll(at(1));
      expect(jobs).toHaveLength(5);
      // One batch: the streak reaches 2 (failing) and 4 (disabled by the system); every delivery is dead.
      const outcomes = await store.queue.record(jobs.slice(0, 4).map((job, i) => attempt(job, at(2 + i), 500)));
      expect(outcomes.map((o) => o.operational.map((e) => e.type))).toEqual([
        ['delivery.exhausted'],
        ['endpoint.failing', 'delivery.exhausted'],
        ['delivery.exhausted'],
        ['endpoint.disabled', 'delivery.exhausted'],
      ]);
      expect(await store.endpoints.get('acme', endpoint.id)).toMatchObject({ status: 'disabled', failing: true });
      expect((await store.operator.endpointsInTrouble({ limit: 10 })).data.map((e) => e.id)).toEqual([endpoint.id]);

      // Enabling does not end the streak: no new `failing`, and the first success recovers.
      const enabled = await store.endpoints.setStatus('acme', endpoint.id, { status: 'active' }, at(10));
      expect(enabled!.events.map((e) => e.type)).toEqual(['endpoint.enabled']);
      expect(enabled!.endpoint).toMatchObject({ status: 'active', consecutiveFailures: 0, failing: true });
      const [last] = await store.queue.record([attempt(jobs[4]!, at(11), 200)]);
      expect(last!.operational).toEqual([{ type: 'endpoint.recovered', data: { tenantId: 'acme', endpointId: endpoint.id, url: endpoint.url } }]);

      const sent = await operatorEvents();
      expect(sent.map((e) => e.type)).toEqual([
        'delivery.exhausted',
        'endpoint.failing',
        'delivery.exhausted',
        'delivery.exhausted',
        'endpoint.disabled',
        'delivery.exhausted',
        'endpoint.enabled',
        'endpoint.recovered',
      ]);
      expect(sent[1]!.data).toEqual({ tenantId: 'acme', endpointId: endpoint.id, url: endpoint.url, consecutiveFailures: 2, lastStatusCode: 500, lastError: 'HTTP 500' });
      expect(sent[4]!.data).toMatchObject({ reason: '4 consecutive failed attempts', by: 'system' });
      expect(sent[0]!.data).toEqual({
        tenantId: 'acme',
        endpointId: endpoint.id,
        deliveryId: jobs[0]!.delivery.id,
        eventId: jobs[0]!.event.id,
        eventType: 'chat.message',
        attempts: 1,
        lastStatusCode: 500,
        lastError: 'HTTP 500',
      });
      // The operator's deliveries are due like any other.
      expect((await claimAll(at(12))).every((job) => job.endpoint.id === operator.id)).toBe(true);
    });

    it('tells of a status change once, with who did it; never of the operator’s own endpoints', async () => {
      await addEndpoint(OPERATOR_TENANT_ID, ['*']);
      const endpoint = await addEndpoint('acme');
      const disable = { status: 'disabled' as const, reason: 'Disabled by request', by: 'operator' as const };
      expect((await store.endpoints.setStatus('acme', endpoint.id, disable, at(1)))!.events).toHaveLength(1);
      expect((await store.endpoints.setStatus('acme', endpoint.id, disable, at(2)))!.events).toEqual([]);
      expect(await store.endpoints.setStatus('acme', 'ep_missing', disable, at(2))).toBeNull();
      const own = await addEndpoint(OPERATOR_TENANT_ID, ['quota.*']);
      expect((await store.endpoints.setStatus(OPERATOR_TENANT_ID, own.id, disable, at(3)))!.events).toEqual([]);
      expect(await operatorEvents()).toEqual([
        { type: 'endpoint.disabled', data: { tenantId: 'acme', endpointId: endpoint.id, url: endpoint.url, reason: 'Disabled by request', by: 'operator' } },
      ]);
    });

    it('publishes a quota event to the operator with the publish that causes it', async () => {
      const operator = await addEndpoint(OPERATOR_TENANT_ID, ['quota.exceeded']);
      await addEndpoint(OPERATOR_TENANT_ID, ['endpoint.*']);
      await store.events.publish({
        tenantId: 'acme',
        items: [{ event: { id: ids.next('evt'), tenantId: 'acme', type: 'quota.exceeded', createdAt: T0, data: {}, idempotencyKey: null }, deliveries: [] }],
        maxAttempts: 1,
        operational: [{ type: 'quota.exceeded', data: { tenantId: 'acme', limit: 10, used: 10 } }],
      });
      const page = await store.deliveries.list(OPERATOR_TENANT_ID, {}, { limit: 10 });
      expect(page.data.map((d) => [d.endpointId, d.eventType])).toEqual([[operator.id, 'quota.exceeded']]);
    });

    it('counts queued deliveries and tenants’ endpoints by status in one read', async () => {
      await addEndpoint(OPERATOR_TENANT_ID);
      const endpoint = await addEndpoint('acme');
      await addEndpoint('acme');
      await publishTo(endpoint, 4);
      const jobs = await claimAll(at(1));
      expect(jobs).toHaveLength(4);
      await publishTo(endpoint, 1);
      // One retry waiting (failed, counted apart from pending), one dead (no longer queued), two
      // in flight; their health ignored, so no operational event adds deliveries of its own.
      const failed = (job: DeliveryJob, verdict: AttemptRecord['verdict']): AttemptRecord => ({ ...attempt(job, at(2), 500), verdict, endpointHealth: 'ignore' });
      await store.queue.record([failed(jobs[0]!, { kind: 'retry', at: at(60) }), failed(jobs[1]!, { kind: 'dead' })]);
      expect(await store.queue.gauges()).toEqual({
        deliveries: { pending: 1, failed: 1, delivering: 2 },
        endpoints: { active: 2, failing: 0, disabled: 0, pending_verification: 0, verification_failed: 0 },
      });
      expect(await store.queue.depth()).toBe(4);
    });
  });
}
