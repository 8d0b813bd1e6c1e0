import crypto from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Received } from '../support/receiver.js';
import {
  createEndpoint,
  createTenant,
  defineCatalog,
  deliveryOf,
  header,
  on,
  publish,
  requestFor,
  settledDelivery,
  startSeedFixture,
  waitOn,
  type SeedFixture,
} from '../support/seeds.js';

/**
 * BuzzBip (seeds/001): `X-BuzzBip-Signature` is the HMAC-SHA256 of the raw request body
 * under the signing secret; the payload is camelCase (`createdAt`); failed deliveries are
 * retried up to 5 times with exponential backoff; receivers answer within 10 seconds.
 */

const TENANT = 'buzzbip-shop';
const FAST = 'buzzbip-fast';

const CATALOG = [
  {
    name: 'message.received',
    description: 'A contact sent an inbound message',
    // The page's own example payload.
    example: { messageId: 'msg_abc123', conversationId: 'conv_xyz789', contactId: 'cnt_def456', channel: 'whatsapp', body: 'Hello, I need help with my order', from: '+21612345678' },
  },
  { name: 'message.sent', description: 'An outbound message was delivered', example: { messageId: 'msg_1', channel: 'whatsapp' } },
  { name: 'message.failed', description: 'An outbound message failed', example: { messageId: 'msg_2', reason: 'blocked' } },
  { name: 'conversation.opened', description: 'A new conversation opened', example: { conversationId: 'conv_1' } },
  { name: 'conversation.resolved', description: 'A conversation was marked resolved', example: { conversationId: 'conv_1' } },
  { name: 'contact.created', description: 'A contact was added to the Audience', example: { contactId: 'cnt_1' } },
  { name: 'contact.updated', description: "A contact's fields or tags changed", example: { contactId: 'cnt_1', tags: ['vip'] } },
  { name: 'workflow.triggered', description: 'A workflow ran via the API or an automation', example: { workflowId: 'wf_1' } },
];

const SETTINGS = {
  signature: { scheme: 'body-hex', header: 'X-BuzzBip-Signature' },
  envelope: 'camel',
  userAgent: 'BuzzBip-Webhooks/1.0',
  // First try at once, then 5 retries doubling from one minute: 6 attempts in all.
  retrySchedule: [0, 60, 120, 240, 480, 960],
  // "Respond with 200 OK within 10 seconds".
  attemptTimeoutMs: 10_000,
  autoDisableAfterFailures: 20,
};

/** The page's instruction: HMAC-SHA256 of the raw body with the signing secret, compared to the header. */
function verifyBuzzBip(rawBody: Buffer, signature: string | undefined, signingSecret: string): boolean {
  const expected = crypto.createHmac('sha256', signingSecret).update(rawBody).digest('hex');
  if (typeof signature !== 'string' || signature.length !== expected.length) return false;
  return crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

let fx: SeedFixture;
const secrets = new Map<string, string>();
const failuresLeft = new Map<string, number>();

function buzzbipReceiver(request: Received, res: ServerResponse): void {
  const path = new URL(request.url, 'http://x').pathname;
  const ok = verifyBuzzBip(Buffer.from(request.body, 'utf8'), header(request, 'x-buzzbip-signature'), secrets.get(path) ?? '');
  if (!ok) return void res.writeHead(401).end('bad signature');
  const left = failuresLeft.get(path) ?? 0;
  if (left > 0) {
    failuresLeft.set(path, left - 1);
    return void res.writeHead(500).end('try again');
  }
  res.writeHead(200).end();
}

async function endpoint(tenantId: string, path: string, eventTypes: string[]): Promise<any> {
  const created = await createEndpoint(fx.herald, tenantId, { url: `${fx.receiver.url}${path}`, eventTypes });
  // The secret BuzzBip's dashboard showed once, copied by the customer.
  secrets.set(path, created.secret);
  return created;
}

beforeAll(async () => {
  fx = await startSeedFixture();
  fx.receiver.respond(buzzbipReceiver);
  await defineCatalog(fx.herald, CATALOG);
  await createTenant(fx.herald, TENANT, 'A shop on BuzzBip', SETTINGS);
  // The same contract with a tiny schedule, to watch all six attempts without waiting minutes.
  await createTenant(fx.herald, FAST, 'A shop on BuzzBip (fast schedule)', { ...SETTINGS, retrySchedule: [0, 0, 0, 0, 0, 0] });
});
afterAll(async () => fx.close());

describe('BuzzBip on Herald', () => {
  it('delivers every BuzzBip event in the camel envelope, verified over the raw body', async () => {
    const all = await endpoint(TENANT, '/all', CATALOG.map((e) => e.name));
    const published = [];
    for (const entry of CATALOG) published.push(await publish(fx.herald, TENANT, entry.name, entry.example));
    await waitOn(fx.receiver, '/all', CATALOG.length);
    for (const event of published) {
      const request = await requestFor(fx.receiver, '/all', event.id);
      const body = JSON.parse(request.body);
      expect(Object.keys(body)).toEqual(['id', 'type', 'createdAt', 'data']);
      expect(body).not.toHaveProperty('created_at');
      expect(body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(body).toEqual(event);
      expect(header(request, 'x-buzzbip-signature')).toMatch(/^[0-9a-f]{64}$/);
      expect(header(request, 'user-agent')).toBe('BuzzBip-Webhooks/1.0');
      const delivery = await settledDelivery(fx.herald, TENANT, (await deliveryOf(fx.herald, TENANT, event.id, all.id)).id, (d) => d.status === 'succeeded');
      expect(delivery.maxAttempts).toBe(6);
      expect(delivery.event).toEqual(body);
    }
    // The page's example, field for field.
    expect(JSON.parse(on(fx.receiver, '/all')[0]!.body).data).toEqual(CATALOG[0]!.example);
  });

  it('answers publish and polling with the very envelope that was sent, camel keys in wire order', async () => {
    const published = await fx.herald.api('POST', `/api/v1/tenants/${TENANT}/events`, { type: 'workflow.triggered', data: { workflowId: 'wf_2' } });
    expect(Object.keys(published.body)).toEqual(['id', 'type', 'createdAt', 'data']);
    const polled = await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/events?limit=250`);
    expect(polled.status).toBe(200);
    const sent = on(fx.receiver, '/all');
    expect(sent.length).toBeGreaterThanOrEqual(CATALOG.length);
    for (const request of sent) {
      const item = polled.body.data.find((e: any) => e.id === JSON.parse(request.body).id);
      expect(JSON.stringify(item)).toBe(request.body);
    }
  });

  it('schedules 5 exponential retries (6 attempts) under the production schedule', async () => {
    const failing = await endpoint(TENANT, '/prod-failing', ['message.failed']);
    failuresLeft.set('/prod-failing', Number.MAX_SAFE_INTEGER);
    const event = await publish(fx.herald, TENANT, 'message.failed', { messageId: 'msg_x' });
    const first = await deliveryOf(fx.herald, TENANT, event.id, failing.id);
    expect(first.maxAttempts).toBe(6);
    const failed = await settledDelivery(fx.herald, TENANT, first.id, (d) => d.status === 'failed');
    expect(failed.attemptCount).toBe(1);
    expect(failed.attempts[0].statusCode).toBe(500);
    // The second step is 60 s, ±25 % jitter, counted from the end of the first attempt.
    const wait = Date.parse(failed.nextAttemptAt) - Date.parse(failed.lastAttemptAt);
    expect(wait).toBeGreaterThanOrEqual(45_000);
    expect(wait).toBeLessThanOrEqual(75_000 + failed.attempts[0].durationMs + 5);
  });

  it('retries a failing delivery until it succeeds, each attempt signed the same way', async () => {
    const flaky = await endpoint(FAST, '/flaky', ['message.received']);
    failuresLeft.set('/flaky', 5);
    const event = await publish(fx.herald, FAST, 'message.received', CATALOG[0]!.example);
    const delivery = await deliveryOf(fx.herald, FAST, event.id, flaky.id);
    const done = await settledDelivery(fx.herald, FAST, delivery.id, (d) => d.status === 'succeeded');
    expect(done.attemptCount).toBe(6);
    expect(done.maxAttempts).toBe(6);
    expect(done.attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 500, 500, 500, 200]);
    const sent = on(fx.receiver, '/flaky');
    expect(sent).toHaveLength(6);
    // At-least-once: the same event id and the same bytes every time, so receivers can dedupe.
    expect(new Set(sent.map((r) => r.body)).size).toBe(1);
    expect(JSON.parse(sent[0]!.body).id).toBe(event.id);
  });

  it('gives up after the fifth retry: dead after exactly 6 attempts', async () => {
    const down = await endpoint(FAST, '/down', ['contact.created']);
    failuresLeft.set('/down', Number.MAX_SAFE_INTEGER);
    const event = await publish(fx.herald, FAST, 'contact.created', { contactId: 'cnt_9' });
    const delivery = await deliveryOf(fx.herald, FAST, event.id, down.id);
    const dead = await settledDelivery(fx.herald, FAST, delivery.id, (d) => d.status === 'dead');
    expect(dead.attempts.map((a: any) => a.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(dead.nextAttemptAt).toBeNull();
    expect(on(fx.receiver, '/down')).toHaveLength(6);
  });
});
