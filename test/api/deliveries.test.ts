import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';
import { expectError, ISO_TIME, readAllPages, startApiFixture, type ApiFixture } from '../support/api.js';

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  status: string;
  attemptCount: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastAttempt: { statusCode: number | null; durationMs: number; error: string | null } | null;
  createdAt: string;
}

let fx: ApiFixture;
let failing: Receiver;
const base = '/api/v1/tenants/logs/deliveries';
/** ok: answers 200 to order.*; bad: answers 500 to order.created; parked: disabled, so its deliveries wait. */
const ep = { ok: '', bad: '', parked: '', picky: '' };
const evt = { created: '', paid: '' };
let all: Delivery[] = [];

const list = async (query: string): Promise<Delivery[]> => {
  const answer = await fx.api('GET', `${base}?limit=250&${query}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.data;
};
const idsOf = (deliveries: Delivery[]) => deliveries.map((d) => d.id).sort();

beforeAll(async () => {
  fx = await startApiFixture();
  failing = await Receiver.start((_request, res) => void res.writeHead(500).end('upstream broke'));
  for (const name of ['order.created', 'order.paid']) expect((await fx.api('POST', '/api/v1/event-types', { name })).status).toBe(201);
  // A failed attempt retries an hour later, so a failed delivery stays `failed` for the whole file.
  const tenant = await fx.api('POST', '/api/v1/tenants', { id: 'logs', name: 'Logs', settings: { retrySchedule: [0, 3600] } });
  expect(tenant.status).toBe(201);
  expect((await fx.api('POST', '/api/v1/tenants', { id: 'elsewhere', name: 'Elsewhere' })).status).toBe(201);

  const endpoint = async (url: string, eventTypes: string[], extra: Record<string, unknown> = {}) => {
    const created = await fx.api('POST', '/api/v1/tenants/logs/endpoints', { url, eventTypes, ...extra });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  ep.ok = await endpoint(`${fx.receiver.url}/ok`, ['order.*']);
  ep.bad = await endpoint(`${failing.url}/bad`, ['order.created']);
  ep.parked = await endpoint(`${fx.receiver.url}/parked`, ['*']);
  ep.picky = await endpoint(`${fx.receiver.url}/picky`, ['order.*'], { filter: { 'data.amount': { $gt: 1000 } } });
  expect((await fx.api('POST', `/api/v1/tenants/logs/endpoints/${ep.parked}/disable`)).status).toBe(200);

  const created = await fx.api('POST', '/api/v1/tenants/logs/events', { type: 'order.created', data: { amount: 5 } });
  expect(created.status).toBe(202);
  evt.created = created.body.id;
  // The two events must differ in creation time to test the date bounds.
  await eventually(async () => Date.now() > Date.parse(created.body.created_at) + 2);
  const paid = await fx.api('POST', '/api/v1/tenants/logs/events', { type: 'order.paid', data: { amount: 5 } });
  expect(paid.status).toBe(202);
  evt.paid = paid.body.id;

  all = await eventually(async () => {
    const deliveries = await list('');
    const settled = deliveries.filter((d) => d.status === 'succeeded' || d.status === 'failed');
    return settled.length === 3 ? deliveries : null;
  });
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await failing.close();
  await fx.close();
});

describe('GET …/deliveries', () => {
  it('lists one delivery per matching endpoint, newest first, in the documented shape', () => {
    // ok×2, bad×1 (order.created only), parked×2; picky's filter matches neither event.
    expect(all).toHaveLength(5);
    expect(all.filter((d) => d.endpointId === ep.picky)).toEqual([]);
    expect(all.map((d) => d.id)).toEqual(all.map((d) => d.id).sort().reverse());
    for (const delivery of all) {
      expect(delivery).toMatchObject({
        id: expect.stringMatching(/^dlv_/),
        eventId: expect.stringMatching(/^evt_/),
        eventType: expect.stringMatching(/^order\./),
        endpointId: expect.stringMatching(/^ep_/),
        status: expect.any(String),
        attemptCount: expect.any(Number),
        maxAttempts: 2,
        createdAt: expect.stringMatching(ISO_TIME),
      });
      expect(delivery).toHaveProperty('nextAttemptAt');
      expect(delivery).toHaveProperty('lastAttemptAt');
      expect(delivery).toHaveProperty('lastAttempt');
    }
  });

  it('filters by endpointId', async () => {
    const ok = await list(`endpointId=${ep.ok}`);
    expect(ok).toHaveLength(2);
    expect(ok.every((d) => d.endpointId === ep.ok)).toBe(true);
    expect(await list(`endpointId=${ep.bad}`)).toHaveLength(1);
    expect(await list('endpointId=ep_nope')).toEqual([]);
  });

  it('filters by eventType', async () => {
    const paid = await list('eventType=order.paid');
    expect(idsOf(paid)).toEqual(idsOf(all.filter((d) => d.eventType === 'order.paid')));
    expect(paid).toHaveLength(2);
    expect(await list(`eventType=order.created&endpointId=${ep.ok}`)).toHaveLength(1);
  });

  it('filters by outcome: succeeded, failed, pending', async () => {
    const succeeded = await list('outcome=succeeded');
    expect(succeeded).toHaveLength(2);
    expect(succeeded.every((d) => d.endpointId === ep.ok && d.status === 'succeeded')).toBe(true);
    for (const d of succeeded) expect(d.lastAttempt).toEqual({ statusCode: 200, durationMs: expect.any(Number), error: null });

    const failed = await list('outcome=failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ endpointId: ep.bad, status: 'failed', attemptCount: 1, maxAttempts: 2, nextAttemptAt: expect.stringMatching(ISO_TIME) });
    // The latest attempt's outcome, in the list itself: the log shows it without opening each delivery.
    expect(failed[0]!.lastAttempt).toEqual({ statusCode: 500, durationMs: expect.any(Number), error: expect.any(String) });

    const pending = await list('outcome=pending');
    expect(pending).toHaveLength(2);
    expect(pending.every((d) => d.endpointId === ep.parked && d.status === 'pending' && d.attemptCount === 0 && d.lastAttempt === null)).toBe(true);
  });

  it('bounds the creation time with from and to, both inclusive', async () => {
    const createdAt = all.find((d) => d.eventId === evt.created)!.createdAt;
    const paidAt = all.find((d) => d.eventId === evt.paid)!.createdAt;
    expect(Date.parse(paidAt)).toBeGreaterThan(Date.parse(createdAt));
    const ofEvent = (id: string) => idsOf(all.filter((d) => d.eventId === id));

    expect(idsOf(await list(`from=${paidAt}`))).toEqual(ofEvent(evt.paid));
    expect(idsOf(await list(`to=${createdAt}`))).toEqual(ofEvent(evt.created));
    expect(idsOf(await list(`from=${createdAt}&to=${createdAt}`))).toEqual(ofEvent(evt.created));
    expect(idsOf(await list(`from=${createdAt}&to=${paidAt}`))).toEqual(idsOf(all));
    const justAfter = new Date(Date.parse(paidAt) + 1).toISOString();
    expect(await list(`from=${justAfter}`)).toEqual([]);
    expect(idsOf(await list(`from=${encodeURIComponent('2000-01-01T00:00:00+01:00')}`))).toEqual(idsOf(all));
  });

  it('pages with limit and cursor, each delivery once', async () => {
    const { items, pages } = await readAllPages<Delivery>(fx, base, 2);
    expect(pages).toBe(3);
    expect(items.map((d) => d.id)).toEqual(all.map((d) => d.id));
    const { items: filtered } = await readAllPages<Delivery>(fx, `${base}?endpointId=${ep.ok}`, 1);
    expect(filtered.map((d) => d.id)).toEqual(all.filter((d) => d.endpointId === ep.ok).map((d) => d.id));
  });

  it.each([
    ['cursor=garbage', 'an invalid cursor'],
    ['cursor=evt_01JG0000000000000000000000', "another object's id as cursor"],
    ['from=yesterday', 'an invalid from'],
    ['to=2026-13-45T00:00:00Z', 'an invalid to'],
    ['outcome=dead', 'an unknown outcome'],
    ['eventType=not%20a%20type', 'an invalid eventType'],
    ['limit=0', 'limit 0'],
    ['limit=-3', 'a negative limit'],
    ['limit=ten', 'a non-numeric limit'],
  ])('refuses %s (%s) with 422', async (query) => {
    expectError(await fx.api('GET', `${base}?${query}`), 422, 'validation_failed');
  });

  it("answers 404 for another tenant's deliveries", async () => {
    expect((await fx.api('GET', '/api/v1/tenants/elsewhere/deliveries')).body.data).toEqual([]);
    expectError(await fx.api('GET', `/api/v1/tenants/elsewhere/deliveries/${all[0]!.id}`), 404, 'not_found');
  });
});

describe('GET …/deliveries/:did', () => {
  it('answers a delivered one with its event envelope and its attempts', async () => {
    const summary = all.find((d) => d.endpointId === ep.ok && d.eventId === evt.created)!;
    const detail = await fx.api('GET', `${base}/${summary.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ ...summary, status: 'succeeded', attemptCount: 1, lastAttemptAt: expect.stringMatching(ISO_TIME) });
    expect(detail.body.event).toEqual({ id: evt.created, type: 'order.created', created_at: expect.stringMatching(ISO_TIME), data: { amount: 5 } });
    expect(detail.body.attempts).toHaveLength(1);
    expect(detail.body.attempts[0]).toMatchObject({
      number: 1,
      startedAt: expect.stringMatching(ISO_TIME),
      durationMs: expect.any(Number),
      statusCode: 200,
      responseBody: 'ok',
      error: null,
    });
    const headers = Object.fromEntries(Object.entries(detail.body.attempts[0].requestHeaders as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': expect.any(String), 'webhook-signature': '[redacted]' });
  });

  it('answers a failed one with the response it got', async () => {
    const summary = all.find((d) => d.endpointId === ep.bad)!;
    const detail = await fx.api('GET', `${base}/${summary.id}`);
    expect(detail.body).toMatchObject({ status: 'failed', attemptCount: 1, maxAttempts: 2 });
    expect(detail.body.attempts).toEqual([expect.objectContaining({ number: 1, statusCode: 500, responseBody: 'upstream broke' })]);
    const [last] = detail.body.attempts;
    expect(detail.body.lastAttempt).toEqual({ statusCode: 500, durationMs: last.durationMs, error: last.error });
  });

  it('answers a waiting one with no attempts', async () => {
    const summary = all.find((d) => d.endpointId === ep.parked)!;
    const detail = await fx.api('GET', `${base}/${summary.id}`);
    expect(detail.body).toMatchObject({ status: 'pending', attemptCount: 0, attempts: [] });
    expect(detail.body.event.id).toBe(summary.eventId);
  });

  it('answers 404 for an unknown delivery', async () => {
    expectError(await fx.api('GET', `${base}/dlv_01JG0000000000000000000000`), 404, 'not_found');
    expectError(await fx.api('GET', `${base}/nonsense`), 404, 'not_found');
    expectError(await fx.api('POST', `${base}/dlv_01JG0000000000000000000000/retry`), 404, 'not_found');
  });
});

describe('POST …/deliveries/:did/retry', () => {
  it('re-sends a failed delivery with a fresh run of the schedule', async () => {
    const summary = all.find((d) => d.endpointId === ep.bad)!;
    const retried = await fx.api('POST', `${base}/${summary.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: summary.id, attemptCount: 1, maxAttempts: 3 });
    const detail = await eventually(async () => {
      const answer = await fx.api('GET', `${base}/${summary.id}`);
      return answer.body.attemptCount === 2 && answer.body.status === 'failed' ? answer.body : null;
    });
    expect(detail.attempts.map((a: { number: number }) => a.number)).toEqual([1, 2]);
  });
});
