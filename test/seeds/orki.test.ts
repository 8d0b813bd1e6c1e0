import crypto from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Received } from '../support/receiver.js';
import {
  createEndpoint,
  createTenant,
  defineCatalog,
  deliveries,
  deliveryOf,
  header,
  on,
  publish,
  requestFor,
  settledDelivery,
  startSeedFixture,
  timeBoundary,
  type SeedFixture,
} from '../support/seeds.js';

/**
 * Orki (seeds/003): a verify token entered at registration drives a GET handshake
 * (hub.challenge echoed back) and keys `X-Hub-Signature-256: sha256=<hex>` of the body;
 * receivers answer within 5 seconds; the delivery log filters by type, outcome and dates.
 */

const TENANT = 'orki-clinic';
const SLOW = 'orki-slow';

const SETTINGS = {
  signature: { scheme: 'hub-sha256' },
  envelope: 'snake',
  userAgent: 'Orki-Webhooks/1.0',
  retrySchedule: [0, 60, 300, 1800, 7200, 21600, 86400],
  // "Make sure your endpoint responds with a 2xx status code within 5 seconds".
  attemptTimeoutMs: 5000,
  autoDisableAfterFailures: 20,
};

const CATALOG = [
  { name: 'meta.message', description: 'A message was received from WhatsApp/Instagram', example: { chat_id: 'c_1', platform: 'whatsapp', text: 'Hi' } },
  { name: 'message.created', description: 'A new message was created (inbound or outbound)', example: { chat_id: 'c_1', message_id: 'm_1', direction: 'outbound' } },
  { name: 'chat.status_changed', description: "A chat's status changed", example: { chat_id: 'c_1', status: 'snoozed' } },
];

// The page's Node.js example, verbatim.
function verifySignature(payload: string, signature: string, secret: string): boolean {
  const expected = 'sha256=' + crypto
    .createHmac('sha256', secret)
    .update(payload)
    .digest('hex');
  return crypto.timingSafeEqual(
    Buffer.from(signature),
    Buffer.from(expected),
  );
}

let fx: SeedFixture;
/** The secret Herald generated anyway; Orki's customers are never shown it, so it must not be the key. */
let generatedSecret: string;
/** The verify token each receiver (by path) was configured with. */
const tokens = new Map<string, string>();
const failTypes = new Set<string>();
const slowPaths = new Set<string>();

function orkiReceiver(request: Received, res: ServerResponse): void {
  const url = new URL(request.url, 'http://x');
  const token = tokens.get(url.pathname);
  if (request.method === 'GET') {
    // Steps 2 and 3 of the handshake: check the token, echo the challenge.
    const mode = url.searchParams.get('hub.mode');
    const challenge = url.searchParams.get('hub.challenge');
    if (mode === 'subscribe' && challenge && url.searchParams.get('hub.verify_token') === token) return void res.writeHead(200, { 'content-type': 'text/plain' }).end(challenge);
    return void res.writeHead(403).end('verify token mismatch');
  }
  const signature = header(request, 'x-hub-signature-256') ?? '';
  let ok = false;
  try {
    ok = token !== undefined && verifySignature(request.body, signature, token);
  } catch {
    ok = false; // timingSafeEqual throws on a length mismatch: the signature is wrong
  }
  if (!ok) return void res.writeHead(401).end('bad signature');
  if (slowPaths.has(url.pathname)) return void setTimeout(() => res.writeHead(200).end('late'), 1500);
  if (failTypes.has(JSON.parse(request.body).type)) return void res.writeHead(500).end('handler crashed');
  res.writeHead(200).end('ok');
}

async function register(tenantId: string, path: string, verifyToken: string, eventTypes = CATALOG.map((e) => e.name)): Promise<any> {
  return createEndpoint(fx.herald, tenantId, { url: `${fx.receiver.url}${path}`, eventTypes, verifyToken, description: 'Orki webhook' });
}

beforeAll(async () => {
  fx = await startSeedFixture();
  fx.receiver.respond(orkiReceiver);
  await defineCatalog(fx.herald, CATALOG);
  await createTenant(fx.herald, TENANT, 'A clinic on Orki', SETTINGS);
  // The 5 s rule scaled down, so a receiver slower than its tenant's timeout fails quickly.
  await createTenant(fx.herald, SLOW, 'Orki, 300 ms timeout', { ...SETTINGS, attemptTimeoutMs: 300 });
});
afterAll(async () => fx.close());

describe('Orki on Herald', () => {
  it('activates an endpoint only after the receiver echoes the hub.challenge of the GET handshake', async () => {
    tokens.set('/orki', 'orki-verify-token-7f3a');
    const endpoint = await register(TENANT, '/orki', 'orki-verify-token-7f3a');
    expect(endpoint).toMatchObject({ status: 'active', hasVerifyToken: true });
    generatedSecret = endpoint.secret;
    const [handshake] = on(fx.receiver, '/orki', 'GET');
    const query = new URL(handshake!.url, 'http://x').searchParams;
    expect(query.get('hub.mode')).toBe('subscribe');
    expect(query.get('hub.verify_token')).toBe('orki-verify-token-7f3a');
    expect(query.get('hub.challenge')).toMatch(/^\S{8,}$/);
    const audit = await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/audit-log`);
    expect(audit.body.data).toContainEqual(expect.objectContaining({ action: 'endpoint.verified', targetId: endpoint.id }));
  });

  it('signs every Orki event with X-Hub-Signature-256 keyed by the verify token, as the page verifies it', async () => {
    const endpoint = (await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/endpoints`)).body.data[0];
    for (const entry of CATALOG) {
      const event = await publish(fx.herald, TENANT, entry.name, entry.example);
      const request = await requestFor(fx.receiver, '/orki', event.id);
      const signature = header(request, 'x-hub-signature-256')!;
      expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifySignature(request.body, signature, 'orki-verify-token-7f3a')).toBe(true);
      // GitHub-style verifiers agree: the token is the key.
      expect(await octokitVerify('orki-verify-token-7f3a', request.body, signature)).toBe(true);
      expect(verifySignature(request.body, signature, generatedSecret)).toBe(false);
      expect(header(request, 'user-agent')).toBe('Orki-Webhooks/1.0');
      const delivery = await settledDelivery(fx.herald, TENANT, (await deliveryOf(fx.herald, TENANT, event.id, endpoint.id)).id, (d) => d.status === 'succeeded');
      expect(delivery.attempts[0].statusCode).toBe(200);
    }
  });

  it('keeps an endpoint whose receiver does not echo the challenge out of traffic until it passes', async () => {
    tokens.set('/misconfigured', 'a-token-typed-wrong');
    const endpoint = await register(TENANT, '/misconfigured', 'orki-token-b');
    expect(endpoint.status).toBe('verification_failed');
    expect(endpoint.disabledReason).toMatch(/handshake/);

    const event = await publish(fx.herald, TENANT, 'meta.message', { chat_id: 'c_2', text: 'waiting' });
    const held = await deliveryOf(fx.herald, TENANT, event.id, endpoint.id);
    expect(held.status).toBe('pending');
    expect(on(fx.receiver, '/misconfigured')).toEqual([]);

    tokens.set('/misconfigured', 'orki-token-b'); // the customer fixes their server
    const verified = await fx.herald.api('POST', `/api/v1/tenants/${TENANT}/endpoints/${endpoint.id}/verify`, {});
    expect(verified.body.status).toBe('active');
    const request = await requestFor(fx.receiver, '/misconfigured', event.id);
    expect(verifySignature(request.body, header(request, 'x-hub-signature-256')!, 'orki-token-b')).toBe(true);
  });

  it('runs the handshake again when the URL changes', async () => {
    tokens.set('/moved', 'orki-verify-token-7f3a');
    const endpoint = (await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/endpoints`)).body.data[0];
    const moved = await fx.herald.api('PATCH', `/api/v1/tenants/${TENANT}/endpoints/${endpoint.id}`, { url: `${fx.receiver.url}/moved` });
    expect(moved.body.status).toBe('active');
    expect(on(fx.receiver, '/moved', 'GET')).toHaveLength(1);
    await fx.herald.api('PATCH', `/api/v1/tenants/${TENANT}/endpoints/${endpoint.id}`, { url: `${fx.receiver.url}/orki` });
  });

  it('fails an attempt the receiver answers later than the tenant timeout', async () => {
    tokens.set('/slow', 'slow-token');
    slowPaths.add('/slow');
    const endpoint = await register(SLOW, '/slow', 'slow-token', ['message.created']);
    expect(endpoint.status).toBe('active');
    const event = await publish(fx.herald, SLOW, 'message.created', { chat_id: 'c_3' });
    const delivery = await settledDelivery(fx.herald, SLOW, (await deliveryOf(fx.herald, SLOW, event.id, endpoint.id)).id, (d) => d.attemptCount >= 1);
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/timeout/) });
    expect(delivery.attempts[0].durationMs).toBeLessThan(1500);
  });

  it('filters the delivery log by event type, success or failure, and date range', async () => {
    tokens.set('/log', 'log-token');
    const endpoint = await register(TENANT, '/log', 'log-token');
    failTypes.add('chat.status_changed');
    const settle = async (events: any[]) => {
      for (const event of events) {
        const delivery = await deliveryOf(fx.herald, TENANT, event.id, endpoint.id);
        await settledDelivery(fx.herald, TENANT, delivery.id, (d) => d.attemptCount >= 1);
      }
    };
    const before = [
      await publish(fx.herald, TENANT, 'meta.message', { chat_id: 'c_4' }),
      await publish(fx.herald, TENANT, 'chat.status_changed', { chat_id: 'c_4', status: 'closed' }),
    ];
    await settle(before);
    const boundary = await timeBoundary();
    const after = [
      await publish(fx.herald, TENANT, 'message.created', { chat_id: 'c_5' }),
      await publish(fx.herald, TENANT, 'chat.status_changed', { chat_id: 'c_5', status: 'needs_attention' }),
      await publish(fx.herald, TENANT, 'meta.message', { chat_id: 'c_5' }),
    ];
    await settle(after);

    const log = (query: Record<string, string>) => deliveries(fx.herald, TENANT, { endpointId: endpoint.id, ...query });
    const eventIds = (items: any[]) => items.map((d) => d.eventId).sort();
    const ids = (events: any[]) => events.map((e) => e.id).sort();

    expect(eventIds(await log({}))).toEqual(ids([...before, ...after]));
    expect(eventIds(await log({ eventType: 'chat.status_changed' }))).toEqual(ids([before[1], after[1]]));
    expect(eventIds(await log({ outcome: 'failed' }))).toEqual(ids([before[1], after[1]]));
    expect(eventIds(await log({ outcome: 'succeeded' }))).toEqual(ids([before[0], after[0], after[2]]));
    expect(eventIds(await log({ from: boundary.toISOString() }))).toEqual(ids(after));
    expect(eventIds(await log({ to: boundary.toISOString() }))).toEqual(ids(before));
    expect(eventIds(await log({ eventType: 'chat.status_changed', outcome: 'failed', from: boundary.toISOString() }))).toEqual(ids([after[1]]));
    expect(await log({ eventType: 'meta.message', outcome: 'failed' })).toEqual([]);

    // Each entry opens on what the page lists: type, status code, time, when, error details.
    const [failed] = await log({ outcome: 'failed', from: boundary.toISOString() });
    const detail = (await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/deliveries/${failed.id}`)).body;
    expect(detail).toMatchObject({ eventType: 'chat.status_changed', status: 'failed' });
    expect(detail.attempts[0]).toMatchObject({ statusCode: 500, responseBody: 'handler crashed', error: 'HTTP 500', durationMs: expect.any(Number), startedAt: expect.any(String) });
    // Failed deliveries are retried automatically, and the endpoint counts its failures in a row.
    expect(detail.nextAttemptAt).not.toBeNull();
    await settle([
      await publish(fx.herald, TENANT, 'chat.status_changed', { chat_id: 'c_6', status: 'active' }),
      await publish(fx.herald, TENANT, 'chat.status_changed', { chat_id: 'c_7', status: 'active' }),
    ]);
    const current = (await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/endpoints/${endpoint.id}`)).body;
    expect(current.consecutiveFailures).toBeGreaterThanOrEqual(2);
  });
});
