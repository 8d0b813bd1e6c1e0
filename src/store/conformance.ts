import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../domain/endpoint.js';
import { IdGenerator } from '../domain/ids.js';
import { defaultTenantSettings } from '../domain/tenant.js';
import { orderingConformance } from './conformance-ordering.js';
import type { DeliveryJob, Store } from './store.js';

/** What a store's test file does to its database behind the store's back. */
export interface StoreTampering {
  /** Clears these endpoints' schedules, as a crash between a publish's commit and its schedule mark would leave them. */
  loseSchedules(store: Store, endpointIds: string[]): Promise<void>;
}

/**
 * The behaviour every Store must have, written once. Each implementation's test file calls
 * this with a factory for a fresh, empty store; a skip must say why.
 */
export function runStoreConformance(name: string, openFresh: () => Promise<Store>, tampering: StoreTampering): void {
  describe(`${name} store conformance`, () => {
    let store: Store;
    const ids = new IdGenerator();
    const T0 = new Date('2026-05-28T12:00:00.000Z');
    const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

    beforeEach(async () => {
      store = await openFresh();
      await store.migrate();
      await store.tenants.create({ id: 'acme', name: 'Acme', settings: { ...defaultTenantSettings(), attemptTimeoutMs: 1000 }, createdAt: T0 });
    });
    afterEach(async () => {
      await store.close();
    });

    const addEndpoint = (overrides: Partial<Endpoint> = {}) =>
      store.endpoints.create(
        {
          id: ids.next('ep'),
          tenantId: 'acme',
          url: 'https://example.com/hook',
          description: '',
          eventTypes: ['*'],
          filter: null,
          status: 'active',
          headers: {},
          rateLimitPerSecond: null,
          signature: null,
          createdAt: T0,
          ...overrides,
        },
        { secret: 'sealed-secret', previousSecret: null, previousSecretExpiresAt: null, verifyToken: null },
      );

    const publish = async (type: string, options: { idempotencyKey?: string; createdAt?: Date; only?: string[]; quota?: { limit: number; periodStart: Date } } = {}) => {
      const { outcomes, quotaUsed } = await publishBatch([{ type, ...options }], options.quota);
      return { ...outcomes[0]!, quotaUsed };
    };

    /** The caller matches: here every endpoint of the tenant, or those in `only`. */
    const publishBatch = async (
      items: Array<{ type: string; idempotencyKey?: string; createdAt?: Date; only?: string[] }>,
      quota?: { limit: number; periodStart: Date },
    ) => {
      const matchers = await store.endpoints.listMatchers('acme');
      return store.events.publish({
        tenantId: 'acme',
        items: items.map((item) => ({
          event: { id: ids.next('evt'), tenantId: 'acme', type: item.type, createdAt: item.createdAt ?? T0, data: { n: 1 }, idempotencyKey: item.idempotencyKey ?? null },
          deliveries: matchers.filter((e) => !item.only || item.only.includes(e.id)).map((e) => ({ id: ids.next('dlv'), endpointId: e.id })),
        })),
        maxAttempts: 3,
        ...(quota ? { quota } : {}),
      });
    };

    /**
     * Polls once every transaction begun before has ended: on PostgreSQL polling holds back
     * events behind the oldest running transaction on the server (other tests share it).
     */
    const settledPoll = async (request: Parameters<Store['events']['poll']>[1], expected: number) => {
      let events = await store.events.poll('acme', request);
      for (const deadline = Date.now() + 10_000; events.length < expected && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        events = await store.events.poll('acme', request);
      }
      return events;
    };

    const claim = (now: Date, limit = 10, maxInFlightPerEndpoint = 16) =>
      store.queue.claim({ now, limit, maxInFlightPerEndpoint, leaseGraceMs: 0, owner: 'wrk_test' });

    const recordOne = async (record: Parameters<Store['queue']['record']>[0][number]) => (await store.queue.record([record]))[0]!;

    const succeed = (job: DeliveryJob, now: Date) =>
      recordOne({
        deliveryId: job.delivery.id,
        attempt: { number: job.delivery.attemptCount + 1, startedAt: now, durationMs: 5, statusCode: 200, responseBody: 'ok', error: null, requestHeaders: {} },
        verdict: { kind: 'succeeded' },
        endpointHealth: 'success',
        autoDisableAfterFailures: 3,
        now,
      });

    const fail = (job: DeliveryJob, now: Date, retryAt: Date | null) =>
      recordOne({
        deliveryId: job.delivery.id,
        attempt: { number: job.delivery.attemptCount + 1, startedAt: now, durationMs: 5, statusCode: 500, responseBody: 'no', error: 'HTTP 500', requestHeaders: { a: 'b' } },
        verdict: retryAt ? { kind: 'retry', at: retryAt } : { kind: 'dead' },
        endpointHealth: 'failure',
        autoDisableAfterFailures: 3,
        now,
      });

    it('applies migrations more than once without harm', async () => {
      await store.migrate();
      expect(await store.tenants.get('acme')).toMatchObject({ id: 'acme', name: 'Acme' });
    });

    it('refuses a second tenant with the same id', async () => {
      await expect(store.tenants.create({ id: 'acme', name: 'Again', settings: defaultTenantSettings(), createdAt: T0 })).rejects.toMatchObject({ code: 'conflict' });
    });

    it('keeps meta values first-come', async () => {
      expect(await store.meta.putIfAbsent('k', 'one')).toBe('one');
      expect(await store.meta.putIfAbsent('k', 'two')).toBe('one');
    });

    it('publishes an event with one delivery per selected endpoint, in one go', async () => {
      const a = await addEndpoint();
      await addEndpoint();
      const result = await publish('chat.message', { only: [a.id] });
      expect(result.created).toBe(true);
      expect(result.deliveries.map((d) => d.endpointId)).toEqual([a.id]);
      const page = await store.deliveries.list('acme', {}, { limit: 10 });
      expect(page.data).toHaveLength(1);
      expect(page.data[0]).toMatchObject({ status: 'pending', attemptCount: 0, maxAttempts: 3, eventType: 'chat.message' });
    });

    it('answers the first event for a repeated idempotency key', async () => {
      await addEndpoint();
      const first = await publish('chat.message', { idempotencyKey: 'k1' });
      const again = await publish('chat.message', { idempotencyKey: 'k1' });
      expect(again.created).toBe(false);
      expect(again.event.id).toBe(first.event.id);
      expect((await store.deliveries.list('acme', {}, { limit: 10 })).data).toHaveLength(1);
    });

    it('publishes a batch in one go: request order, consecutive polling positions, keys per item', async () => {
      const a = await addEndpoint();
      const b = await addEndpoint({ eventTypes: ['order.*'] });
      const before = await publish('chat.message', { idempotencyKey: 'seen' });
      const { outcomes } = await publishBatch([
        { type: 'x.one', only: [a.id, b.id] },
        { type: 'x.two', idempotencyKey: 'seen' },
        { type: 'x.three', idempotencyKey: 'new', only: [b.id] },
        { type: 'x.four', idempotencyKey: 'new' },
        { type: 'x.five', only: [] },
      ]);
      expect(outcomes.map((o) => o.created)).toEqual([true, false, true, false, true]);
      expect(outcomes[1]!.event.id).toBe(before.event.id);
      expect(outcomes[3]!.event.id).toBe(outcomes[2]!.event.id);
      expect(outcomes.map((o) => o.deliveries.map((d) => d.endpointId))).toEqual([[a.id, b.id], [], [b.id], [], []]);
      const polled = await settledPoll({ after: null, limit: 10 }, 4);
      expect(polled.map((e) => e.type)).toEqual(['chat.message', 'x.one', 'x.three', 'x.five']);
      expect((await store.deliveries.list('acme', {}, { limit: 10 })).data).toHaveLength(5);
      expect(await store.endpoints.listMatchers('acme')).toEqual(
        [
          { id: a.id, eventTypes: ['*'], filter: null },
          { id: b.id, eventTypes: ['order.*'], filter: null },
        ].sort((x, y) => x.id.localeCompare(y.id)),
      );
    });

    it('stores nothing of a batch that would pass the quota, and counts only created events', async () => {
      await addEndpoint();
      const quota = { limit: 3, periodStart: T0 };
      expect((await publishBatch([{ type: 'a', idempotencyKey: 'k' }, { type: 'a', idempotencyKey: 'k' }], quota)).quotaUsed).toBe(1);
      await expect(publishBatch([{ type: 'b' }, { type: 'b' }, { type: 'b' }], quota)).rejects.toMatchObject({ code: 'quota_exceeded' });
      expect(await settledPoll({ after: null, limit: 10 }, 1)).toHaveLength(1);
      expect(await store.queue.depth()).toBe(1);
      expect((await publishBatch([{ type: 'c' }, { type: 'c', idempotencyKey: 'k' }, { type: 'c' }], quota)).quotaUsed).toBe(3);
    });

    it('tells listeners when a tenant, its endpoints or the event catalog change', async () => {
      const changed: Array<string | null> = [];
      const stop = store.onEndpointsChanged((tenantId) => changed.push(tenantId));
      const endpoint = await addEndpoint();
      await store.endpoints.update('acme', endpoint.id, { eventTypes: ['a.b'] }, T0);
      await store.endpoints.delete('acme', endpoint.id);
      await store.tenants.update('acme', { name: 'Acme Inc' });
      await store.eventTypes.create({ name: 'a.b', description: 'A', schema: null, example: null, deprecated: false, createdAt: T0, updatedAt: T0 });
      await store.tenants.delete('acme');
      stop();
      expect(changed).toEqual(['acme', 'acme', 'acme', 'acme', null, 'acme']);
    });

    it('refuses a polling cursor it never gave out', async () => {
      await expect(store.events.poll('acme', { after: 'nonsense!', limit: 10 })).rejects.toMatchObject({ code: 'validation_failed' });
    });

    it('polls in publish order after a sequence', async () => {
      const published = [];
      for (let i = 0; i < 5; i++) published.push((await publish(i % 2 ? 'a.odd' : 'a.even')).event);
      const all = await settledPoll({ after: null, limit: 10 }, 5);
      expect(all.map((e) => e.id)).toEqual(published.map((e) => e.id));
      const rest = await store.events.poll('acme', { after: all[1]!.cursor, limit: 10 });
      expect(rest.map((e) => e.id)).toEqual(published.slice(2).map((e) => e.id));
      expect((await settledPoll({ after: null, limit: 10, type: 'a.odd' }, 2)).length).toBe(2);
    });

    it('claims due deliveries with a lease and hands out each only once', async () => {
      await addEndpoint();
      await publish('chat.message');
      const [job] = await claim(at(1));
      expect(job).toMatchObject({ delivery: { status: 'delivering' }, event: { type: 'chat.message' }, attemptsInRun: 0 });
      expect(job!.secrets.secret).toBe('sealed-secret');
      expect(await claim(at(1))).toEqual([]);
    });

    it('does not claim deliveries of an endpoint that is not active, until it is', async () => {
      const endpoint = await addEndpoint({ status: 'disabled' });
      await publish('chat.message');
      expect(await claim(at(1))).toEqual([]);
      let woken = 0;
      const stop = store.queue.onWake(() => woken++);
      await store.endpoints.update('acme', endpoint.id, { status: 'active' }, at(1));
      stop();
      expect(woken).toBeGreaterThan(0);
      expect(await claim(at(2))).toHaveLength(1);
    });

    it('caps in-flight deliveries per endpoint and shares a claim between endpoints', async () => {
      const busy = await addEndpoint();
      const quiet = await addEndpoint();
      for (let i = 0; i < 20; i++) await publish('bulk', { only: [busy.id] });
      await publish('single', { only: [quiet.id] });
      const jobs = await claim(at(1), 10, 4);
      const perEndpoint = (id: string) => jobs.filter((j) => j.endpoint.id === id).length;
      expect(perEndpoint(busy.id)).toBe(4);
      expect(perEndpoint(quiet.id)).toBe(1);
      expect(await claim(at(1), 10, 4)).toEqual([]);
      // Leases last 1 s here: at 1.5 s the other three are still in flight.
      await succeed(jobs.find((j) => j.endpoint.id === busy.id)!, at(1.5));
      expect(await claim(at(1.5), 10, 4)).toHaveLength(1);
    });

    it('caps an endpoint at its own maxInFlight when it has one, above or below the server’s', async () => {
      const small = await addEndpoint({ maxInFlight: 2 });
      const large = await addEndpoint({ maxInFlight: 6 });
      const usual = await addEndpoint();
      for (let i = 0; i < 8; i++) await publish('bulk');
      const jobs = await claim(at(1), 50, 4);
      const perEndpoint = (id: string) => jobs.filter((j) => j.endpoint.id === id).length;
      expect([perEndpoint(small.id), perEndpoint(large.id), perEndpoint(usual.id)]).toEqual([2, 6, 4]);
      expect(jobs.find((j) => j.endpoint.id === small.id)!.endpoint.maxInFlight).toBe(2);
      expect(await claim(at(1), 50, 4)).toEqual([]);
      // A slot of the small one frees: one more, no more.
      await succeed(jobs.find((j) => j.endpoint.id === small.id)!, at(1.5));
      expect((await claim(at(1.5), 50, 4)).map((j) => j.endpoint.id)).toEqual([small.id]);
      // Back to the server's setting once its own is cleared: two more (leases from 1 s run to 2 s).
      await store.endpoints.update('acme', small.id, { maxInFlight: null }, at(1.6));
      expect((await claim(at(1.6), 50, 4)).map((j) => j.endpoint.id)).toEqual([small.id, small.id]);
    });

    // The tenant's attempts time out after 1 s: leasing ahead needs a grace of 2 s at least.
    const claimAhead = (now: Date, options: { owner?: string; limit?: number; cap?: number; leaseGraceMs?: number } = {}) =>
      store.queue.claim({ now, limit: options.limit ?? 50, maxInFlightPerEndpoint: options.cap ?? 2, leaseGraceMs: options.leaseGraceMs ?? 2000, owner: options.owner ?? 'wrk_test', leaseAhead: true });

    it('leases ahead up to twice an endpoint’s cap when the lease covers one wait, never a FIFO line’s or a rate-limited endpoint’s', async () => {
      const usual = await addEndpoint();
      const own = await addEndpoint({ maxInFlight: 3 });
      const line = await addEndpoint({ ordering: 'fifo' });
      const limited = await addEndpoint({ rateLimitPerSecond: 100 });
      for (let i = 0; i < 8; i++) await publish('bulk');
      const jobs = await claimAhead(at(1));
      const perEndpoint = (id: string) => jobs.filter((j) => j.endpoint.id === id).length;
      expect([perEndpoint(usual.id), perEndpoint(own.id), perEndpoint(line.id), perEndpoint(limited.id)]).toEqual([4, 6, 1, 2]);
      // Each lease covers its wait and its attempt: timeout + grace.
      expect(jobs.every((j) => j.leasedUntil === at(1).getTime() + 1000 + 2000)).toBe(true);
      // Full at twice the cap: nothing more until an attempt ends.
      expect(await claimAhead(at(1.1))).toEqual([]);
      await succeed(jobs.find((j) => j.endpoint.id === usual.id)!, at(1.2));
      expect((await claimAhead(at(1.2))).map((j) => j.endpoint.id)).toEqual([usual.id]);
    });

    it('leases ahead two caps when the lease covers two waits for a slot, one when it covers one', async () => {
      const endpoint = await addEndpoint();
      for (let i = 0; i < 10; i++) await publish('bulk');
      // Timeout 1 s: a grace of 2.9 s covers one wait of 1 s, the attempt and its record, not two.
      const jobs = await claimAhead(at(1), { leaseGraceMs: 2900 });
      expect(jobs).toHaveLength(4);
      await succeed(jobs[0]!, at(1.2));
      // A grace of 3 s covers two: up to six leased, three of them still in flight.
      expect((await claimAhead(at(1.3), { leaseGraceMs: 3000 })).map((j) => j.endpoint.id)).toEqual(Array(3).fill(endpoint.id));
      expect(await claimAhead(at(1.4), { leaseGraceMs: 3000 })).toEqual([]);
    });

    it('leases no more than the cap when a wait and an attempt could outlast the lease', async () => {
      const endpoint = await addEndpoint();
      for (let i = 0; i < 6; i++) await publish('bulk');
      const jobs = await claimAhead(at(1), { leaseGraceMs: 1500 });
      expect(jobs).toHaveLength(2);
      // With room in the grace, the same endpoint leases ahead again: three more beside the one left.
      await succeed(jobs[0]!, at(1.1));
      expect((await claimAhead(at(1.2))).map((j) => j.endpoint.id)).toEqual(Array(3).fill(endpoint.id));
    });

    it('leases no more than the cap for an endpoint in trouble, ahead again after a success', async () => {
      const endpoint = await addEndpoint();
      for (let i = 0; i < 8; i++) await publish('bulk');
      const [first] = await claimAhead(at(1), { limit: 1 });
      await fail(first!, at(1.1), at(1.1));
      // One failure since its last success: the cap, two.
      const capped = await claimAhead(at(1.2));
      expect(capped).toHaveLength(2);
      await succeed(capped[0]!, at(1.3));
      // Healthy again: up to four, one still in flight.
      expect((await claimAhead(at(1.4))).map((j) => j.endpoint.id)).toEqual(Array(3).fill(endpoint.id));
    });

    it('hands back deliveries leased and never attempted: waiting and due again, a retried one failed as before', async () => {
      const endpoint = await addEndpoint();
      for (let i = 0; i < 2; i++) await publish('bulk');
      const [retried] = await claimAhead(at(1), { limit: 1 });
      await fail(retried!, at(1.1), at(1.1));
      const jobs = await claimAhead(at(1.2));
      expect(jobs).toHaveLength(2);
      // Only the owner's own leases go back.
      expect(await store.queue.handBack(jobs.map((j) => j.delivery.id), 'wrk_other')).toBe(0);
      expect(await store.queue.handBack(jobs.map((j) => j.delivery.id), 'wrk_test')).toBe(2);
      const statuses = await Promise.all(jobs.map(async (j) => (await store.deliveries.get('acme', j.delivery.id))!.status));
      expect(statuses.sort()).toEqual(['failed', 'pending']);
      expect((await claimAhead(at(1.3))).map((j) => j.endpoint.id)).toEqual([endpoint.id, endpoint.id]);
    });

    it('leases ahead only while one claimer holds the endpoint’s leases: two claimers stay within its cap together', async (context) => {
      // On SQLite one process delivers, so no other claimer exists to check for.
      if (store.kind !== 'postgres') return context.skip();
      const endpoint = await addEndpoint();
      for (let i = 0; i < 12; i++) await publish('bulk');
      // Leases run 3 s (1 s timeout + 2 s grace). The claims are spaced so that no claimer steps
      // back for another that leased within the last second (claim.ts, stepsBack).
      const first = await claimAhead(at(1), { owner: 'wrk_a', limit: 1, cap: 4 });
      expect(first).toHaveLength(1);
      // Another claimer holds one: this one takes the cap's remaining three and no more.
      expect(await claimAhead(at(2.5), { owner: 'wrk_b', cap: 4 })).toHaveLength(3);
      expect(await claimAhead(at(3.6), { owner: 'wrk_a', cap: 4 })).toEqual([]);
      // Alone once the first one's attempt is recorded: it leases ahead, to eight.
      await succeed(first[0]!, at(3.7));
      expect((await claimAhead(at(3.8), { owner: 'wrk_b', cap: 4 })).map((j) => j.endpoint.id)).toEqual(Array(5).fill(endpoint.id));
      expect(await claimAhead(at(4.9), { owner: 'wrk_a', cap: 4 })).toEqual([]);
    });

    it('holds an endpoint at its cap: new work for it wakes no worker, and an attempt ending lets it go', async () => {
      const busy = await addEndpoint();
      for (let i = 0; i < 3; i++) await publish('bulk', { only: [busy.id] });
      const jobs = await claim(at(1), 10, 2); // the third waits for a slot: the endpoint is held
      expect(jobs).toHaveLength(2);
      let wakes = 0;
      const unsubscribe = store.queue.onWake(() => wakes++);
      try {
        await publish('bulk', { only: [busy.id], createdAt: at(1) });
        expect(wakes).toBe(0);
        expect(await claim(at(1.2), 10, 2)).toEqual([]);
        // The ending attempt frees a slot: its record says more is due, and the claim takes it.
        expect((await succeed(jobs[0]!, at(1.3))).moreDue).toBe(true);
        expect(await claim(at(1.3), 10, 2)).toHaveLength(1);
        expect(wakes).toBe(0);
        // An idle endpoint gets a wake-up with its new work.
        const idle = await addEndpoint();
        await publish('single', { only: [idle.id], createdAt: at(1.4) });
        expect(wakes).toBeGreaterThan(0);
      } finally {
        unsubscribe();
      }
    });

    it('tells the claimer when work it left on an endpoint falls due later', async () => {
      const endpoint = await addEndpoint();
      await publish('now', { only: [endpoint.id], createdAt: at(1) });
      await publish('later', { only: [endpoint.id], createdAt: at(2) });
      const later: Date[] = [];
      const jobs = await store.queue.claim({ now: at(1.5), limit: 10, maxInFlightPerEndpoint: 16, leaseGraceMs: 0, owner: 'wrk_test', onDueLater: (when) => later.push(when) });
      expect(jobs.map((job) => job.event.type)).toEqual(['now']);
      expect(later.map((when) => when.toISOString())).toEqual([at(2).toISOString()]);
    });

    it('records an attempt and claims the slot it frees in one call', async () => {
      const endpoint = await addEndpoint();
      for (const type of ['first', 'second', 'third']) await publish(type, { only: [endpoint.id] });
      const [first] = await claim(at(1), 10, 1);
      expect(first!.event.type).toBe('first');
      const moreDue: number[] = [];
      const { outcomes, jobs } = await store.queue.recordAndClaim(
        [
          {
            deliveryId: first!.delivery.id,
            attempt: { number: 1, startedAt: at(1), durationMs: 5, statusCode: 200, responseBody: 'ok', error: null, requestHeaders: {} },
            verdict: { kind: 'succeeded' },
            endpointHealth: 'success',
            autoDisableAfterFailures: 3,
            now: at(2),
          },
        ],
        { now: at(2), limit: 10, maxInFlightPerEndpoint: 1, leaseGraceMs: 0, owner: 'wrk_test', onMoreDue: () => moreDue.push(1) },
      );
      // The endpoint's one slot went to the next delivery; the third waits for it to end.
      expect(jobs.map((job) => job.event.type)).toEqual(['second']);
      expect(outcomes).toEqual([{ endpointDisabled: null, moreDue: false, dueLaterAt: null, operational: [] }]);
      expect(moreDue).toEqual([]);
      expect((await store.deliveries.get('acme', first!.delivery.id))!.status).toBe('succeeded');
      expect(await claim(at(2), 10, 1)).toEqual([]);
    });

    it('claims, with a record, work its record found due that the claim request is older than', async () => {
      // The request is made when the engine starts its record; a publish may commit before the
      // record runs. Whatever the record finds due must be claimed or reported, never dropped.
      const endpoint = await addEndpoint();
      await publish('first', { only: [endpoint.id], createdAt: at(1) });
      const [first] = await claim(at(1), 10);
      await publish('second', { only: [endpoint.id], createdAt: at(3) });
      const moreDue: number[] = [];
      const { outcomes, jobs } = await store.queue.recordAndClaim(
        [{ deliveryId: first!.delivery.id, attempt: { number: 1, startedAt: at(1), durationMs: 5, statusCode: 200, responseBody: 'ok', error: null, requestHeaders: {} }, verdict: { kind: 'succeeded' }, endpointHealth: 'success', autoDisableAfterFailures: 3, now: at(4) }],
        { now: at(2), limit: 10, maxInFlightPerEndpoint: 16, leaseGraceMs: 0, owner: 'wrk_test', onMoreDue: () => moreDue.push(1) },
      );
      const told = jobs.some((job) => job.event.type === 'second') || moreDue.length > 0 || outcomes.some((outcome) => outcome.moreDue);
      expect(told).toBe(true);
    });

    it('records attempts: retry later, then success, oldest attempt first', async () => {
      await addEndpoint();
      const { deliveries } = await publish('chat.message');
      const [first] = await claim(at(1));
      // The record itself tells the engine when to come back for the retry.
      expect((await fail(first!, at(1), at(60))).dueLaterAt?.toISOString()).toBe(at(60).toISOString());
      expect(await claim(at(30))).toEqual([]);
      expect((await store.queue.nextDueAt())?.toISOString()).toBe(at(60).toISOString());
      const [second] = await claim(at(61));
      expect(second!.attemptsInRun).toBe(1);
      await succeed(second!, at(61));
      const delivery = await store.deliveries.get('acme', deliveries[0]!.id);
      expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 2, nextAttemptAt: null });
      const attempts = await store.deliveries.attempts(deliveries[0]!.id);
      expect(attempts.map((a) => [a.number, a.statusCode])).toEqual([[1, 500], [2, 200]]);
      expect(attempts[0]!.requestHeaders).toEqual({ a: 'b' });
    });

    it('disables an endpoint after consecutive failures and resets the count on success', async () => {
      const endpoint = await addEndpoint();
      for (let i = 0; i < 3; i++) await publish('chat.message');
      const jobs = await claim(at(1));
      await fail(jobs[0]!, at(1), at(100));
      await succeed(jobs[1]!, at(1));
      expect((await store.endpoints.get('acme', endpoint.id))!.consecutiveFailures).toBe(0);
      await fail(jobs[2]!, at(2), at(100));
      for (let i = 0; i < 2; i++) await publish('chat.message');
      const more = await claim(at(3));
      await fail(more[0]!, at(3), at(100));
      const outcome = await fail(more[1]!, at(3), at(100));
      expect(outcome.endpointDisabled).toMatchObject({ endpointId: endpoint.id, tenantId: 'acme' });
      expect(await store.endpoints.get('acme', endpoint.id)).toMatchObject({ status: 'disabled', consecutiveFailures: 3 });
    });

    it('re-sends failed and dead deliveries with a fresh run, attempt numbers going on', async () => {
      const endpoint = await addEndpoint();
      const { deliveries } = await publish('chat.message');
      const [job] = await claim(at(1));
      await fail(job!, at(1), null);
      expect((await store.deliveries.get('acme', deliveries[0]!.id))!.status).toBe('dead');
      expect(await store.deliveries.requeue('acme', { endpointId: endpoint.id, failedOnly: true }, 3, at(5))).toBe(1);
      const delivery = await store.deliveries.get('acme', deliveries[0]!.id);
      expect(delivery).toMatchObject({ status: 'pending', attemptCount: 1, maxAttempts: 4 });
      const [again] = await claim(at(5));
      expect(again).toMatchObject({ attemptsInRun: 0, delivery: { attemptCount: 1 } });
    });

    it('recovers only deliveries created at or after `since`', async () => {
      const endpoint = await addEndpoint();
      await publish('old', { createdAt: at(0) });
      await publish('new', { createdAt: at(100) });
      for (const job of await claim(at(200))) await fail(job, at(200), null);
      expect(await store.deliveries.requeue('acme', { endpointId: endpoint.id, since: at(100) }, 3, at(300))).toBe(1);
    });

    it('summarises attempts per endpoint and time bucket, without test sends or other tenants', async () => {
      const a = await addEndpoint();
      const b = await addEndpoint();
      const hour = 3_600_000;
      await publish('chat.message', { only: [a.id] });
      await publish('chat.message', { only: [a.id] });
      await publish('chat.message', { only: [b.id] });
      const jobs = await claim(at(1));
      const [a1, a2] = jobs.filter((j) => j.endpoint.id === a.id);
      const [b1] = jobs.filter((j) => j.endpoint.id === b.id);
      await succeed(a1!, at(1));
      await fail(a2!, at(2), at(hour / 1000 + 10));
      await fail(b1!, at(3), null);
      const [retry] = await claim(at(hour / 1000 + 10));
      await succeed(retry!, at(hour / 1000 + 10));
      // T0 is on the hour: the first three attempts share a bucket, the retry is in the next.
      const stats = await store.deliveries.stats('acme', T0, at(2 * 3600), hour);
      expect(stats.map((s) => [s.endpointId, s.bucketStart.toISOString(), s.attempts, s.succeeded, s.maxLatencyMs])).toEqual(
        [
          [a.id, T0.toISOString(), 2, 1, 5],
          [a.id, at(3600).toISOString(), 1, 1, 5],
          [b.id, T0.toISOString(), 1, 0, 5],
        ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      );
      expect(stats[0]!.avgLatencyMs).toBe(5);
      expect(await store.deliveries.stats('acme', at(3600 * 3), at(3600 * 4), hour)).toEqual([]);
      expect(await store.deliveries.stats('other', T0, at(2 * 3600), hour)).toEqual([]);
    });

    it('counts deliveries by outcome per creation-time bucket', async () => {
      const hour = 3_600_000;
      await addEndpoint();
      await publish('chat.message', { createdAt: at(0) });
      await publish('chat.message', { createdAt: at(10) });
      await publish('chat.message', { createdAt: at(20) });
      await publish('chat.message', { createdAt: at(3600 + 5) });
      const jobs = await claim(at(30), 2);
      await succeed(jobs[0]!, at(30));
      await fail(jobs[1]!, at(31), null);
      const stats = await store.deliveries.outcomeStats(T0, at(2 * 3600), hour);
      expect(stats.map((s) => [s.bucketStart.toISOString(), s.succeeded, s.failed, s.pending])).toEqual([
        [T0.toISOString(), 1, 1, 1],
        [at(3600).toISOString(), 0, 0, 1],
      ]);
      expect(await store.deliveries.outcomeStats(at(3600 * 3), at(3600 * 4), hour)).toEqual([]);
      await expect(store.deliveries.outcomeStats(T0, at(10), 1.5)).rejects.toThrow(RangeError);
    });

    it('frees leases whose worker died', async () => {
      await addEndpoint();
      await publish('chat.message');
      expect(await store.queue.nextLeaseExpiry()).toBeNull();
      await claim(at(1));
      expect((await store.queue.nextLeaseExpiry())?.toISOString()).toBe(at(2).toISOString());
      expect(await store.queue.releaseExpiredLeases(at(1.5))).toBe(0);
      expect(await store.queue.releaseExpiredLeases(at(5))).toBe(1);
      expect(await store.queue.nextLeaseExpiry()).toBeNull();
      expect(await claim(at(5))).toHaveLength(1);
    });

    it('filters the delivery log by outcome, type and creation time', async () => {
      await addEndpoint();
      await publish('a.one', { createdAt: at(0) });
      await publish('a.two', { createdAt: at(10) });
      const [job] = await claim(at(20), 1);
      await succeed(job!, at(20));
      expect((await store.deliveries.list('acme', { outcome: 'succeeded' }, { limit: 10 })).data).toHaveLength(1);
      expect((await store.deliveries.list('acme', { outcome: 'pending' }, { limit: 10 })).data).toHaveLength(1);
      expect((await store.deliveries.list('acme', { eventType: 'a.two' }, { limit: 10 })).data).toHaveLength(1);
      expect((await store.deliveries.list('acme', { from: at(10), to: at(10) }, { limit: 10 })).data).toHaveLength(1);
      const firstPage = await store.deliveries.list('acme', {}, { limit: 1 });
      const secondPage = await store.deliveries.list('acme', {}, { limit: 1, cursor: firstPage.nextCursor! });
      expect(secondPage.data[0]!.id < firstPage.data[0]!.id).toBe(true);
      expect(secondPage.nextCursor).toBeNull();
    });

    it('holds an endpoint to its rate limit: a burst of that many, then one per token', async () => {
      await addEndpoint({ rateLimitPerSecond: 2 });
      for (let i = 0; i < 5; i++) await publish('chat.message');
      const deferredTo: Date[] = [];
      const claimLimited = (now: Date) =>
        store.queue.claim({ now, limit: 10, maxInFlightPerEndpoint: 16, leaseGraceMs: 10_000, owner: 'wrk_test', onDueLater: (next) => deferredTo.push(next) });
      expect(await claimLimited(at(1))).toHaveLength(2);
      // The endpoint waits for its next token (½ s at 2/s) and the caller is told when that is.
      expect(deferredTo.map((d) => d.toISOString())).toEqual([at(1.5).toISOString()]);
      expect((await store.queue.nextDueAt())?.toISOString()).toBe(at(1.5).toISOString());
      expect(await claimLimited(at(1.2))).toHaveLength(0);
      expect(await claimLimited(at(1.5))).toHaveLength(1);
      // A full second refills two tokens, never more than the burst.
      expect(await claimLimited(at(10))).toHaveLength(2);
      expect(await store.queue.depth()).toBe(5);
    });

    it('does not limit endpoints without a rate limit, nor let a limited one hold others back', async () => {
      const limited = await addEndpoint({ rateLimitPerSecond: 1 });
      const free = await addEndpoint();
      for (let i = 0; i < 3; i++) await publish('chat.message');
      const jobs = await claim(at(1));
      expect(jobs.filter((j) => j.endpoint.id === limited.id)).toHaveLength(1);
      expect(jobs.filter((j) => j.endpoint.id === free.id)).toHaveLength(3);
    });

    it('counts events against a quota per period, atomically, and refuses past it storing nothing', async () => {
      await addEndpoint();
      const day = new Date('2026-05-28T00:00:00.000Z');
      const quota = { limit: 2, periodStart: day };
      expect((await publish('a', { quota })).quotaUsed).toBe(1);
      expect((await publish('a', { quota })).quotaUsed).toBe(2);
      await expect(publish('a', { quota })).rejects.toMatchObject({ code: 'quota_exceeded' });
      expect(await settledPoll({ after: null, limit: 10 }, 2)).toHaveLength(2);
      expect(await store.queue.depth()).toBe(2);
      // Events outside the quota (Herald's own) are not counted; a new period starts from zero.
      expect((await publish('quota.exceeded')).quotaUsed).toBeNull();
      expect((await publish('a', { quota: { limit: 2, periodStart: new Date('2026-05-29T00:00:00.000Z') } })).quotaUsed).toBe(1);
      // Concurrent publishes never overshoot the limit.
      const racing = await Promise.allSettled(Array.from({ length: 6 }, () => publish('b', { quota: { limit: 4, periodStart: at(-86_400) } })));
      expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    });

    it('answers concurrent publishes of one tenant as each alone, in turn, would be: outcomes, keys, quota counts', async () => {
      const endpoint = await addEndpoint();
      const periodStart = at(-3 * 86_400);
      // Sixteen publishes at once, two events each; neighbours share the first event's key.
      const race = async (round: number, limit: number) => {
        const settled = await Promise.allSettled(
          Array.from({ length: 16 }, (_, i) => publishBatch([{ type: 'p', idempotencyKey: `r${round}k${i >> 1}` }, { type: 'p' }], { limit, periodStart })),
        );
        for (const s of settled) if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'quota_exceeded' });
        return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      };
      const roomy = await race(1, 1000);
      expect(roomy).toHaveLength(16);
      const used = Math.max(...roomy.map((r) => r.quotaUsed!));
      expect(used).toBe(24); // 8 keys once, 16 unkeyed events
      // Past the limit halfway: some are refused, storing nothing.
      const tight = await race(2, used + 9);
      expect(tight.length).toBeGreaterThan(0);
      expect(tight.length).toBeLessThan(16);
      const answered = [...roomy, ...tight];

      // Each publish owns the range (used - created, used] of the count: together they tile 1..total.
      const ranges = answered.map(({ outcomes, quotaUsed }) => [quotaUsed! - outcomes.filter((o) => o.created).length, quotaUsed!] as const).sort((a, b) => a[0] - b[0]);
      ranges.forEach(([from], i) => expect(from).toBe(i === 0 ? 0 : ranges[i - 1]![1]));
      const total = ranges.at(-1)![1];
      expect(total).toBeLessThanOrEqual(used + 9);
      expect(await store.queue.depth()).toBe(total);

      // A key is created once; every other publish naming it gets that event back, with no delivery.
      const byKey = new Map<string, Array<{ created: boolean; id: string }>>();
      for (const { outcomes } of answered) {
        const key = outcomes[0]!.event.idempotencyKey!;
        byKey.set(key, [...(byKey.get(key) ?? []), { created: outcomes[0]!.created, id: outcomes[0]!.event.id }]);
        for (const outcome of outcomes) expect(outcome.deliveries.map((d) => d.endpointId)).toEqual(outcome.created ? [endpoint.id] : []);
      }
      for (const seen of byKey.values()) {
        expect(seen.filter((s) => s.created)).toHaveLength(1);
        expect(new Set(seen.map((s) => s.id)).size).toBe(1);
      }
    });

    it('answers concurrent publishes of many tenants as each alone would be: their own events, deliveries, keys and quotas', async () => {
      const tenants = ['acme', 'beta', 'gamma'];
      for (const id of tenants.slice(1)) await store.tenants.create({ id, name: id, settings: defaultTenantSettings(), createdAt: T0 });
      const endpointOf = new Map<string, string>();
      for (const tenantId of tenants) endpointOf.set(tenantId, (await addEndpoint({ tenantId })).id);
      const periodStart = at(-5 * 86_400);
      const publishOf = (tenantId: string, round: number, i: number, limit: number | undefined) =>
        store.events.publish({
          tenantId,
          items: [`r${round}k${i >> 1}`, null].map((idempotencyKey) => ({
            event: { id: ids.next('evt'), tenantId, type: 'p', createdAt: T0, data: { tenantId, i }, idempotencyKey },
            deliveries: [{ id: ids.next('dlv'), endpointId: endpointOf.get(tenantId)! }],
          })),
          maxAttempts: 3,
          ...(limit === undefined ? {} : { quota: { limit, periodStart } }),
        });
      // Eight publishes of each tenant at once, two events each, the keys the same in every tenant;
      // gamma has no quota. First with room everywhere, then with beta's quota running out midway.
      const race = async (round: number, limits: Record<string, number | undefined>) => {
        const calls = Array.from({ length: 8 }, (_, i) => tenants.map((tenantId) => ({ tenantId, answer: publishOf(tenantId, round, i, limits[tenantId]) }))).flat();
        const settled = await Promise.allSettled(calls.map((call) => call.answer));
        return tenants.map((tenantId) => settled.filter((_, c) => calls[c]!.tenantId === tenantId));
      };
      const roomy = await race(1, { acme: 1000, beta: 1000, gamma: undefined });
      const tight = await race(2, { acme: 1000, beta: 12 + 6, gamma: undefined });

      for (const [t, tenantId] of tenants.entries()) {
        const mine = [...roomy[t]!, ...tight[t]!];
        for (const s of mine) if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'quota_exceeded' });
        const answered = mine.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
        // beta's second twelve events cannot all fit in its quota: some of its publishes are refused, no one else's.
        expect(answered.length < 16).toBe(tenantId === 'beta');
        expect(answered.length).toBeGreaterThan(8);
        const outcomes = answered.flatMap((a) => a.outcomes);
        for (const outcome of outcomes) {
          expect(outcome.event.tenantId).toBe(tenantId);
          expect(outcome.deliveries.map((d) => [d.tenantId, d.endpointId])).toEqual(outcome.created ? [[tenantId, endpointOf.get(tenantId)]] : []);
        }
        // Each key once per tenant, whatever the other tenants did with the same key.
        const created = outcomes.filter((o) => o.created);
        const keyed = created.filter((o) => o.event.idempotencyKey !== null);
        expect(new Set(keyed.map((o) => o.event.idempotencyKey)).size).toBe(keyed.length);
        expect((await store.events.poll(tenantId, { after: null, limit: 100 })).length).toBe(created.length);
        if (tenantId === 'gamma') {
          expect(answered.every((a) => a.quotaUsed === null)).toBe(true);
          continue;
        }
        // Each publish owns the range (used - created, used] of its tenant's count: together they tile 1..total.
        const ranges = answered.map(({ outcomes: o, quotaUsed }) => [quotaUsed! - o.filter((x) => x.created).length, quotaUsed!] as const).sort((a, b) => a[0] - b[0]);
        ranges.forEach(([from], i) => expect(from).toBe(i === 0 ? 0 : ranges[i - 1]![1]));
        expect(ranges.at(-1)![1]).toBe(created.length);
      }
    });

    it('counts concurrent publishes of one tenant under two quotas (a period ending) each in its own period', async () => {
      await addEndpoint();
      const day = (n: number) => ({ limit: 100, periodStart: new Date(Date.UTC(2026, 4, 20 + n)) });
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => publish('p', { quota: day(i % 2) })));
      for (const n of [0, 1]) {
        const counts = answers.filter((_, i) => i % 2 === n).map((answer) => answer.quotaUsed).sort((a, b) => a! - b!);
        expect(counts).toEqual([1, 2, 3, 4, 5, 6]);
      }
    });

    it('prunes events older than a cutoff with their deliveries and attempts, in batches', async () => {
      await addEndpoint();
      const old = [];
      for (let i = 0; i < 3; i++) old.push(await publish('old', { createdAt: at(i) }));
      const recent = await publish('recent', { createdAt: at(1000) });
      for (const job of await claim(at(2000))) await fail(job, at(2000), null);
      const oldDelivery = old[0]!.deliveries[0]!.id;
      expect(await store.deliveries.attempts(oldDelivery)).toHaveLength(1);

      expect(await store.events.pruneOlderThan('acme', at(500), 2)).toBe(2);
      expect(await store.events.pruneOlderThan('acme', at(500), 2)).toBe(1);
      expect(await store.events.pruneOlderThan('acme', at(500), 2)).toBe(0);
      expect((await settledPoll({ after: null, limit: 10 }, 1)).map((e) => e.id)).toEqual([recent.event.id]);
      expect(await store.deliveries.get('acme', oldDelivery)).toBeNull();
      expect(await store.deliveries.attempts(oldDelivery)).toEqual([]);
      expect((await store.deliveries.list('acme', {}, { limit: 10 })).data.map((d) => d.eventId)).toEqual([recent.event.id]);
      // Another tenant's old events are its own retention's business.
      expect(await store.events.pruneOlderThan('other', at(5000), 10)).toBe(0);
    });

    it('deletes a tenant with everything it owns', async () => {
      await addEndpoint();
      await publish('chat.message');
      expect(await store.tenants.delete('acme')).toBe(true);
      expect(await store.tenants.get('acme')).toBeNull();
      expect(await store.queue.depth()).toBe(0);
    });

    orderingConformance({ store: () => store, at, addEndpoint, publish, claim, succeed, fail });

    it('repairs lost schedules of endpoints with waiting deliveries, unordered and FIFO alike, and only those', async () => {
      const lost = await addEndpoint();
      const lostLine = await addEndpoint({ ordering: 'fifo' });
      const intact = await addEndpoint();
      await addEndpoint(); // nothing waiting for it
      await publish('order.created', { only: [lost.id, lostLine.id, intact.id] });
      await publish('order.paid', { only: [lost.id, lostLine.id] });
      await tampering.loseSchedules(store, [lost.id, lostLine.id]);

      const before = await claim(at(1));
      expect(before.map((job) => job.endpoint.id)).toEqual([intact.id]);
      expect(await store.queue.repairSchedules()).toBe(2);
      const after = await claim(at(1));
      // Both of the unordered endpoint's deliveries; the line's head only.
      expect(after.map((job) => `${job.endpoint.id} ${job.event.type}`).sort()).toEqual(
        [`${lost.id} order.created`, `${lost.id} order.paid`, `${lostLine.id} order.created`].sort(),
      );
      // Nothing left behind: a second repair finds nothing to do.
      expect(await store.queue.repairSchedules()).toBe(0);
    });

    // A publish of more deliveries than SQLite inserts before answering (sql/fan-out.ts): the
    // store keeps every promise it makes for a small one.
    const LARGE_FAN_OUT = 80;
    const addEndpoints = async (count: number, overrides: Partial<Endpoint> = {}) => {
      const added = [];
      for (let i = 0; i < count; i++) added.push(await addEndpoint(overrides));
      return added;
    };

    it('lists, counts and claims every delivery of a large fan-out as soon as the publish answers', async () => {
      await addEndpoints(LARGE_FAN_OUT);
      const { deliveries } = await publish('chat.message');
      expect(deliveries).toHaveLength(LARGE_FAN_OUT);
      const listed = await store.deliveries.list('acme', {}, { limit: 250 });
      expect(listed.data.map((d) => d.id).sort()).toEqual(deliveries.map((d) => d.id).sort());
      expect(await store.deliveries.get('acme', deliveries[LARGE_FAN_OUT - 1]!.id)).toMatchObject({ status: 'pending' });
      expect((await store.queue.gauges()).deliveries.pending).toBe(LARGE_FAN_OUT);
      expect((await store.queue.nextDueAt())?.toISOString()).toBe(T0.toISOString());
      // A claim looks at a bounded number of endpoints; the next ones take the rest.
      const claimed: DeliveryJob[] = [];
      for (let round = 0; round < 4; round++) claimed.push(...(await claim(at(1), 200)));
      expect(claimed.map((job) => job.delivery.id).sort()).toEqual(deliveries.map((d) => d.id).sort());
    });

    it('keeps publish order on a FIFO endpoint across a large fan-out and the small publishes after it', async () => {
      const [fifo] = await addEndpoints(1, { ordering: 'fifo' });
      await addEndpoints(LARGE_FAN_OUT);
      await publish('e1');
      await publish('e2', { only: [fifo!.id] });
      await publish('e3', { only: [fifo!.id] });
      // A claim takes at most 64 endpoints on PostgreSQL, and the 81 are due at the same moment:
      // the line may come in the claim after.
      const claimLine = async (now: Date) => {
        for (let round = 0; round < 3; round++) {
          const job = (await claim(now, 200)).find((j) => j.endpoint.id === fifo!.id);
          if (job) return job;
        }
        throw new Error('the FIFO endpoint was never claimed');
      };
      const seen: string[] = [];
      for (let t = 1; t <= 3; t++) {
        const job = await claimLine(at(t));
        seen.push(job.event.type);
        await succeed(job, at(t));
      }
      expect(seen).toEqual(['e1', 'e2', 'e3']);
    });

    it("keeps a FIFO endpoint's order when the next claim rides on a record, straight after a large fan-out", async () => {
      const [fifo] = await addEndpoints(1, { ordering: 'fifo' });
      await addEndpoints(LARGE_FAN_OUT);
      await publish('e0', { only: [fifo!.id] });
      const [head] = await claim(at(1), 10);
      await publish('e1');
      await publish('e2', { only: [fifo!.id] });
      const { jobs } = await store.queue.recordAndClaim(
        [{ deliveryId: head!.delivery.id, attempt: { number: 1, startedAt: at(1), durationMs: 5, statusCode: 200, responseBody: 'ok', error: null, requestHeaders: {} }, verdict: { kind: 'succeeded' }, endpointHealth: 'success', autoDisableAfterFailures: 3, now: at(2) }],
        { now: at(2), limit: 200, maxInFlightPerEndpoint: 16, leaseGraceMs: 0, owner: 'wrk_test' },
      );
      // Whatever that claim found of the line, it starts at e1.
      const line = jobs.filter((job) => job.endpoint.id === fifo!.id).map((job) => job.event.type);
      for (let round = 0; line.length === 0 && round < 4; round++) {
        line.push(...(await claim(at(2), 200)).filter((job) => job.endpoint.id === fifo!.id).map((job) => job.event.type));
      }
      expect(line).toEqual(['e1']);
    });

    it('makes no delivery for an endpoint deleted, or an event pruned, right after a large fan-out', async () => {
      const endpoints = await addEndpoints(LARGE_FAN_OUT);
      await publish('chat.message', { createdAt: at(0) });
      const kept = await publish('chat.message', { createdAt: at(100) });
      expect(await store.endpoints.delete('acme', endpoints[0]!.id)).toBe(true);
      expect(await store.events.pruneOlderThan('acme', at(50), 10)).toBe(1);
      const listed = await store.deliveries.list('acme', {}, { limit: 250 });
      expect(listed.data).toHaveLength(LARGE_FAN_OUT - 1);
      expect(listed.data.every((d) => d.eventId === kept.event.id && d.endpointId !== endpoints[0]!.id)).toBe(true);
    });

    it('deletes a tenant right after a large fan-out, and publishes on for the others', async () => {
      await addEndpoints(LARGE_FAN_OUT);
      await publish('chat.message');
      expect(await store.tenants.delete('acme')).toBe(true);
      expect(await store.queue.depth()).toBe(0);
      await store.tenants.create({ id: 'acme', name: 'Acme again', settings: defaultTenantSettings(), createdAt: T0 });
      await addEndpoints(LARGE_FAN_OUT);
      await publish('chat.message');
      expect(await store.queue.depth()).toBe(LARGE_FAN_OUT);
    });

    // Credential lifecycle and the operator's trail (0005-credential-lifecycle) ------------

    const addCredential = (id: string, overrides: Partial<Parameters<Store['credentials']['create']>[0]> = {}) =>
      store.credentials.create({
        id,
        tenantId: 'acme',
        kind: 'api_key',
        name: null,
        prefix: 'htk_abc',
        expiresAt: null,
        createdAt: T0,
        lastUsedAt: null,
        hash: `hash-of-${id}`,
        ...overrides,
      });

    it('lists live credentials of one kind and tenant, and revokes them for good', async () => {
      await store.tenants.create({ id: 'other', name: 'Other', settings: defaultTenantSettings(), createdAt: T0 });
      await addCredential('key_1', { name: 'ci' });
      await addCredential('key_2', { expiresAt: at(60) });
      await addCredential('key_3', { tenantId: 'other' });
      await addCredential('ptk_1', { kind: 'portal', expiresAt: at(3600) });
      const listed = await store.credentials.list('acme', 'api_key', at(1), { limit: 10 });
      expect(listed.data.map((c) => [c.id, c.name, c.prefix])).toEqual([['key_1', 'ci', 'htk_abc'], ['key_2', null, 'htk_abc']]);
      // Expired ones are not live: not listed, not revocable.
      expect((await store.credentials.list('acme', 'api_key', at(61), { limit: 10 })).data.map((c) => c.id)).toEqual(['key_1']);
      expect(await store.credentials.revoke('acme', 'api_key', 'key_2', at(61))).toBe(false);
      // Revocation is scoped by tenant and kind, and happens once.
      expect(await store.credentials.revoke('acme', 'api_key', 'key_3', at(1))).toBe(false);
      expect(await store.credentials.revoke('acme', 'api_key', 'ptk_1', at(1))).toBe(false);
      expect(await store.credentials.revoke('acme', 'api_key', 'key_1', at(1))).toBe(true);
      expect(await store.credentials.revoke('acme', 'api_key', 'key_1', at(1))).toBe(false);
      expect(await store.credentials.findByHash('hash-of-key_1')).toBeNull();
      expect((await store.credentials.findByHash('hash-of-key_3'))?.tenantId).toBe('other');
      expect([...(await store.credentials.live(['key_1', 'key_2', 'key_3', 'ptk_1', 'nope'], at(61)))].sort()).toEqual(['key_3', 'ptk_1']);
      expect((await store.credentials.list('acme', 'portal', at(1), { limit: 10 })).data.map((c) => c.id)).toEqual(['ptk_1']);
    });

    it('pages credentials and keeps the newest last use', async () => {
      for (const n of [1, 2, 3]) await addCredential(`key_${n}`);
      const first = await store.credentials.list('acme', 'api_key', T0, { limit: 2 });
      expect(first.data.map((c) => c.id)).toEqual(['key_1', 'key_2']);
      const second = await store.credentials.list('acme', 'api_key', T0, { limit: 2, cursor: first.nextCursor! });
      expect(second).toEqual({ data: [expect.objectContaining({ id: 'key_3' })], nextCursor: null });
      await store.credentials.touch(new Map([['key_1', at(10)], ['key_2', at(5)]]));
      await store.credentials.touch(new Map([['key_1', at(7)]]));
      const used = await store.credentials.list('acme', 'api_key', T0, { limit: 10 });
      expect(used.data.map((c) => c.lastUsedAt?.toISOString() ?? null)).toEqual([at(10).toISOString(), at(5).toISOString(), null]);
    });

    it('holds at most `limit` stream places per credential, freeing closed and expired ones', async () => {
      await addCredential('key_1');
      await addCredential('key_2', { hash: 'other-hash' });
      const open = (stream: string, now: Date, credential = 'key_1') => store.credentials.openStream(credential, stream, 2, now, new Date(now.getTime() + 15_000));
      expect(await open('stm_1', T0)).toBe(true);
      expect(await open('stm_2', T0)).toBe(true);
      expect(await open('stm_3', T0)).toBe(false);
      expect(await open('stm_4', T0, 'key_2')).toBe(true);
      await store.credentials.closeStream('stm_1');
      expect(await open('stm_5', T0)).toBe(true);
      // stm_2's lease is renewed, stm_5's runs out: its place is free again.
      await store.credentials.renewStreams(['stm_2'], at(60));
      expect(await open('stm_6', at(20))).toBe(true);
      expect(await open('stm_7', at(20))).toBe(false);
      // Concurrent opens never share out more places than there are.
      const raced = await Promise.all(['a', 'b', 'c', 'd'].map((n) => store.credentials.openStream('key_2', `stm_${n}`, 3, T0, at(15))));
      expect(raced.filter(Boolean)).toHaveLength(2);
    });

    it("keeps the operator's trail apart from tenants, newest first, after the tenant is gone", async () => {
      const entry = (id: string) => ({ id, actor: 'admin' as const, action: 'tenant.created', targetType: 'tenant' as const, targetId: 'acme', details: { name: 'Acme' }, createdAt: T0 });
      await store.audit.appendOperator(entry('aud_1'));
      await store.audit.appendOperator(entry('aud_2'));
      await store.audit.appendOperator(entry('aud_3'));
      await store.tenants.delete('acme');
      const first = await store.audit.listOperator({ limit: 2 });
      expect(first.data.map((e) => e.id)).toEqual(['aud_3', 'aud_2']);
      expect(first.data[0]).toEqual(entry('aud_3'));
      expect((await store.audit.listOperator({ limit: 2, cursor: first.nextCursor! })).data.map((e) => e.id)).toEqual(['aud_1']);
    });
  });
}
