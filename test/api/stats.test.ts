import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';
import { expectError, ISO_TIME, startApiFixture, type ApiFixture } from '../support/api.js';

let fx: ApiFixture;
let failing: Receiver;
const ep = { ok: '', bad: '' };
const base = '/api/v1/tenants/st/stats';

beforeAll(async () => {
  fx = await startApiFixture();
  failing = await Receiver.start((_request, res) => void res.writeHead(500).end('upstream broke'));
  expect((await fx.api('POST', '/api/v1/event-types', { name: 'order.created' })).status).toBe(201);
  // A failed attempt retries an hour later, so each delivery makes exactly one attempt here.
  expect((await fx.api('POST', '/api/v1/tenants', { id: 'st', name: 'Stats', settings: { retrySchedule: [0, 3600] } })).status).toBe(201);
  expect((await fx.api('POST', '/api/v1/tenants', { id: 'other', name: 'Other' })).status).toBe(201);
  const endpoint = async (url: string) => (await fx.api('POST', '/api/v1/tenants/st/endpoints', { url, eventTypes: ['order.*'] })).body.id as string;
  ep.ok = await endpoint(`${fx.receiver.url}/ok`);
  ep.bad = await endpoint(`${failing.url}/bad`);
  for (let i = 0; i < 3; i++) expect((await fx.api('POST', '/api/v1/tenants/st/events', { type: 'order.created', data: { i } })).status).toBe(202);
  await eventually(async () => {
    const deliveries = (await fx.api('GET', '/api/v1/tenants/st/deliveries?limit=50')).body.data as { status: string }[];
    return deliveries.filter((d) => d.status === 'succeeded' || d.status === 'failed').length === 6;
  });
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await failing.close();
  await fx.close();
});

describe('GET …/stats', () => {
  it('counts attempts, successes, success rate and latency per endpoint, hourly over the last 24 h', async () => {
    const answer = await fx.api('GET', base);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ bucket: 'hour', bucketMs: 3_600_000, from: expect.stringMatching(ISO_TIME), to: expect.stringMatching(ISO_TIME) });
    expect(Date.parse(answer.body.to) - Date.parse(answer.body.from)).toBe(24 * 3_600_000);
    const of = (id: string) => answer.body.endpoints.find((e: { endpointId: string }) => e.endpointId === id);
    expect(of(ep.ok).totals).toMatchObject({ attempts: 3, succeeded: 3, successRate: 1 });
    expect(of(ep.bad).totals).toMatchObject({ attempts: 3, succeeded: 0, successRate: 0 });
    for (const id of [ep.ok, ep.bad]) {
      const { totals, buckets } = of(id);
      expect(totals.avgLatencyMs).toBeGreaterThanOrEqual(0);
      expect(totals.maxLatencyMs).toBeGreaterThanOrEqual(totals.avgLatencyMs);
      expect(buckets.reduce((n: number, b: { attempts: number }) => n + b.attempts, 0)).toBe(3);
      for (const bucket of buckets) expect(Date.parse(bucket.start) % 3_600_000).toBe(0);
    }
  });

  it('buckets by day over ranges longer than 48 h and honours the bounds', async () => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const week = await fx.api('GET', `${base}?from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}&to=${to}`);
    expect(week.body).toMatchObject({ bucket: 'day', bucketMs: 86_400_000 });
    expect(week.body.endpoints).toHaveLength(2);
    const past = await fx.api('GET', `${base}?from=2020-01-01T00:00:00.000Z&to=2020-01-02T00:00:00.000Z`);
    expect(past.body.endpoints).toEqual([]);
  });

  it('refuses a range that ends before it starts', async () => {
    expectError(await fx.api('GET', `${base}?from=2026-01-02T00:00:00.000Z&to=2026-01-01T00:00:00.000Z`), 422, 'validation_failed');
    expectError(await fx.api('GET', `${base}?from=yesterday`), 422, 'validation_failed');
  });

  it("keeps tenants apart: another tenant's key gets 404, another tenant's stats are its own", async () => {
    const key = (await fx.api('POST', '/api/v1/tenants/other/api-keys')).body.key as string;
    expectError(await fx.api('GET', base, undefined, key), 404, 'not_found');
    expect((await fx.api('GET', '/api/v1/tenants/other/stats', undefined, key)).body.endpoints).toEqual([]);
    expectError(await fx.api('GET', '/api/v1/tenants/nobody/stats'), 404, 'not_found');
  });
});

describe('GET /api/v1/stats (operator)', () => {
  it('counts deliveries of all tenants by outcome, hourly over the last 24 h', async () => {
    const answer = await fx.api('GET', '/api/v1/stats');
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ bucket: 'hour', bucketMs: 3_600_000, totals: { succeeded: 3, failed: 3, pending: 0 } });
    expect(Date.parse(answer.body.to) - Date.parse(answer.body.from)).toBe(24 * 3_600_000);
    const buckets = answer.body.buckets as { start: string; succeeded: number; failed: number; pending: number }[];
    expect(buckets.reduce((n, b) => n + b.succeeded + b.failed + b.pending, 0)).toBe(6);
    for (const bucket of buckets) expect(Date.parse(bucket.start) % 3_600_000).toBe(0);
  });

  it('buckets by day over ranges longer than 48 h, honours the bounds and refuses a backwards range', async () => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const week = await fx.api('GET', `/api/v1/stats?from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}&to=${to}`);
    expect(week.body).toMatchObject({ bucket: 'day', bucketMs: 86_400_000, totals: { succeeded: 3, failed: 3 } });
    for (const bucket of week.body.buckets) expect(Date.parse(bucket.start) % 86_400_000).toBe(0);
    expect((await fx.api('GET', '/api/v1/stats?from=2020-01-01T00:00:00.000Z&to=2020-01-02T00:00:00.000Z')).body.buckets).toEqual([]);
    expectError(await fx.api('GET', '/api/v1/stats?from=2026-01-02T00:00:00.000Z&to=2026-01-01T00:00:00.000Z'), 422, 'validation_failed');
  });

  it('is for the operator only', async () => {
    const key = (await fx.api('POST', '/api/v1/tenants/other/api-keys')).body.key as string;
    expectError(await fx.api('GET', '/api/v1/stats', undefined, key), 403, 'forbidden');
  });
});
