import { describe, expect, it } from 'vitest';
import {
  createEndpoint,
  createTenant,
  deliveryFor,
  getDelivery,
  hasStatus,
  heraldForFile,
  listDeliveries,
  pathOf,
  publish,
  receivedOn,
  scripted,
  waitForDelivery,
} from '../support/delivery.js';
import type { TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const TYPE = 'resend.happened';

let herald: TestHerald;
const receiver = heraldForFile(TYPE, (started) => (herald = started));
const failingReceiver = (): Promise<Receiver> => receiver(scripted({ status: 500, body: 'down' }));

describe('dead deliveries and manual re-sends', () => {
  it('goes dead after the schedule, then retry-failed sends it again with a fresh run', async () => {
    const target = await failingReceiver();
    const tenantId = await createTenant(herald, { retrySchedule: [0, 1], attemptTimeoutMs: 2000 });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE] });
    const event = await publish(herald, tenantId, TYPE, { n: 1 });
    const { id } = await deliveryFor(herald, tenantId, endpoint.id, event.id);

    const dead = await waitForDelivery(herald, tenantId, id, hasStatus('dead', 'succeeded'));
    expect(dead).toMatchObject({ status: 'dead', attemptCount: 2, maxAttempts: 2, nextAttemptAt: null });
    expect(dead.attempts.map((a) => [a.number, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
    ]);

    target.respond(scripted({ status: 200, body: 'back' }));
    const retried = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/retry-failed`);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ count: 1 });

    const done = await waitForDelivery(herald, tenantId, id, hasStatus('succeeded', 'dead'));
    // Attempt numbers go on; the fresh run adds the schedule's length to maxAttempts.
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 3, maxAttempts: 4, nextAttemptAt: null });
    expect(done.attempts.map((a) => [a.number, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(await receivedOn(target, '/hook', 3)).toHaveLength(3);

    // Nothing failed is left: a second call re-sends nothing.
    const again = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/retry-failed`);
    expect(again.body).toEqual({ count: 0 });
  });

  it('re-sends one delivery with …/deliveries/:did/retry and leaves the others dead', async () => {
    const target = await failingReceiver();
    const tenantId = await createTenant(herald, { retrySchedule: [0], attemptTimeoutMs: 2000 });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE] });
    const first = await publish(herald, tenantId, TYPE, { n: 1 });
    const second = await publish(herald, tenantId, TYPE, { n: 2 });
    const one = await deliveryFor(herald, tenantId, endpoint.id, first.id);
    const other = await deliveryFor(herald, tenantId, endpoint.id, second.id);
    await waitForDelivery(herald, tenantId, one.id, hasStatus('dead'));
    await waitForDelivery(herald, tenantId, other.id, hasStatus('dead'));

    target.respond(scripted({ status: 200, body: 'back' }));
    const retried = await herald.api('POST', `/api/v1/tenants/${tenantId}/deliveries/${one.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: one.id, maxAttempts: 2 });
    expect(['pending', 'delivering', 'succeeded']).toContain(retried.body.status);

    const done = await waitForDelivery(herald, tenantId, one.id, hasStatus('succeeded', 'dead'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 2, maxAttempts: 2 });
    expect(done.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
    expect(await getDelivery(herald, tenantId, other.id)).toMatchObject({ status: 'dead', attemptCount: 1 });
  });

  it('recover {since} re-sends only the failed deliveries created at or after since', async () => {
    const target = await failingReceiver();
    const tenantId = await createTenant(herald, { retrySchedule: [0], attemptTimeoutMs: 2000 });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE] });
    const before = await publish(herald, tenantId, TYPE, { n: 'before' });
    const early = await deliveryFor(herald, tenantId, endpoint.id, before.id);
    await waitForDelivery(herald, tenantId, early.id, hasStatus('dead'));
    const after = await publish(herald, tenantId, TYPE, { n: 'after' });
    const late = await deliveryFor(herald, tenantId, endpoint.id, after.id);
    await waitForDelivery(herald, tenantId, late.id, hasStatus('dead'));
    expect(Date.parse(before.created_at)).toBeLessThan(Date.parse(after.created_at));

    target.respond(scripted({ status: 200, body: 'back' }));
    // `since` equal to the later delivery's creation time: the bound is inclusive.
    const recovered = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/recover`, { since: after.created_at });
    expect(recovered.status).toBe(200);
    expect(recovered.body).toEqual({ count: 1 });

    const done = await waitForDelivery(herald, tenantId, late.id, hasStatus('succeeded', 'dead'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 2 });
    expect(await getDelivery(herald, tenantId, early.id)).toMatchObject({ status: 'dead', attemptCount: 1 });

    const none = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/recover`, {
      since: new Date(Date.parse(after.created_at) + 1).toISOString(),
    });
    expect(none.body).toEqual({ count: 0 });
  });
});

describe('disabled endpoints', () => {
  it('keeps deliveries pending while the endpoint is disabled and sends them once it is enabled', async () => {
    const target = await receiver();
    const tenantId = await createTenant(herald, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 2000 });
    const paused = await createEndpoint(herald, tenantId, { url: `${target.url}/paused`, eventTypes: [TYPE] });
    const sentinel = await createEndpoint(herald, tenantId, { url: `${target.url}/sentinel`, eventTypes: [TYPE] });
    const disabled = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${paused.id}/disable`);
    expect(disabled.body).toMatchObject({ status: 'disabled' });

    const event = await publish(herald, tenantId, TYPE, { n: 1 });
    const waiting = await deliveryFor(herald, tenantId, paused.id, event.id);
    const control = await deliveryFor(herald, tenantId, sentinel.id, event.id);
    // The active endpoint's delivery proves the workers have looked at this event.
    await waitForDelivery(herald, tenantId, control.id, hasStatus('succeeded'));
    expect(await getDelivery(herald, tenantId, waiting.id)).toMatchObject({ status: 'pending', attemptCount: 0 });
    expect(target.received.filter((r) => pathOf(r) === '/paused')).toHaveLength(0);
    expect((await listDeliveries(herald, tenantId, { outcome: 'pending' })).map((d) => d.id)).toEqual([waiting.id]);

    const enabled = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${paused.id}/enable`);
    expect(enabled.body).toMatchObject({ status: 'active', disabledReason: null });
    const done = await waitForDelivery(herald, tenantId, waiting.id, hasStatus('succeeded', 'dead'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    expect(await receivedOn(target, '/paused', 1)).toHaveLength(1);
  });
});
