import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEndpoint, createTenant, deliveryFor, ensureEventType, flatHeaders, getEndpoint, hasStatus, publish, scripted, waitForDelivery } from '../support/delivery.js';
import { eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

/**
 * Issue 13 end to end: a real loopback receiver registered as the operator's endpoint gets each
 * operational event, signed the Standard Webhooks way (checked with the `standardwebhooks`
 * library), with the data the contract names, caused by real failing and recovering receivers.
 */
const TYPE = 'ops.checked';

let herald: TestHerald;
let operator: Receiver;
let tenantSide: Receiver;
let secret: string;
let tenantKey: string;
let tenant: string;

beforeAll(async () => {
  herald = await startTestHerald();
  operator = await Receiver.start();
  tenantSide = await Receiver.start();
  await ensureEventType(herald, TYPE);
  expect((await herald.api('PATCH', '/api/v1/operator/settings', { failingAfter: 2 })).status).toBe(200);
  const created = await herald.api('POST', '/api/v1/operator/endpoints', { url: `${operator.url}/ops`, eventTypes: ['*'] });
  expect(created.status).toBe(201);
  secret = created.body.secret;
  // Every step of the schedule is 0 s, so retries follow at once.
  tenant = await createTenant(herald, { retrySchedule: [0, 0, 0, 0, 0, 0], autoDisableAfterFailures: 4, eventQuota: { limit: 5, period: 'day' } });
  tenantKey = (await herald.api('POST', `/api/v1/tenants/${tenant}/api-keys`, {})).body.key;
});

afterAll(async () => {
  await herald.stop();
  await operator.close();
  await tenantSide.close();
  removeDir(herald.dir);
});

/** What the operator's main endpoint got, each verified with its secret. */
function operatorEvents(): Array<{ type: string; data: Record<string, unknown> }> {
  return operator.received.filter((request) => request.url === '/ops').map((request) => new Webhook(secret).verify(request.body, flatHeaders(request)) as { type: string; data: Record<string, unknown> });
}

const eventsOf = (type: string, endpointId?: string) => operatorEvents().filter((e) => e.type === type && (!endpointId || e.data.endpointId === endpointId));
const waitForEvent = (type: string, endpointId?: string) => eventually(async () => eventsOf(type, endpointId)[0], 15_000);

it('tells of a failing endpoint once, of its disabling by Herald, its enabling and recovery', async () => {
  tenantSide.respond(scripted({ status: 503 }));
  const endpoint = await createEndpoint(herald, tenant, { url: `${tenantSide.url}/flaky`, eventTypes: [TYPE] });
  const event = await publish(herald, tenant, TYPE, { n: 1 });
  const url = endpoint.url;

  const failing = await waitForEvent('endpoint.failing', endpoint.id);
  expect(failing.data).toEqual({ tenantId: tenant, endpointId: endpoint.id, url, consecutiveFailures: 2, lastStatusCode: 503, lastError: 'HTTP 503' });
  const disabled = await waitForEvent('endpoint.disabled', endpoint.id);
  expect(disabled.data).toEqual({ tenantId: tenant, endpointId: endpoint.id, url, reason: '4 consecutive failed attempts', by: 'system' });
  expect((await getEndpoint(herald, tenant, endpoint.id)).failing).toBe(true);
  const alerts = (await herald.api('GET', '/api/v1/operator/endpoint-alerts')).body.data;
  expect(alerts).toContainEqual(expect.objectContaining({ endpointId: endpoint.id, status: 'disabled', failing: true }));

  // The tenant enables it (its streak goes on), the receiver heals, the waiting delivery succeeds.
  tenantSide.respond(scripted({ status: 200 }));
  expect((await herald.api('POST', `/api/v1/tenants/${tenant}/endpoints/${endpoint.id}/enable`, undefined, tenantKey)).status).toBe(200);
  expect((await waitForEvent('endpoint.enabled', endpoint.id)).data).toEqual({ tenantId: tenant, endpointId: endpoint.id, url });
  expect((await waitForEvent('endpoint.recovered', endpoint.id)).data).toEqual({ tenantId: tenant, endpointId: endpoint.id, url });
  await waitForDelivery(herald, tenant, (await deliveryFor(herald, tenant, endpoint.id, event.id)).id, hasStatus('succeeded'));
  expect((await getEndpoint(herald, tenant, endpoint.id)).failing).toBe(false);
  // Exactly once each, whatever the number of attempts in the streak.
  for (const type of ['endpoint.failing', 'endpoint.disabled', 'endpoint.enabled', 'endpoint.recovered']) expect(eventsOf(type, endpoint.id), type).toHaveLength(1);
});

it('says who disabled an endpoint: its tenant or the operator', async () => {
  const endpoint = await createEndpoint(herald, tenant, { url: `${tenantSide.url}/by`, eventTypes: [TYPE] });
  await herald.api('POST', `/api/v1/tenants/${tenant}/endpoints/${endpoint.id}/disable`, undefined, tenantKey);
  await herald.api('POST', `/api/v1/tenants/${tenant}/endpoints/${endpoint.id}/enable`);
  await herald.api('POST', `/api/v1/tenants/${tenant}/endpoints/${endpoint.id}/disable`);
  const disabled = await eventually(async () => (eventsOf('endpoint.disabled', endpoint.id).length === 2 ? eventsOf('endpoint.disabled', endpoint.id) : null));
  expect(disabled.map((e) => e.data.by)).toEqual(['tenant', 'operator']);
  expect(disabled[0]!.data).toEqual({ tenantId: tenant, endpointId: endpoint.id, url: endpoint.url, reason: 'Disabled by request', by: 'tenant' });
});

it('tells of a delivery that used its last attempt', async () => {
  const single = await createTenant(herald, { retrySchedule: [0], autoDisableAfterFailures: 0 });
  tenantSide.respond((request, res) => void res.writeHead(request.url === '/dead' ? 500 : 200).end());
  const endpoint = await createEndpoint(herald, single, { url: `${tenantSide.url}/dead`, eventTypes: [TYPE] });
  const event = await publish(herald, single, TYPE, { n: 2 });
  const delivery = await waitForDelivery(herald, single, (await deliveryFor(herald, single, endpoint.id, event.id)).id, hasStatus('dead'));
  const exhausted = await eventually(async () => eventsOf('delivery.exhausted').find((e) => e.data.deliveryId === delivery.id));
  expect(exhausted.data).toEqual({ tenantId: single, endpointId: endpoint.id, deliveryId: delivery.id, eventId: event.id, eventType: TYPE, attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500' });
});

it('tells of a tenant reaching 80 % and 100 % of its quota, once each', async () => {
  // The first test published one of the tenant's five events.
  for (let i = 0; i < 4; i++) await publish(herald, tenant, TYPE, { q: i });
  const warning = await waitForEvent('quota.warning');
  expect(warning.data).toMatchObject({ tenantId: tenant, limit: 5, used: 4, period: 'day' });
  const exceeded = await waitForEvent('quota.exceeded');
  expect(exceeded.data).toMatchObject({ tenantId: tenant, limit: 5, used: 5, period: 'day' });
  expect((await herald.api('POST', `/api/v1/tenants/${tenant}/events`, { type: TYPE, data: {} })).status).toBe(429);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect([eventsOf('quota.warning').length, eventsOf('quota.exceeded').length]).toEqual([1, 1]);
});

it("never tells of the operator's own endpoints, however they fail", async () => {
  const broken = await herald.api('POST', '/api/v1/operator/endpoints', { url: `${operator.url}/broken`, eventTypes: ['endpoint.*'] });
  operator.respond((request, res) => void res.writeHead(request.url === '/broken' ? 500 : 200).end());
  await herald.api('POST', `/api/v1/operator/endpoints/${broken.body.id}/disable`);
  await herald.api('POST', `/api/v1/operator/endpoints/${broken.body.id}/enable`);
  const endpoint = await createEndpoint(herald, tenant, { url: `${tenantSide.url}/by2`, eventTypes: [TYPE] });
  await herald.api('POST', `/api/v1/tenants/${tenant}/endpoints/${endpoint.id}/disable`);
  await herald.api('POST', `/api/v1/tenants/${tenant}/endpoints/${endpoint.id}/enable`);
  // Both events reach the broken operator endpoint too: two failures, failingAfter for a tenant's, and nothing follows.
  await eventually(async () => operator.received.filter((r) => r.url === '/broken').length >= 2, 15_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const about = operatorEvents().map((e) => e.data.endpointId);
  expect(about).not.toContain(broken.body.id);
  expect(operatorEvents().every((e) => e.data.tenantId !== 'herald:operator')).toBe(true);
});
