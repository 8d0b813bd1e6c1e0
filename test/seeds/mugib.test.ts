import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Received } from '../support/receiver.js';
import type { ServerResponse } from 'node:http';
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
 * Mugib (seeds/000): body-hex in `X-Mugib-Signature`, keyed by an optional HMAC secret the
 * customer types in. Its page tells receivers to HMAC `JSON.stringify(req.body)` (the parsed
 * body, re-serialised) and compare the hex with `!==`.
 */

const TENANT = 'mugib-acme';
// A customer's own secret, not whsec_: used as its UTF-8 bytes (the Arabic letters included).
const YOUR_SECRET = 'سر-mugib-hmac-2026';

const CATALOG = [
  { name: 'chat.message', description: 'A user sent a message', example: { session_id: 'ses_1', text: 'مرحبا، أحتاج مساعدة', channel: 'web' } },
  { name: 'chat.response', description: 'The bot replied', example: { session_id: 'ses_1', text: 'أهلاً! كيف أساعدك؟', latency_ms: 840 } },
  { name: 'session.created', description: 'A new conversation started', example: { session_id: 'ses_1', channel: 'whatsapp' } },
  { name: 'quota.warning', description: "You're approaching your usage limit" },
  { name: 'quota.exceeded', description: 'Your usage limit was reached' },
  { name: 'kb.updated', description: 'A knowledge base entry was added or changed', example: { entry_id: 'kb_9', action: 'updated' } },
  { name: 'tenant.updated', description: 'Project settings were modified', example: { fields: ['name'] } },
];

/** Mugib's snippet, as its page prints it: `req.body` is the parsed JSON (`express.json()`). */
function verifyMugib(req: { headers: Received['headers']; body: unknown }, YOUR_SECRET: string): boolean {
  const signature = req.headers['x-mugib-signature'];
  const expected = crypto
    .createHmac('sha256', YOUR_SECRET)
    .update(JSON.stringify(req.body))
    .digest('hex');
  if (signature !== expected) return false; // the page: res.status(401).send('Invalid')
  return true;
}

/** A Mugib customer's server; one who left the secret empty verifies nothing. */
function mugibReceiver(secret: string | null, answer: (res: ServerResponse) => void = (res) => void res.writeHead(200).end('ok')) {
  return (request: Received, res: ServerResponse): void => {
    const req = { headers: request.headers, body: JSON.parse(request.body) as unknown };
    if (secret !== null && !verifyMugib(req, secret)) return void res.writeHead(401).end('Invalid');
    answer(res);
  };
}

let fx: SeedFixture;
let signedEndpoint: any;
let unsignedEndpoint: any;
// Per path: how the receiver behind it answers once the signature checked out.
const answers = new Map<string, (res: ServerResponse) => void>();

beforeAll(async () => {
  fx = await startSeedFixture();
  await defineCatalog(fx.herald, CATALOG);
  await createTenant(fx.herald, TENANT, 'Acme on Mugib', {
    signature: { scheme: 'body-hex', header: 'X-Mugib-Signature' },
    envelope: 'snake',
    userAgent: 'Mugib-Webhooks/1.0',
    // Mugib's page documents one send and a manual "Retry Failed"; no automatic retries.
    retrySchedule: [0],
    attemptTimeoutMs: 10_000,
    autoDisableAfterFailures: 20,
  });
  const secrets = new Map<string, string | null>([['/signed', YOUR_SECRET], ['/unsigned', null], ['/flaky', YOUR_SECRET]]);
  fx.receiver.respond((request, res) => {
    const path = new URL(request.url, 'http://x').pathname;
    const answer = answers.get(path);
    return mugibReceiver(secrets.has(path) ? (secrets.get(path) as string | null) : YOUR_SECRET, answer)(request, res);
  });
  signedEndpoint = await createEndpoint(fx.herald, TENANT, {
    url: `${fx.receiver.url}/signed`,
    eventTypes: CATALOG.map((e) => e.name),
    description: 'Production CRM sync',
    secret: YOUR_SECRET,
  });
  unsignedEndpoint = await createEndpoint(fx.herald, TENANT, {
    url: `${fx.receiver.url}/unsigned`,
    eventTypes: ['chat.message'],
    description: 'No HMAC secret',
    secret: null,
  });
});
afterAll(async () => fx.close());

describe('Mugib on Herald', () => {
  it('keeps the customer-supplied secret as typed and marks a secret-less endpoint unsigned', () => {
    expect(signedEndpoint.secret).toBe(YOUR_SECRET);
    expect(signedEndpoint.signed).toBe(true);
    expect(unsignedEndpoint.secret).toBeNull();
    expect(unsignedEndpoint.signed).toBe(false);
  });

  it('delivers every Mugib event verified by the page snippet (X-Mugib-Signature over JSON.stringify(req.body))', async () => {
    const published = [];
    for (const entry of CATALOG) {
      published.push(await publish(fx.herald, TENANT, entry.name, { ...(entry.example as object), note: 'رسالة 💬 "quoted" \u2028 end', n: 1.5 }));
    }
    const received = await waitOn(fx.receiver, '/signed', CATALOG.length);
    for (const event of published) {
      const request = received.find((r) => JSON.parse(r.body).id === event.id)!;
      expect(request, event.type).toBeDefined();
      expect(JSON.parse(request.body)).toEqual(event);
      expect(header(request, 'x-mugib-signature')).toMatch(/^[0-9a-f]{64}$/);
      expect(header(request, 'user-agent')).toBe('Mugib-Webhooks/1.0');
      expect(header(request, 'content-type')).toBe('application/json');
      // The snippet answered 200 only after its comparison passed.
      const delivery = await settledDelivery(fx.herald, TENANT, (await deliveryOf(fx.herald, TENANT, event.id, signedEndpoint.id)).id, (d) => d.status !== 'pending' && d.status !== 'delivering');
      expect(delivery.status, JSON.stringify(delivery.attempts)).toBe('succeeded');
      expect(delivery.attempts[0].statusCode).toBe(200);
    }
  });

  it('the snippet rejects what another secret signed or a changed body (it really checks)', () => {
    const [request] = on(fx.receiver, '/signed');
    const req = { headers: request!.headers, body: JSON.parse(request!.body) as { data: Record<string, unknown> } };
    expect(verifyMugib(req, YOUR_SECRET)).toBe(true);
    expect(verifyMugib(req, 'someone-else-secret')).toBe(false);
    expect(verifyMugib({ ...req, body: { ...req.body, data: { ...req.body.data, text: 'tampered' } } }, YOUR_SECRET)).toBe(false);
  });

  it('sends an endpoint created with secret: null no signature header at all', async () => {
    const event = await publish(fx.herald, TENANT, 'chat.message', { text: 'unsigned please' });
    const request = await requestFor(fx.receiver, '/unsigned', event.id);
    expect(JSON.parse(request.body)).toEqual(event);
    expect(header(request, 'x-mugib-signature')).toBeUndefined();
    expect(Object.keys(request.headers).filter((name) => name.includes('signature'))).toEqual([]);
    const delivery = await settledDelivery(fx.herald, TENANT, (await deliveryOf(fx.herald, TENANT, event.id, unsignedEndpoint.id)).id, (d) => d.status === 'succeeded');
    expect(delivery.attempts[0].requestHeaders).not.toHaveProperty('X-Mugib-Signature');
  });

  it('answers a test send the way the ⚡ button shows it: success, status, ms, first 500 characters', async () => {
    const longBody = 'تم الاستلام '.repeat(60); // 720 characters, most of them two bytes in UTF-8
    answers.set('/signed', (res) => setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(longBody), 30));
    const test = await fx.herald.api('POST', `/api/v1/tenants/${TENANT}/endpoints/${signedEndpoint.id}/test`, {});
    answers.delete('/signed');
    expect(test.status).toBe(200);
    expect(test.body).toEqual({
      success: true,
      statusCode: 200,
      durationMs: expect.any(Number),
      responseBody: longBody.slice(0, 500),
      error: null,
      deliveryId: expect.stringMatching(/^dlv_/),
    });
    expect(test.body.responseBody).toHaveLength(500);
    expect(Number.isInteger(test.body.durationMs)).toBe(true);
    expect(test.body.durationMs).toBeGreaterThanOrEqual(25);
    // The sample is the first subscribed event's example, signed like any delivery.
    const { eventId } = (await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/deliveries/${test.body.deliveryId}`)).body;
    const sample = await requestFor(fx.receiver, '/signed', eventId);
    expect(JSON.parse(sample.body)).toMatchObject({ type: 'chat.message', data: CATALOG[0]!.example });
    expect(header(sample, 'x-mugib-signature')).toBe(crypto.createHmac('sha256', YOUR_SECRET).update(sample.body).digest('hex'));
  });

  it('answers a failed test send with success false and the status', async () => {
    answers.set('/signed', (res) => void res.writeHead(503).end('down for maintenance'));
    const test = await fx.herald.api('POST', `/api/v1/tenants/${TENANT}/endpoints/${signedEndpoint.id}/test`, { eventType: 'kb.updated' });
    answers.delete('/signed');
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ success: false, statusCode: 503, responseBody: 'down for maintenance', error: expect.any(String) });
  });

  it('"Retry Failed" re-sends the failed payloads, and they verify', async () => {
    const flaky = await createEndpoint(fx.herald, TENANT, { url: `${fx.receiver.url}/flaky`, eventTypes: ['session.created'], secret: YOUR_SECRET });
    answers.set('/flaky', (res) => void res.writeHead(500).end('db down'));
    const first = await publish(fx.herald, TENANT, 'session.created', { session_id: 'ses_a' });
    const second = await publish(fx.herald, TENANT, 'session.created', { session_id: 'ses_b' });
    const failed = [];
    for (const event of [first, second]) {
      const delivery = await deliveryOf(fx.herald, TENANT, event.id, flaky.id);
      failed.push(await settledDelivery(fx.herald, TENANT, delivery.id, (d) => d.status === 'dead'));
    }
    expect(failed.map((d) => [d.attemptCount, d.maxAttempts, d.attempts[0].statusCode])).toEqual([[1, 1, 500], [1, 1, 500]]);

    answers.delete('/flaky');
    const retried = await fx.herald.api('POST', `/api/v1/tenants/${TENANT}/endpoints/${flaky.id}/retry-failed`, {});
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ count: 2 });
    for (const delivery of failed) {
      const done = await settledDelivery(fx.herald, TENANT, delivery.id, (d) => d.status === 'succeeded');
      expect(done.attempts.map((a: any) => [a.number, a.statusCode])).toEqual([[1, 500], [2, 200]]);
      expect(done.maxAttempts).toBe(2);
    }
    const resent = on(fx.receiver, '/flaky').slice(-2).map((r) => JSON.parse(r.body).id).sort();
    expect(resent).toEqual([first.id, second.id].sort());
    // Nothing failed is left, so another click re-sends nothing.
    expect((await fx.herald.api('POST', `/api/v1/tenants/${TENANT}/endpoints/${flaky.id}/retry-failed`, {})).body).toEqual({ count: 0 });
  });
});
