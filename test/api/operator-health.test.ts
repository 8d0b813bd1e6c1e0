import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';
import { expectError, ISO_TIME, startApiFixture, type ApiFixture } from '../support/api.js';

let fx: ApiFixture;
let failing: Receiver;
const ep = { ok: '', bad: '', off: '' };
const path = '/api/v1/operator/health';

beforeAll(async () => {
  fx = await startApiFixture();
  failing = await Receiver.start((_request, res) => void res.writeHead(500).end('upstream broke'));
  expect((await fx.api('POST', '/api/v1/event-types', { name: 'order.created', example: { id: 1 } })).status).toBe(201);
  // A failed attempt retries an hour later, so it stays `failed` for the whole file.
  for (const [id, name] of [['h-acme', 'Acme Corp'], ['h-beta', 'Beta Inc'], ['h-quiet', 'Quiet']]) {
    expect((await fx.api('POST', '/api/v1/tenants', { id, name, settings: { retrySchedule: [0, 3600] } })).status).toBe(201);
  }
  const endpoint = async (tenant: string, url: string) => (await fx.api('POST', `/api/v1/tenants/${tenant}/endpoints`, { url, eventTypes: ['order.*'] })).body.id as string;
  ep.ok = await endpoint('h-acme', `${fx.receiver.url}/ok`);
  ep.bad = await endpoint('h-acme', `${failing.url}/bad`);
  ep.off = await endpoint('h-acme', `${fx.receiver.url}/off`);
  await endpoint('h-beta', `${fx.receiver.url}/beta`);
  expect((await fx.api('POST', `/api/v1/tenants/h-acme/endpoints/${ep.off}/disable`)).status).toBe(200);
  expect((await fx.api('POST', '/api/v1/tenants/h-acme/events', { type: 'order.created', data: { n: 1 } })).status).toBe(202);
  await eventually(async () => {
    const deliveries = (await fx.api('GET', '/api/v1/tenants/h-acme/deliveries')).body.data as { status: string }[];
    return deliveries.filter((d) => d.status === 'succeeded' || d.status === 'failed').length === 2;
  });
  // A test send that fails ends dead: it is not counted.
  expect((await fx.api('POST', `/api/v1/tenants/h-acme/endpoints/${ep.bad}/test`, {})).body.success).toBe(false);
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await failing.close();
  await fx.close();
});

describe('GET /api/v1/operator/health', () => {
  it("answers a page of tenants with each one's endpoints, unresolved deliveries and last 24 h, and the outcome chart", async () => {
    const answer = await fx.api('GET', path);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ from: expect.stringMatching(ISO_TIME), to: expect.stringMatching(ISO_TIME), bucket: 'hour', nextCursor: null });
    expect(Date.parse(answer.body.to) - Date.parse(answer.body.from)).toBe(86_400_000);
    expect(answer.body.outcomes).toMatchObject({ bucket: 'hour', totals: { succeeded: 1, failed: 1, pending: 1 } });
    expect(answer.body.data.map((row: { tenant: { id: string } }) => row.tenant.id)).toEqual(['h-acme', 'h-beta', 'h-quiet']);
    const [acme, beta, quiet] = answer.body.data;
    expect(acme).toEqual({
      tenant: { id: 'h-acme', name: 'Acme Corp' },
      endpoints: { total: 3, active: 2, disabled: 1, unverified: 0, failing: 1 },
      // The waiting delivery is the disabled endpoint's; the failed test send is not dead here.
      deliveries: { pending: 1, failed: 1, dead: 0 },
      attempts: { attempts: 2, succeeded: 1, successRate: 0.5, avgLatencyMs: expect.any(Number), maxLatencyMs: expect.any(Number) },
      attention: [
        { id: ep.off, url: `${fx.receiver.url}/off`, status: 'disabled', disabledReason: 'Disabled by request', consecutiveFailures: 0 },
        { id: ep.bad, url: `${failing.url}/bad`, status: 'active', disabledReason: null, consecutiveFailures: 1 },
      ],
    });
    expect(beta).toMatchObject({ endpoints: { total: 1, active: 1 }, deliveries: { pending: 0, failed: 0, dead: 0 }, attention: [] });
    expect(quiet.attempts).toEqual({ attempts: 0, succeeded: 0, successRate: null, avgLatencyMs: null, maxLatencyMs: null });
  });

  it('pages by tenant id; only the first page carries the chart', async () => {
    const first = await fx.api('GET', `${path}?limit=2`);
    expect(first.body.data.map((row: { tenant: { id: string } }) => row.tenant.id)).toEqual(['h-acme', 'h-beta']);
    expect(first.body.nextCursor).toBe('h-beta');
    const second = await fx.api('GET', `${path}?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ outcomes: null, nextCursor: null, data: [{ tenant: { id: 'h-quiet' } }] });
  });

  it('searches tenant ids, names and endpoint URLs, ignoring case, and narrows to tenants needing attention', async () => {
    const found = async (query: string) => (await fx.api('GET', `${path}?${query}`)).body.data.map((row: { tenant: { id: string } }) => row.tenant.id);
    expect(await found('search=BETA')).toEqual(['h-beta']);
    expect(await found('search=quiet')).toEqual(['h-quiet']);
    expect(await found(`search=${encodeURIComponent('/off')}`)).toEqual(['h-acme']);
    expect(await found('search=nobody')).toEqual([]);
    expect(await found('attention=true')).toEqual(['h-acme']);
    expect(await found('attention=true&search=beta')).toEqual([]);
  });

  it('is for the operator only', async () => {
    const key = (await fx.api('POST', '/api/v1/tenants/h-acme/api-keys')).body.key as string;
    const portal = (await fx.api('POST', '/api/v1/tenants/h-acme/portal-token')).body.token as string;
    expectError(await fx.api('GET', path, undefined, key), 403, 'forbidden');
    expectError(await fx.api('GET', path, undefined, portal), 403, 'forbidden');
    expectError(await fx.api('GET', path, undefined, null), 401, 'unauthorized');
  });

  it.each([
    ['cursor=not%20an%20id', 'a cursor that is no tenant id'],
    ['limit=0', 'limit 0'],
    ['limit=251', 'limit over 250'],
    [`search=${'x'.repeat(201)}`, 'a search over 200 characters'],
    ['attention=maybe', 'attention that is no boolean'],
    ['from=2026-01-02T00:00:00.000Z&to=2026-01-01T00:00:00.000Z', 'a range that ends before it starts'],
  ])('refuses %s (%s) with 422', async (query) => {
    expectError(await fx.api('GET', `${path}?${query}`), 422, 'validation_failed');
  });
});
