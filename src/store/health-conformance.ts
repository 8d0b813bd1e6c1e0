import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../domain/endpoint.js';
import { IdGenerator } from '../domain/ids.js';
import { defaultTenantSettings } from '../domain/tenant.js';
import type { AttemptVerdict, DeliveryJob, Store } from './store.js';

/**
 * The operator's health query (store.health) and the delivery log's latest attempt, which every
 * Store must answer alike; run by each store's test file beside the main conformance suite.
 */
export function runHealthConformance(name: string, openFresh: () => Promise<Store>): void {
  describe(`${name} store: health across tenants`, () => {
    let store: Store;
    const ids = new IdGenerator();
    const T0 = new Date('2026-05-28T12:00:00.000Z');
    const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
    const window = { since: T0, until: at(3600) };

    beforeEach(async () => {
      store = await openFresh();
      await store.migrate();
      for (const [id, name] of [['acme', 'Acme Corp'], ['beta', 'Beta Inc'], ['gamma', 'Gamma_Ltd']]) {
        await store.tenants.create({ id: id!, name: name!, settings: defaultTenantSettings(), createdAt: T0 });
      }
    });
    afterEach(async () => {
      await store.close();
    });

    const addEndpoint = (tenantId: string, url: string, status: Endpoint['status'] = 'active') =>
      store.endpoints.create(
        { id: ids.next('ep'), tenantId, url, description: '', eventTypes: ['*'], filter: null, status, headers: {}, rateLimitPerSecond: null, signature: null, createdAt: T0 },
        { secret: null, previousSecret: null, previousSecretExpiresAt: null, verifyToken: null },
      );
    const publish = async (tenantId: string, endpointIds: string[], isTest = false) =>
      (
        await store.events.publish({
          tenantId,
          items: [{ event: { id: ids.next('evt'), tenantId, type: 'a.b', createdAt: T0, data: {}, idempotencyKey: null }, deliveries: endpointIds.map((endpointId) => ({ id: ids.next('dlv'), endpointId })) }],
          maxAttempts: 3,
          isTest,
        })
      ).outcomes[0]!.deliveries;
    const record = (job: DeliveryJob, startedAt: Date, durationMs: number, statusCode: number, verdict: AttemptVerdict, isTest = false) =>
      store.queue.record([
        {
          deliveryId: job.delivery.id,
          attempt: { number: job.delivery.attemptCount + 1, startedAt, durationMs, statusCode, responseBody: null, error: statusCode < 300 ? null : `HTTP ${statusCode}`, requestHeaders: {} },
          verdict,
          endpointHealth: isTest ? 'ignore' : statusCode < 300 ? 'success' : 'failure',
          autoDisableAfterFailures: 10,
          now: startedAt,
        },
      ]);

    /**
     * acme: an endpoint that delivers, one that fails, a disabled one with a delivery waiting and
     * one awaiting verification, plus a dead test send; beta: one quiet endpoint; gamma: none.
     */
    async function seed() {
      const ok = await addEndpoint('acme', 'https://ok.example.com/hook');
      const bad = await addEndpoint('acme', 'https://bad.example.com/hook');
      const off = await addEndpoint('acme', 'https://off.example.com/hook');
      const unverified = await addEndpoint('acme', 'https://new.example.com/hook', 'pending_verification');
      await addEndpoint('beta', 'https://beta.example.com/hook');
      for (let i = 0; i < 2; i++) await publish('acme', [ok.id, bad.id]);
      await store.endpoints.update('acme', off.id, { status: 'disabled', disabledReason: 'Disabled by request' }, at(0));
      await publish('acme', [off.id]);
      const jobs = await store.queue.claim({ now: at(1), limit: 10, maxInFlightPerEndpoint: 16, leaseGraceMs: 0, owner: 'wrk_test' });
      const [ok1] = jobs.filter((job) => job.endpoint.id === ok.id); // its second stays in flight
      const [bad1, bad2] = jobs.filter((job) => job.endpoint.id === bad.id);
      await record(ok1!, at(1), 10, 200, { kind: 'succeeded' });
      await record(bad1!, at(2), 20, 500, { kind: 'retry', at: at(600) });
      await record(bad2!, at(3), 30, 500, { kind: 'dead' });
      const [test] = await publish('acme', [ok.id], true);
      await record((await store.queue.claimOne('acme', test!.id, at(4), 0, 'wrk_test'))!, at(4), 999, 500, { kind: 'dead' }, true);
      return { ok, bad, off, unverified, ok1: ok1!, bad2: bad2! };
    }

    it('counts each tenant of a page: endpoints by state, unresolved deliveries and attempts, test sends aside', async () => {
      const { bad, off, unverified } = await seed();
      const page = await store.health.tenants(window, { limit: 10 });
      expect(page.nextCursor).toBeNull();
      expect(page.data.map((row) => [row.tenantId, row.tenantName])).toEqual([['acme', 'Acme Corp'], ['beta', 'Beta Inc'], ['gamma', 'Gamma_Ltd']]);
      const [acme, beta, gamma] = page.data;
      expect(acme!.endpoints).toEqual({ total: 4, active: 2, disabled: 1, unverified: 1, failing: 1 });
      // Pending: the one in flight and the one waiting on the disabled endpoint.
      expect(acme!.deliveries).toEqual({ pending: 2, failed: 1, dead: 1 });
      expect(acme!.attempts).toEqual({ attempts: 3, succeeded: 1, avgLatencyMs: 20, maxLatencyMs: 30 });
      expect(acme!.attention).toEqual([
        { id: off.id, url: off.url, status: 'disabled', disabledReason: 'Disabled by request', consecutiveFailures: 0 },
        { id: unverified.id, url: unverified.url, status: 'pending_verification', disabledReason: null, consecutiveFailures: 0 },
        { id: bad.id, url: bad.url, status: 'active', disabledReason: null, consecutiveFailures: 2 },
      ]);
      expect(beta).toMatchObject({ endpoints: { total: 1, active: 1, failing: 0 }, deliveries: { pending: 0, failed: 0, dead: 0 }, attention: [] });
      expect(beta!.attempts).toEqual({ attempts: 0, succeeded: 0, avgLatencyMs: null, maxLatencyMs: null });
      expect(gamma!.endpoints.total).toBe(0);
      // Attempts outside the window do not count.
      expect((await store.health.tenants({ since: at(10), until: at(3600) }, { limit: 1 })).data[0]!.attempts.attempts).toBe(0);
    });

    it('pages tenants in id order, searches ids, names and endpoint URLs, and narrows to those needing attention', async () => {
      await seed();
      const first = await store.health.tenants(window, { limit: 2 });
      expect(first.data.map((row) => row.tenantId)).toEqual(['acme', 'beta']);
      const second = await store.health.tenants(window, { limit: 2, cursor: first.nextCursor! });
      expect([second.data.map((row) => row.tenantId), second.nextCursor]).toEqual([['gamma'], null]);
      const found = async (search: string) => (await store.health.tenants({ ...window, search }, { limit: 10 })).data.map((row) => row.tenantId);
      expect(await found('ACME')).toEqual(['acme']);
      expect(await found(' beta inc ')).toEqual(['beta']);
      expect(await found('off.example')).toEqual(['acme']);
      // LIKE's wildcards are the characters themselves.
      expect(await found('e_a')).toEqual([]); // as a wildcard, "_" would find "Beta"
      expect(await found('a_Ltd')).toEqual(['gamma']);
      expect(await found('%')).toEqual([]);
      const attention = await store.health.tenants({ ...window, attentionOnly: true }, { limit: 10 });
      expect(attention.data.map((row) => row.tenantId)).toEqual(['acme']);
    });

    it('lists each delivery with its latest attempt, none before the first', async () => {
      const { ok1, bad2 } = await seed();
      const logged = (await store.deliveries.list('acme', {}, { limit: 20 })).data;
      expect(logged.find((d) => d.id === ok1.delivery.id)!.lastAttempt).toEqual({ statusCode: 200, durationMs: 10, error: null });
      expect(logged.find((d) => d.id === bad2.delivery.id)!.lastAttempt).toEqual({ statusCode: 500, durationMs: 30, error: 'HTTP 500' });
      expect(logged.filter((d) => d.lastAttempt === null)).toHaveLength(2);
    });

    it('says until when a replaced secret keeps signing', async () => {
      const endpoint = await addEndpoint('beta', 'https://rotating.example.com/hook');
      expect(endpoint.previousSecretExpiresAt).toBeNull();
      await store.endpoints.setSecrets('beta', endpoint.id, { secret: 'new', previousSecret: 'old', previousSecretExpiresAt: at(86_400), verifyToken: null });
      expect((await store.endpoints.get('beta', endpoint.id))!.previousSecretExpiresAt).toEqual(at(86_400));
    });
  });
}
