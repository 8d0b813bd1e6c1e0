import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import { startApiFixture, type ApiFixture } from '../support/api.js';

/**
 * Issue 13: the metrics an operator alerts on, scraped from a real Herald after real traffic
 * (a healthy and a failing loopback receiver), and their labels: a fixed set of values, never
 * an id, so the number of series stays bounded whatever the traffic.
 */
let fx: ApiFixture;

beforeAll(async () => {
  fx = await startApiFixture();
  fx.receiver.respond((request, res) => void res.writeHead(request.url === '/down' ? 500 : 200).end());
});
afterAll(async () => {
  await fx.close();
});

const scrape = async () => (await fx.raw('GET', '/metrics', { token: null })).text;
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
};

it('exposes lag, duration, queue, endpoints, operational events, publish and attempt outcomes with bounded labels', async () => {
  await fx.api('PATCH', '/api/v1/operator/settings', { failingAfter: 1 });
  expect((await fx.api('POST', '/api/v1/event-types', { name: 'metric.tick' })).status).toBe(201);
  const settings = { retrySchedule: [0], autoDisableAfterFailures: 2, eventQuota: { limit: 10, period: 'day' } };
  expect((await fx.api('POST', '/api/v1/tenants', { id: 'metrics', name: 'Metrics', settings })).status).toBe(201);
  const up = (await fx.api('POST', '/api/v1/tenants/metrics/endpoints', { url: `${fx.receiver.url}/up`, eventTypes: ['*'] })).body;
  const down = (await fx.api('POST', '/api/v1/tenants/metrics/endpoints', { url: `${fx.receiver.url}/down`, eventTypes: ['metric.tick'] })).body;
  for (let i = 0; i < 3; i++) expect((await fx.api('POST', '/api/v1/tenants/metrics/events', { type: 'metric.tick', data: { i }, idempotencyKey: 'same' })).status).toBeLessThan(300);
  for (let i = 0; i < 9; i++) await fx.api('POST', '/api/v1/tenants/metrics/events', { type: 'metric.tick', data: { i } });
  expect((await fx.api('POST', '/api/v1/tenants/metrics/events', { type: 'metric.tick', data: {} })).status).toBe(429);

  const text = await eventually(async () => {
    const scraped = await scrape();
    return value(scraped, 'herald_endpoints{status="disabled"}') === 1 && (value(scraped, 'herald_delivery_attempts_total{outcome="dead"}') ?? 0) >= 2 ? scraped : null;
  }, 15_000);
  expect(value(text, 'herald_endpoints{status="active"}')).toBe(1);
  expect(value(text, 'herald_queue_depth{status="pending"}')).not.toBeNull();
  expect(value(text, 'herald_queue_depth{status="delivering"}')).not.toBeNull();
  expect(value(text, 'herald_publish_outcomes_total{outcome="created"}')).toBe(10);
  expect(value(text, 'herald_publish_outcomes_total{outcome="duplicate"}')).toBe(2);
  expect(value(text, 'herald_publish_outcomes_total{outcome="quota_exceeded"}')).toBe(1);
  expect(value(text, 'herald_delivery_attempts_total{outcome="succeeded"}')).toBeGreaterThanOrEqual(9);
  expect(value(text, 'herald_delivery_lag_seconds_count')).toBeGreaterThanOrEqual(11);
  expect(value(text, 'herald_attempt_duration_seconds_count')).toBeGreaterThanOrEqual(11);
  for (const type of ['endpoint.failing', 'endpoint.disabled', 'delivery.exhausted', 'quota.warning', 'quota.exceeded']) {
    expect(value(text, `herald_operational_events_total{type="${type}"}`), type).toBeGreaterThanOrEqual(1);
  }

  // Bounded labels: only these names, and no id of a tenant, endpoint, delivery or event in any value.
  const labels = [...text.matchAll(/^herald_\w+\{([^}]*)\}/gm)].flatMap((m) => [...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l): [string, string] => [l[1]!, l[2]!]));
  // (`version`…`space`: Node's default process metrics.)
  const allowed = new Set(['outcome', 'status', 'type', 'le', 'version', 'major', 'minor', 'patch', 'kind', 'space']);
  expect(labels.map(([name]) => name).filter((name) => !allowed.has(name))).toEqual([]);
  for (const [, label] of labels) expect(label).not.toMatch(/metrics|ep_|dlv_|evt_/);
  expect(text).not.toContain(up.id);
  expect(text).not.toContain(down.id);
});
