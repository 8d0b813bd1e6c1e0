import crypto from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
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
  type SeedFixture,
} from '../support/seeds.js';

/**
 * mobieusCore (seeds/002): timestamped-hex with prefix `Mobieus`, so
 * `Mobieus-Signature: t=<unix>,v1=<hex>` over `t.raw_body`, checked with a 300 s tolerance;
 * `Mobieus-Event-Id`, `Mobieus-Event-Type`, `User-Agent: Mobieus-Webhook/1.0`; the schedule
 * 0s→1m→5m→30m→2h→6h→24h; auto-disable after 20 failures; the polling API has the same
 * envelopes as the webhooks.
 */

const TENANT = 'mobieus-community';
const SHORT = 'mobieus-short';

const SETTINGS = {
  signature: { scheme: 'timestamped-hex', prefix: 'Mobieus' },
  envelope: 'snake',
  userAgent: 'Mobieus-Webhook/1.0',
  retrySchedule: [0, 60, 300, 1800, 7200, 21600, 86400],
  attemptTimeoutMs: 10_000,
  autoDisableAfterFailures: 20,
};

// The community core events the page shows, and the nine added in 1.6.0.
const CATALOG = [
  { name: 'post.created', description: 'A post was created', example: { post_id: 9182, thread_id: 1124, forum_slug: 'general', title: 'Welcome to the community', author: { id: 42, username: 'jordan' } } },
  { name: 'post.edited', description: 'A post was edited', example: { post_id: 9182, thread_id: 1124 } },
  { name: 'ticket.created', description: 'A new support ticket is opened', example: { ticket_id: 77, subject: 'Login fails' } },
  { name: 'ticket.replied', description: 'An agent or requester adds a message', example: { ticket_id: 77, message_id: 5 } },
  { name: 'ticket.status_changed', description: 'Status changes (open, pending, resolved, closed)', example: { ticket_id: 77, from: 'open', to: 'pending' } },
  { name: 'ticket.assigned', description: 'Ticket is assigned to an agent or team', example: { ticket_id: 77, assignee: { type: 'team', id: 3 } } },
  { name: 'enrollment.created', description: 'A learner enrolls in a course', example: { enrollment_id: 1, course_id: 8, user_id: 42 } },
  { name: 'enrollment.completed', description: 'A learner completes a course', example: { enrollment_id: 1, course_id: 8, user_id: 42 } },
  { name: 'course.published', description: 'A course is published for the first time', example: { course_id: 8, title: 'Onboarding' } },
  { name: 'page.created', description: 'A new mobieusKnow page is created and approved', example: { page_id: 12, slug: 'faq' } },
  { name: 'page.updated', description: 'An approved edit is applied to a page', example: { page_id: 12, revision: 4 } },
];

// The page's Node.js receiver, verbatim but for `SECRET`, which is per endpoint here.
const TOLERANCE_S = 300;
function verifyMobieusSignature(SECRET: string, header: string | undefined, rawBody: string): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2)));
  const t = parseInt(parts.t, 10);
  const v1 = parts.v1;
  if (!t || !v1) return false;
  if (Math.abs(Math.floor(Date.now() / 1000) - t) > TOLERANCE_S) return false;
  const expected = crypto.createHmac('sha256', SECRET)
    .update(`${t}.${rawBody}`)
    .digest('hex');
  return crypto.timingSafeEqual(
    Buffer.from(expected, 'hex'),
    Buffer.from(v1, 'hex'),
  );
}

let fx: SeedFixture;
const secrets = new Map<string, string>();
const failing = new Set<string>();
const seen = new Set<string>();

/** app.post('/mobieus', express.raw(…), …): 400 unless verified, then dedupe on evt.id. */
function mobieusReceiver(request: Received, res: ServerResponse): void {
  const path = new URL(request.url, 'http://x').pathname;
  const ok = verifyMobieusSignature(secrets.get(path) ?? '', header(request, 'mobieus-signature'), request.body);
  if (!ok) return void res.writeHead(400).end();
  if (failing.has(path)) return void res.writeHead(500).end('not now');
  const evt = JSON.parse(request.body);
  seen.add(evt.id);
  res.writeHead(200).end();
}

async function endpoint(tenantId: string, path: string, eventTypes: string[]): Promise<any> {
  const created = await createEndpoint(fx.herald, tenantId, { url: `${fx.receiver.url}${path}`, eventTypes });
  secrets.set(path, created.secret); // MOBIEUS_WEBHOOK_SECRET, copied from the success page
  return created;
}

beforeAll(async () => {
  fx = await startSeedFixture();
  fx.receiver.respond(mobieusReceiver);
  await defineCatalog(fx.herald, CATALOG);
  await createTenant(fx.herald, TENANT, 'A community on mobieusCore', SETTINGS);
  // The same contract with a short schedule and threshold, to watch auto-disable happen.
  await createTenant(fx.herald, SHORT, 'mobieusCore, short schedule', { ...SETTINGS, retrySchedule: [0, 0, 0], autoDisableAfterFailures: 3 });
});
afterAll(async () => fx.close());

describe('mobieusCore on Herald', () => {
  it('keeps the documented schedule (7 attempts), 10 s timeout and 20-failure auto-disable', async () => {
    const tenant = await fx.herald.api('GET', `/api/v1/tenants/${TENANT}`);
    expect(tenant.body.settings).toMatchObject({ retrySchedule: [0, 60, 300, 1800, 7200, 21600, 86400], attemptTimeoutMs: 10_000, autoDisableAfterFailures: 20 });
  });

  it('sends the signed request the page shows, verified by its snippet with a 300 s tolerance', async () => {
    const all = await endpoint(TENANT, '/mobieus', ['*']);
    const published = [];
    for (const entry of CATALOG) published.push(await publish(fx.herald, TENANT, entry.name, entry.example));
    for (const event of published) {
      const request = await requestFor(fx.receiver, '/mobieus', event.id);
      expect(header(request, 'content-type')).toBe('application/json');
      expect(header(request, 'user-agent')).toBe('Mobieus-Webhook/1.0');
      expect(header(request, 'mobieus-event-id')).toBe(event.id);
      expect(header(request, 'mobieus-event-type')).toBe(event.type);
      const signature = header(request, 'mobieus-signature')!;
      expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(Math.abs(Number(signature.slice(2, signature.indexOf(','))) - Date.now() / 1000)).toBeLessThan(60);
      expect(Object.keys(JSON.parse(request.body))).toEqual(['id', 'type', 'created_at', 'data']);
      expect(JSON.parse(request.body)).toEqual(event);
      const delivery = await settledDelivery(fx.herald, TENANT, (await deliveryOf(fx.herald, TENANT, event.id, all.id)).id, (d) => d.status === 'succeeded');
      expect(delivery).toMatchObject({ attemptCount: 1, maxAttempts: 7 });
    }
    expect(published.every((event) => seen.has(event.id))).toBe(true);
  });

  it('the snippet refuses a stale timestamp, a changed body and another secret (it really checks)', async () => {
    const [request] = on(fx.receiver, '/mobieus');
    const secret = secrets.get('/mobieus')!;
    const signature = header(request!, 'mobieus-signature')!;
    expect(verifyMobieusSignature(secret, signature, request!.body)).toBe(true);
    expect(verifyMobieusSignature(secret, signature, request!.body.replace('"data":{', '"data":{"x":1,'))).toBe(false);
    expect(verifyMobieusSignature('whsec_someone_else', signature, request!.body)).toBe(false);
    const stale = Math.floor(Date.now() / 1000) - 301;
    const resigned = crypto.createHmac('sha256', secret).update(`${stale}.${request!.body}`).digest('hex');
    expect(verifyMobieusSignature(secret, `t=${stale},v1=${resigned}`, request!.body)).toBe(false);
  });

  it('"Send test event" fires a webhook.test the receiver sees like a normal delivery', async () => {
    const test = await fx.herald.api('POST', `/api/v1/tenants/${TENANT}/endpoints/${(await firstEndpoint(TENANT)).id}/test`, {});
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ success: true, statusCode: 200 });
    // "You'll see a delivery row appear with status succeeded."
    const row = (await deliveries(fx.herald, TENANT, { eventType: 'webhook.test' })).find((d) => d.id === test.body.deliveryId);
    expect(row).toMatchObject({ status: 'succeeded', isTest: true, attemptCount: 1 });
    const { eventId } = (await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/deliveries/${test.body.deliveryId}`)).body;
    const request = await requestFor(fx.receiver, '/mobieus', eventId);
    expect(JSON.parse(request.body).type).toBe('webhook.test');
    expect(header(request, 'mobieus-event-type')).toBe('webhook.test');
    expect(verifyMobieusSignature(secrets.get('/mobieus')!, header(request, 'mobieus-signature'), request.body)).toBe(true);
    // A test send is not an event of the community: polling does not show it.
    const polled = await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/events?type=webhook.test`);
    expect(polled.body.data).toEqual([]);
  });

  it('polling GET …/events answers the same envelopes, byte for byte, in publish order', async () => {
    const sent = on(fx.receiver, '/mobieus').map((r) => r.body).filter((body) => JSON.parse(body).type !== 'webhook.test');
    const items: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const query: string = after ? `?limit=4&after=${after}` : '?limit=4';
      const page = await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/events${query}`);
      expect(page.status).toBe(200);
      items.push(...page.body.data);
      if (!page.body.hasMore) break;
      after = page.body.cursor;
    }
    expect(items.map((item) => JSON.stringify(item)).sort()).toEqual([...sent].sort());
    expect(items.map((item: any) => item.type)).toEqual(CATALOG.map((e) => e.name));
    // By type, as the events reference is organised.
    const tickets = await fx.herald.api('GET', `/api/v1/tenants/${TENANT}/events?type=ticket.assigned`);
    expect(tickets.body.data.map((item: any) => item.type)).toEqual(['ticket.assigned']);
  });

  it('after a rotation, the snippet (which keeps the last v1=) verifies with the old secret until the grace period ends', async () => {
    const rotating = await endpoint(TENANT, '/rotating', ['page.*']);
    const oldSecret = rotating.secret;
    const rotated = await fx.herald.api('POST', `/api/v1/tenants/${TENANT}/endpoints/${rotating.id}/rotate-secret`, { gracePeriodSeconds: 3600 });
    const newSecret: string = rotated.body.secret;
    // The receiver has not moved to the new secret yet: grace exists for exactly this.
    const during = await publish(fx.herald, TENANT, 'page.updated', { page_id: 12, revision: 5 });
    const duringRequest = await requestFor(fx.receiver, '/rotating', during.id);
    const signature = header(duringRequest, 'mobieus-signature')!;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verifyMobieusSignature(oldSecret, signature, duringRequest.body)).toBe(true);
    // The page's parser sees one v1 only, so a receiver switched early fails until grace ends:
    // with this snippet the switch has to happen when the grace period ends.
    expect(verifyMobieusSignature(newSecret, signature, duringRequest.body)).toBe(false);
    await settledDelivery(fx.herald, TENANT, (await deliveryOf(fx.herald, TENANT, during.id, rotating.id)).id, (d) => d.status === 'succeeded');

    // Rotating again without grace: only the newest secret signs, and the receiver moves to it.
    const latest = await fx.herald.api('POST', `/api/v1/tenants/${TENANT}/endpoints/${rotating.id}/rotate-secret`, { gracePeriodSeconds: 0 });
    secrets.set('/rotating', latest.body.secret);
    const after = await publish(fx.herald, TENANT, 'page.created', { page_id: 13 });
    const afterRequest = await requestFor(fx.receiver, '/rotating', after.id);
    expect(verifyMobieusSignature(secrets.get('/rotating')!, header(afterRequest, 'mobieus-signature'), afterRequest.body)).toBe(true);
    expect(verifyMobieusSignature(newSecret, header(afterRequest, 'mobieus-signature'), afterRequest.body)).toBe(false);
    expect(verifyMobieusSignature(oldSecret, header(afterRequest, 'mobieus-signature'), afterRequest.body)).toBe(false);
  });

  it('auto-disables after the configured consecutive failures, audit-logged, and re-enables in one call', async () => {
    const down = await endpoint(SHORT, '/down', ['ticket.*']);
    failing.add('/down');
    const first = await publish(fx.herald, SHORT, 'ticket.created', { ticket_id: 1 });
    const delivery = await deliveryOf(fx.herald, SHORT, first.id, down.id);
    const dead = await settledDelivery(fx.herald, SHORT, delivery.id, (d) => d.status === 'dead');
    expect(dead.attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 500]);
    const disabled = await eventually(async () => {
      const answer = await fx.herald.api('GET', `/api/v1/tenants/${SHORT}/endpoints/${down.id}`);
      return answer.body.status === 'disabled' ? answer.body : null;
    });
    expect(disabled.disabledReason).toMatch(/3 consecutive/);
    const audit = await fx.herald.api('GET', `/api/v1/tenants/${SHORT}/audit-log`);
    expect(audit.body.data).toContainEqual(expect.objectContaining({ actor: 'system', action: 'endpoint.disabled', targetId: down.id }));

    // While disabled, new events wait for it rather than fail.
    const waiting = await publish(fx.herald, SHORT, 'ticket.replied', { ticket_id: 1 });
    const held = await deliveryOf(fx.herald, SHORT, waiting.id, down.id);
    expect(held.status).toBe('pending');
    failing.delete('/down');
    const enabled = await fx.herald.api('POST', `/api/v1/tenants/${SHORT}/endpoints/${down.id}/enable`, {});
    expect(enabled.body).toMatchObject({ status: 'active', disabledReason: null, consecutiveFailures: 0 });
    await settledDelivery(fx.herald, SHORT, held.id, (d) => d.status === 'succeeded');
    expect(seen.has(waiting.id)).toBe(true);
  });
});

async function firstEndpoint(tenantId: string): Promise<any> {
  const list = await fx.herald.api('GET', `/api/v1/tenants/${tenantId}/endpoints`);
  return list.body.data[0];
}
