import { describe, expect, it } from 'vitest';
import {
  createEndpoint,
  createTenant,
  deliveryFor,
  echoChallenge,
  getDelivery,
  getEndpoint,
  hasStatus,
  heraldForFile,
  pathOf,
  publish,
  receivedOn,
  scripted,
  waitForDelivery,
} from '../support/delivery.js';
import { eventually, type TestHerald } from '../support/herald.js';
import { Receiver, type Received } from '../support/receiver.js';

const TYPE = 'health.checked';

let herald: TestHerald;
const startReceiver = heraldForFile(TYPE, (started) => (herald = started));
const receiver = (...answers: Parameters<typeof scripted>): Promise<Receiver> => startReceiver(answers.length > 0 ? scripted(...answers) : undefined);

async function auditLog(tenantId: string): Promise<Array<{ actor: string; action: string; targetType: string; targetId: string; details: Record<string, unknown> }>> {
  const answer = await herald.api('GET', `/api/v1/tenants/${tenantId}/audit-log?limit=250`);
  expect(answer.status).toBe(200);
  return answer.body.data;
}

const waitForEndpointStatus = (tenantId: string, endpointId: string, status: string) =>
  eventually(async () => {
    const endpoint = await getEndpoint(herald, tenantId, endpointId);
    return endpoint.status === status ? endpoint : null;
  }, 20_000);

describe('auto-disable', () => {
  it('disables an endpoint after autoDisableAfterFailures consecutive failed attempts, and re-enables in one call', async () => {
    const target = await receiver({ status: 500, body: 'down' });
    const tenantId = await createTenant(herald, { retrySchedule: [0, 1, 1, 1, 1, 1], attemptTimeoutMs: 2000, autoDisableAfterFailures: 3 });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE] });
    const event = await publish(herald, tenantId, TYPE, { n: 1 });
    const delivery = await deliveryFor(herald, tenantId, endpoint.id, event.id);

    const disabled = await waitForEndpointStatus(tenantId, endpoint.id, 'disabled');
    expect(disabled.consecutiveFailures).toBe(3);
    expect(disabled.disabledReason).toEqual(expect.stringMatching(/\S/));
    // The delivery keeps its remaining attempts and waits for the endpoint.
    expect(await getDelivery(herald, tenantId, delivery.id)).toMatchObject({ status: 'failed', attemptCount: 3 });
    expect(target.received).toHaveLength(3);

    const entry = (await auditLog(tenantId)).find((e) => e.action === 'endpoint.disabled');
    expect(entry).toMatchObject({ actor: 'system', targetType: 'endpoint', targetId: endpoint.id });
    expect(JSON.stringify(entry!.details)).toContain(disabled.disabledReason);

    target.respond(scripted({ status: 200, body: 'ok' }));
    const enabled = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/enable`);
    expect(enabled.body).toMatchObject({ status: 'active', disabledReason: null, consecutiveFailures: 0 });
    const done = await waitForDelivery(herald, tenantId, delivery.id, hasStatus('succeeded', 'dead'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 4 });
  });

  it('disables an endpoint at once on 410 Gone', async () => {
    const target = await receiver({ status: 410, body: 'gone' });
    const tenantId = await createTenant(herald, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 2000, autoDisableAfterFailures: 20 });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE] });
    const event = await publish(herald, tenantId, TYPE, { n: 1 });
    const delivery = await deliveryFor(herald, tenantId, endpoint.id, event.id);

    const disabled = await waitForEndpointStatus(tenantId, endpoint.id, 'disabled');
    expect(disabled.consecutiveFailures).toBe(1);
    expect(disabled.disabledReason).toMatch(/410/);
    expect(await getDelivery(herald, tenantId, delivery.id)).toMatchObject({ attemptCount: 1 });
    expect(target.received).toHaveLength(1);
    expect((await auditLog(tenantId)).find((e) => e.action === 'endpoint.disabled')).toMatchObject({ actor: 'system', targetId: endpoint.id });
  });
});

describe('verification handshake', () => {
  const handshakeOf = (request: Received) => new URL(request.url, 'http://receiver').searchParams;

  it('activates an endpoint whose receiver echoes the challenge', async () => {
    const target = await receiver();
    target.respond(echoChallenge);
    const tenantId = await createTenant(herald, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 2000 });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE], verifyToken: 'verify-me-123' });
    expect(endpoint).toMatchObject({ status: 'active', disabledReason: null });

    const [handshake] = target.received;
    expect(handshake!.method).toBe('GET');
    expect(pathOf(handshake!)).toBe('/hook');
    const query = handshakeOf(handshake!);
    expect(query.get('hub.mode')).toBe('subscribe');
    expect(query.get('hub.challenge')).toMatch(/.{8,}/);
    expect(query.get('hub.verify_token')).toBe('verify-me-123');

    const event = await publish(herald, tenantId, TYPE, { n: 1 });
    const [, posted] = await receivedOn(target, '/hook', 2);
    expect(posted!.method).toBe('POST');
    expect(JSON.parse(posted!.body)).toMatchObject({ id: event.id });
  });

  it('marks an endpoint whose receiver does not echo verification_failed and sends it nothing until verified', async () => {
    const target = await receiver({ status: 200, body: 'not the challenge' });
    const sentinel = await receiver();
    const tenantId = await createTenant(herald, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 2000 });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE], verifyToken: 'verify-me-456' });
    expect(endpoint.status).toBe('verification_failed');
    expect(endpoint.disabledReason).toEqual(expect.stringMatching(/\S/));
    expect(target.received.map((r) => r.method)).toEqual(['GET']);
    const control = await createEndpoint(herald, tenantId, { url: `${sentinel.url}/hook`, eventTypes: [TYPE] });

    const event = await publish(herald, tenantId, TYPE, { n: 1 });
    const waiting = await deliveryFor(herald, tenantId, endpoint.id, event.id);
    // The active endpoint's delivery proves the workers have looked at this event.
    await waitForDelivery(herald, tenantId, (await deliveryFor(herald, tenantId, control.id, event.id)).id, hasStatus('succeeded'));
    expect(await getDelivery(herald, tenantId, waiting.id)).toMatchObject({ status: 'pending', attemptCount: 0 });
    expect(target.received.map((r) => r.method)).toEqual(['GET']);

    // Once the receiver answers the handshake, the waiting delivery goes out.
    target.respond(echoChallenge);
    const verified = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}/verify`);
    expect(verified.body).toMatchObject({ status: 'active', disabledReason: null });
    const done = await waitForDelivery(herald, tenantId, waiting.id, hasStatus('succeeded', 'dead'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    expect(target.received.map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
  });
});
