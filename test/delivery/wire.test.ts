import { readFileSync } from 'node:fs';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEndpoint,
  createTenant,
  deliveryFor,
  ensureEventType,
  eventIdOf,
  flatHeaders,
  hasStatus,
  listDeliveries,
  pathOf,
  publish,
  receivedOn,
  waitForDelivery,
} from '../support/delivery.js';
import { removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let herald: TestHerald;
let receiver: Receiver;

beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await Receiver.start();
  await ensureEventType(herald, 'order.created');
  await ensureEventType(herald, 'user.message.received');
  await ensureEventType(herald, 'user.session.started');
  await ensureEventType(herald, 'users.created');
  await ensureEventType(herald, 'billing.invoice.paid');
});
afterAll(async () => {
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

describe('publish → delivery on the wire', () => {
  it('POSTs the compact envelope with the contract headers, verifiable by standardwebhooks and svix', async () => {
    const tenantId = await createTenant(herald, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 2000 });
    const endpoint = await createEndpoint(herald, tenantId, {
      url: `${receiver.url}/wire`,
      eventTypes: ['order.created'],
      headers: { 'X-Customer-Ref': 'acme-42', 'X-Api-Key': 'k-123' },
    });
    expect(endpoint.secret).toMatch(/^whsec_/);

    const data = { orderId: 'o-1', total: 12.5, text: 'héllo ✓ "quoted"', tags: ['a', 'b'], nested: { deep: { ok: true, none: null } } };
    const published = await publish(herald, tenantId, 'order.created', data);

    const [request] = await receivedOn(receiver, '/wire', 1);
    expect(request!.method).toBe('POST');

    // The body is exactly what JSON.stringify gives: re-serialising the parsed body gives the same bytes.
    expect(request!.body).toBe(JSON.stringify(JSON.parse(request!.body)));
    expect(JSON.parse(request!.body)).toEqual({ id: published.id, type: 'order.created', created_at: published.created_at, data });

    const headers = flatHeaders(request!);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toBe(`Herald/${packageVersion}`);
    expect(headers['x-customer-ref']).toBe('acme-42');
    expect(headers['x-api-key']).toBe('k-123');
    expect(headers['webhook-id']).toBeTruthy();

    const secret = endpoint.secret!;
    expect(new StandardWebhook(secret).verify(request!.body, headers)).toEqual(JSON.parse(request!.body));
    expect(new SvixWebhook(secret).verify(request!.body, headers)).toEqual(JSON.parse(request!.body));
    // The signature covers the exact bytes: one changed byte fails both verifiers.
    const tampered = request!.body.replace('o-1', 'o-2');
    expect(() => new StandardWebhook(secret).verify(tampered, headers)).toThrow();
    expect(() => new SvixWebhook(secret).verify(tampered, headers)).toThrow();

    const delivery = await deliveryFor(herald, tenantId, endpoint.id, published.id);
    const done = await waitForDelivery(herald, tenantId, delivery.id, hasStatus('succeeded'));
    expect(done).toMatchObject({ attemptCount: 1, nextAttemptAt: null, event: { id: published.id, type: 'order.created', data } });
  });

  it('delivers an event published twice with the same idempotency key once', async () => {
    const tenantId = await createTenant(herald, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 2000 });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/idem`, eventTypes: ['*'] });

    const first = await herald.api('POST', `/api/v1/tenants/${tenantId}/events`, { type: 'order.created', data: { n: 1 }, idempotencyKey: 'key-1' });
    expect(first.status).toBe(202);
    const repeat = await herald.api('POST', `/api/v1/tenants/${tenantId}/events`, { type: 'order.created', data: { n: 2 }, idempotencyKey: 'key-1' });
    expect([200, 202]).toContain(repeat.status);
    expect(repeat.body).toMatchObject({ id: first.body.id, data: { n: 1 } });
    // A later event without the key is the barrier: once both have arrived, nothing else is coming.
    const later = await publish(herald, tenantId, 'order.created', { n: 3 });

    const deliveries = await listDeliveries(herald, tenantId);
    expect(deliveries.map((d) => d.eventId).sort()).toEqual([first.body.id, later.id].sort());
    for (const delivery of deliveries) await waitForDelivery(herald, tenantId, delivery.id, hasStatus('succeeded'));

    const received = receiver.received.filter((r) => pathOf(r) === '/idem').map(eventIdOf);
    expect(received.sort()).toEqual([first.body.id, later.id].sort());
    expect(deliveries.every((d) => d.endpointId === endpoint.id)).toBe(true);
  });

  it('answers one event to concurrent publishes with the same idempotency key', async () => {
    const tenantId = await createTenant(herald, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 2000 });
    await createEndpoint(herald, tenantId, { url: `${receiver.url}/idem-race`, eventTypes: ['*'] });
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, n) => herald.api('POST', `/api/v1/tenants/${tenantId}/events`, { type: 'order.created', data: { n }, idempotencyKey: 'race' })),
    );
    for (const answer of answers) expect([200, 202], JSON.stringify(answer.body)).toContain(answer.status);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const [delivery, ...others] = await listDeliveries(herald, tenantId);
    expect(others).toHaveLength(0);
    await waitForDelivery(herald, tenantId, delivery!.id, hasStatus('succeeded'));
    expect(receiver.received.filter((r) => pathOf(r) === '/idem-race')).toHaveLength(1);
  });
});

describe('subscriptions and filters', () => {
  it('matches *, exact names, prefix.* at any depth and payload filters; others get no delivery row', async () => {
    const tenantId = await createTenant(herald, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 2000 });
    const url = (path: string) => `${receiver.url}/sub/${path}`;
    const all = await createEndpoint(herald, tenantId, { url: url('all'), eventTypes: ['*'] });
    const exact = await createEndpoint(herald, tenantId, { url: url('exact'), eventTypes: ['user.message.received'] });
    const prefix = await createEndpoint(herald, tenantId, { url: url('prefix'), eventTypes: ['user.*'] });
    const other = await createEndpoint(herald, tenantId, { url: url('other'), eventTypes: ['billing.*'] });
    const filtered = await createEndpoint(herald, tenantId, {
      url: url('filtered'),
      eventTypes: ['user.*'],
      filter: { 'data.channel': { $in: ['whatsapp'] } },
    });

    const whatsapp = await publish(herald, tenantId, 'user.message.received', { channel: 'whatsapp', text: 'hi' });
    const telegram = await publish(herald, tenantId, 'user.message.received', { channel: 'telegram', text: 'hi' });
    const session = await publish(herald, tenantId, 'user.session.started', { channel: 'whatsapp' });
    // `user.*` is the prefix `user.`: it does not match `users.created`.
    const users = await publish(herald, tenantId, 'users.created', { channel: 'whatsapp' });

    const expected: Record<string, string[]> = {
      [all.id]: [whatsapp.id, telegram.id, session.id, users.id],
      [exact.id]: [whatsapp.id, telegram.id],
      [prefix.id]: [whatsapp.id, telegram.id, session.id],
      [other.id]: [],
      [filtered.id]: [whatsapp.id, session.id],
    };
    // Delivery rows are written with the event, so they can be checked at once.
    for (const [endpointId, eventIds] of Object.entries(expected)) {
      const rows = await listDeliveries(herald, tenantId, { endpointId });
      expect(rows.map((d) => d.eventId).sort(), endpointId).toEqual([...eventIds].sort());
    }

    const deliveries = await listDeliveries(herald, tenantId);
    expect(deliveries).toHaveLength(11);
    for (const delivery of deliveries) await waitForDelivery(herald, tenantId, delivery.id, hasStatus('succeeded'));

    const byPath = (path: string) =>
      receiver.received
        .filter((r) => pathOf(r) === `/sub/${path}`)
        .map(eventIdOf)
        .sort();
    expect(byPath('all')).toEqual(expected[all.id]!.sort());
    expect(byPath('exact')).toEqual(expected[exact.id]!.sort());
    expect(byPath('prefix')).toEqual(expected[prefix.id]!.sort());
    expect(byPath('filtered')).toEqual(expected[filtered.id]!.sort());
    expect(byPath('other')).toEqual([]);
  });
});
