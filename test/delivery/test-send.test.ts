import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  createEndpoint,
  createTenant,
  ensureEventType,
  getDelivery,
  getEndpoint,
  listDeliveries,
  pathOf,
  receivedOn,
} from '../support/delivery.js';
import { removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const EXAMPLE = { orderId: 'ord_1', amount: 4200, currency: 'EUR' };

let herald: TestHerald;
let receiver: Receiver;
let tenantId: string;

interface TestResult {
  success: boolean;
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  error: string | null;
  deliveryId: string;
}

async function sendTest(endpointId: string, body?: Record<string, unknown>): Promise<TestResult> {
  const answer = await herald.api<TestResult>('POST', `/api/v1/tenants/${tenantId}/endpoints/${endpointId}/test`, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(Object.keys(answer.body).sort()).toEqual(['deliveryId', 'durationMs', 'error', 'responseBody', 'statusCode', 'success']);
  return answer.body;
}

async function polledIds(): Promise<string[]> {
  const page = await herald.api<{ data: Array<{ id: string }> }>('GET', `/api/v1/tenants/${tenantId}/events?limit=250`);
  expect(page.status).toBe(200);
  return page.body.data.map((e) => e.id);
}

beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await Receiver.start((request, res) => {
    if (pathOf(request) === '/fail') return void res.writeHead(500).end('receiver broke');
    if (pathOf(request) === '/hang') return;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('y'.repeat(1200));
  });
  await ensureEventType(herald, 'shop.order.paid', EXAMPLE);
  await ensureEventType(herald, 'shop.order.refunded', { orderId: 'ord_2' });
  // Retries would come quickly if a test send were retried: it must not be.
  tenantId = await createTenant(herald, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 2000 });
});
afterAll(async () => {
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

describe('POST …/endpoints/:eid/test', () => {
  it("sends the first exact subscribed type's example and answers what happened", async () => {
    const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/ok`, eventTypes: ['shop.*', 'shop.order.paid', 'shop.order.refunded'] });
    const result = await sendTest(endpoint.id);
    expect(result).toMatchObject({ success: true, statusCode: 200, error: null, deliveryId: expect.stringMatching(/^dlv_/) });
    expect(result.durationMs).toEqual(expect.any(Number));
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.responseBody).toBe('y'.repeat(500));

    const [request] = await receivedOn(receiver, '/ok', 1);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'shop.order.paid', data: EXAMPLE });

    // In the delivery log, as a finished one-attempt delivery…
    const logged = (await listDeliveries(herald, tenantId, { endpointId: endpoint.id })).find((d) => d.id === result.deliveryId);
    expect(logged).toMatchObject({ status: 'succeeded', attemptCount: 1, eventType: 'shop.order.paid', isTest: true });
    const detail = await getDelivery(herald, tenantId, result.deliveryId);
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]).toMatchObject({ number: 1, statusCode: 200 });
    // …but not in polling.
    expect(await polledIds()).not.toContain(detail.eventId);
  });

  it('sends the asked event type', async () => {
    const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/asked`, eventTypes: ['shop.*'] });
    const result = await sendTest(endpoint.id, { eventType: 'shop.order.refunded' });
    expect(result.success).toBe(true);
    const [request] = await receivedOn(receiver, '/asked', 1);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'shop.order.refunded', data: { orderId: 'ord_2' } });
  });

  it('sends webhook.test to an endpoint that subscribes only to *', async () => {
    const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/star`, eventTypes: ['*'] });
    const result = await sendTest(endpoint.id);
    expect(result.success).toBe(true);
    const [request] = await receivedOn(receiver, '/star', 1);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'webhook.test' });
  });

  it('reports a failing receiver without retrying nor counting toward auto-disable', async () => {
    const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/fail`, eventTypes: ['shop.order.paid'] });
    const result = await sendTest(endpoint.id);
    expect(result).toMatchObject({ success: false, statusCode: 500, responseBody: 'receiver broke' });
    expect(result.error).toEqual(expect.any(String));

    const detail = await getDelivery(herald, tenantId, result.deliveryId);
    expect(detail).toMatchObject({ status: 'dead', attemptCount: 1, maxAttempts: 1, nextAttemptAt: null, isTest: true });
    expect(detail.attempts.map((a) => a.statusCode)).toEqual([500]);
    // The answer and the log tell the same story about the one attempt.
    expect(detail.attempts[0]!.error).toBe(result.error);
    expect(await getEndpoint(herald, tenantId, endpoint.id)).toMatchObject({ status: 'active', consecutiveFailures: 0 });
    expect(await polledIds()).not.toContain(detail.eventId);
  });

  it('reports a timed-out send as success: false with a timeout error', async () => {
    const slowTenant = await createTenant(herald, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 300 });
    const endpoint = await createEndpoint(herald, slowTenant, { url: `${receiver.url}/hang`, eventTypes: ['*'] });
    const answer = await herald.api<TestResult>('POST', `/api/v1/tenants/${slowTenant}/endpoints/${endpoint.id}/test`, {});
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: false, statusCode: null });
    expect(answer.body.error).toMatch(/timeout/i);
    expect(await getDelivery(herald, slowTenant, answer.body.deliveryId)).toMatchObject({ status: 'dead', attemptCount: 1 });
  });

  it('reports a refused connection as success: false with an error', async () => {
    const endpoint = await createEndpoint(herald, tenantId, { url: `http://127.0.0.1:${await closedPort()}/nobody`, eventTypes: ['*'] });
    const result = await sendTest(endpoint.id, { eventType: 'shop.order.paid' });
    expect(result).toMatchObject({ success: false, statusCode: null, responseBody: null });
    expect(result.error).toMatch(/refused/i);
    expect(await getDelivery(herald, tenantId, result.deliveryId)).toMatchObject({ status: 'dead', attemptCount: 1 });
  });
});
