import { expect, it } from 'vitest';
import type { Endpoint } from '../domain/endpoint.js';
import type { DeliveryJob, PublishOutcome, RecordOutcome, Store } from './store.js';

/** What the ordering cases need of the main suite (conformance.ts): its store and its helpers. */
export interface QueueHarness {
  store(): Store;
  at(seconds: number): Date;
  addEndpoint(overrides?: Partial<Endpoint>): Promise<Endpoint>;
  publish(type: string, options?: { createdAt?: Date; only?: string[] }): Promise<PublishOutcome>;
  claim(now: Date, limit?: number, maxInFlightPerEndpoint?: number): Promise<DeliveryJob[]>;
  succeed(job: DeliveryJob, now: Date): Promise<RecordOutcome>;
  fail(job: DeliveryJob, now: Date, retryAt: Date | null): Promise<RecordOutcome>;
}

/**
 * FIFO endpoints (design: "Ordered endpoints"), in the store conformance suite: the line is
 * publish order, one attempt in flight, a retrying head holds the rest back, a dead one lets
 * the next go, a re-send goes back to its place, test sends stand outside the line. Leases
 * last 1 s here (attemptTimeoutMs 1000, no grace).
 */
export function orderingConformance(h: QueueHarness): void {
  const { at, claim, succeed, fail } = h;
  const eventsOf = (jobs: DeliveryJob[]) => jobs.map((job) => job.event.type);
  const publishEach = async (types: string[], endpoint: Endpoint) => {
    for (const type of types) await h.publish(type, { only: [endpoint.id] });
  };
  let tests = 0;
  /** A test send as the API makes one: an unscheduled delivery, claimed at once. */
  const testSend = async (endpoint: Endpoint, now: Date) => {
    const n = ++tests;
    const { outcomes } = await h.store().events.publish({
      tenantId: 'acme',
      items: [{ event: { id: `evt_test${n}`, tenantId: 'acme', type: 'webhook.test', createdAt: now, data: {}, idempotencyKey: null }, deliveries: [{ id: `dlv_test${n}`, endpointId: endpoint.id }] }],
      maxAttempts: 1,
      isTest: true,
    });
    return h.store().queue.claimOne('acme', outcomes[0]!.deliveries[0]!.id, now, 0, 'wrk_test');
  };

  it('FIFO: one delivery at a time, in publish order, whatever their due times', async () => {
    const fifo = await h.addEndpoint({ ordering: 'fifo' });
    expect(fifo.ordering).toBe('fifo');
    // Published first but due later: the line waits for it rather than sending the second.
    await h.publish('e1', { createdAt: at(5) });
    await h.publish('e2', { createdAt: at(0) });
    await h.publish('e3', { createdAt: at(0) });
    expect(await claim(at(1))).toEqual([]);
    expect((await h.store().queue.nextDueAt())?.toISOString()).toBe(at(5).toISOString());

    const seen: string[] = [];
    for (let t = 5; t < 8; t++) {
      const jobs = await claim(at(t));
      expect(jobs).toHaveLength(1);
      expect(await claim(at(t))).toEqual([]); // one in flight
      seen.push(...eventsOf(jobs));
      expect((await succeed(jobs[0]!, at(t))).moreDue).toBe(t < 7);
    }
    expect(seen).toEqual(['e1', 'e2', 'e3']);
    expect(await h.store().queue.nextDueAt()).toBeNull();
  });

  it('FIFO: a retrying head holds the line back; once it is dead the next goes', async () => {
    const fifo = await h.addEndpoint({ ordering: 'fifo' });
    await publishEach(['e1', 'e2', 'e3'], fifo);
    const [first] = await claim(at(1));
    expect(eventsOf([first!])).toEqual(['e1']);
    expect((await fail(first!, at(1), at(60))).moreDue).toBe(false);
    expect(await claim(at(30))).toEqual([]);
    expect((await h.store().queue.nextDueAt())?.toISOString()).toBe(at(60).toISOString());

    const [again] = await claim(at(60));
    expect(again).toMatchObject({ event: { type: 'e1' }, attemptsInRun: 1 });
    expect((await fail(again!, at(60), null)).moreDue).toBe(true);
    expect(eventsOf(await claim(at(60)))).toEqual(['e2']);
  });

  it('FIFO: a re-sent delivery takes its original place, after the attempt in flight', async () => {
    const fifo = await h.addEndpoint({ ordering: 'fifo' });
    const { deliveries } = await h.publish('e1', { only: [fifo.id] });
    await publishEach(['e2', 'e3'], fifo);
    await fail((await claim(at(1)))[0]!, at(1), null);
    const [second] = await claim(at(2));
    expect(eventsOf([second!])).toEqual(['e2']);
    // Re-sent while e2 is in flight: it waits for that attempt, then goes before e3.
    expect(await h.store().deliveries.requeue('acme', { deliveryId: deliveries[0]!.id }, 3, at(2))).toBe(1);
    expect(await claim(at(2))).toEqual([]);
    await succeed(second!, at(2));
    const [resent] = await claim(at(3));
    expect(resent).toMatchObject({ event: { type: 'e1' }, delivery: { attemptCount: 1 } });
    await succeed(resent!, at(3));
    expect(eventsOf(await claim(at(3)))).toEqual(['e3']);
  });

  it('FIFO: a test send goes at once and is not in the line', async () => {
    const fifo = await h.addEndpoint({ ordering: 'fifo' });
    await publishEach(['e1', 'e2'], fifo);
    const [head] = await claim(at(1));
    await fail(head!, at(1), at(60));

    // The head is held back until 60 s; the test send goes now all the same, and leaves the line as it was.
    const early = await testSend(fifo, at(2));
    expect(early).toMatchObject({ event: { type: 'webhook.test' } });
    await fail(early!, at(2), null);
    expect(await claim(at(30))).toEqual([]);
    expect((await h.store().queue.nextDueAt())?.toISOString()).toBe(at(60).toISOString());

    // While a test send is in flight the line waits for it (one request at a time), then goes on.
    const late = await testSend(fifo, at(60));
    expect(await claim(at(60))).toEqual([]);
    expect((await succeed(late!, at(60))).moreDue).toBe(true);
    expect(eventsOf(await claim(at(60)))).toEqual(['e1']);
  });

  it('FIFO: a delivery whose lease ran out goes again before the rest of its line', async () => {
    const fifo = await h.addEndpoint({ ordering: 'fifo' });
    await publishEach(['e1', 'e2'], fifo);
    expect(eventsOf(await claim(at(1)))).toEqual(['e1']);
    // Its worker died: past the lease the line still waits for it, until the lease is freed.
    expect(await claim(at(5))).toEqual([]);
    expect(await h.store().queue.releaseExpiredLeases(at(5))).toBe(1);
    expect(eventsOf(await claim(at(5)))).toEqual(['e1']);
  });

  it('FIFO and unordered endpoints of one tenant do not hold each other back', async () => {
    const fifo = await h.addEndpoint({ ordering: 'fifo' });
    const plain = await h.addEndpoint();
    for (let i = 0; i < 5; i++) await h.publish(`e${i}`);
    const jobs = await claim(at(1), 10);
    const of = (list: DeliveryJob[], endpoint: Endpoint) => eventsOf(list.filter((job) => job.endpoint.id === endpoint.id));
    expect(of(jobs, fifo)).toEqual(['e0']);
    expect(of(jobs, plain)).toHaveLength(5);
    // The FIFO head fails and waits; the unordered endpoint's new work goes at once.
    await fail(jobs.find((job) => job.endpoint.id === fifo.id)!, at(1), at(60));
    for (const job of jobs.filter((job) => job.endpoint.id === plain.id)) await succeed(job, at(1));
    for (let i = 5; i < 8; i++) await h.publish(`e${i}`, { createdAt: at(2) });
    const later = await claim(at(2), 10);
    expect(of(later, fifo)).toEqual([]);
    expect(of(later, plain).sort()).toEqual(['e5', 'e6', 'e7']);
    expect(eventsOf(await claim(at(60), 10))).toEqual(['e0']);
  });

  it('FIFO: switching an endpoint to FIFO puts its waiting deliveries in line', async () => {
    const endpoint = await h.addEndpoint();
    await h.publish('e1', { createdAt: at(0) });
    await h.publish('e2', { createdAt: at(0.5) });
    const [first] = await claim(at(1), 1);
    expect(eventsOf([first!])).toEqual(['e1']);
    await fail(first!, at(1), at(60));
    const updated = await h.store().endpoints.update('acme', endpoint.id, { ordering: 'fifo' }, at(1));
    expect(updated!.ordering).toBe('fifo');
    expect(await claim(at(2))).toEqual([]);
    expect((await h.store().queue.nextDueAt())?.toISOString()).toBe(at(60).toISOString());
    await h.store().endpoints.update('acme', endpoint.id, { ordering: 'unordered' }, at(2));
    expect(eventsOf(await claim(at(2)))).toEqual(['e2']);
  });
}
