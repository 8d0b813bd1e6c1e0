import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqliteReceiver, type SqliteReceiver, type StoredEvent } from '../../examples/sqlite-receiver/receiver.js';
import { eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';

let herald: TestHerald;
let receiver: SqliteReceiver;
const dir = mkdtempSync(join(tmpdir(), 'herald-example-'));

beforeAll(async () => {
  herald = await startTestHerald();
  expect((await herald.api('POST', '/api/v1/event-types', { name: 'order.paid' })).status).toBe(201);
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'shop', name: 'Shop' })).status).toBe(201);
});
afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
  if (herald) removeDir(herald.dir);
  removeDir(dir);
});

describe('examples/sqlite-receiver', () => {
  it('verifies, stores each event once, and refuses a forged delivery', async () => {
    // The endpoint is created first to learn its secret; the receiver then starts with it.
    const created = await herald.api('POST', '/api/v1/tenants/shop/endpoints', { url: 'http://127.0.0.1:1/placeholder', eventTypes: ['*'] });
    expect(created.status).toBe(201);
    receiver = await startSqliteReceiver({ secret: created.body.secret, database: join(dir, 'webhooks.db') });
    expect((await herald.api('PATCH', `/api/v1/tenants/shop/endpoints/${created.body.id}`, { url: `${receiver.url}/webhooks` })).status).toBe(200);

    const ids: string[] = [];
    for (const amount of [10, 20]) ids.push((await herald.api('POST', '/api/v1/tenants/shop/events', { type: 'order.paid', data: { amount } })).body.id);
    const rows = await eventually(async () => {
      const all = receiver.db.prepare('SELECT * FROM events ORDER BY id').all() as StoredEvent[];
      return all.length === 2 ? all : null;
    });
    expect(rows.map((r) => [r.id, r.type, JSON.parse(r.data)])).toEqual([
      [ids[0], 'order.paid', { amount: 10 }],
      [ids[1], 'order.paid', { amount: 20 }],
    ]);

    // A re-sent delivery carries the same event id: counted, not stored twice.
    const deliveries = await herald.api('GET', '/api/v1/tenants/shop/deliveries');
    const first = deliveries.body.data.find((d: { eventId: string }) => d.eventId === ids[0]);
    await eventually(async () => (await herald.api('GET', `/api/v1/tenants/shop/deliveries/${first.id}`)).body.status === 'succeeded');
    expect((await herald.api('POST', `/api/v1/tenants/shop/deliveries/${first.id}/retry`)).status).toBeLessThan(300);
    await eventually(async () => (receiver.db.prepare('SELECT deliveries FROM events WHERE id = ?').get(ids[0]) as StoredEvent).deliveries === 2);
    expect((receiver.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n).toBe(2);

    const forged = await fetch(`${receiver.url}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'evt_x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body: JSON.stringify({ id: 'evt_x', type: 'order.paid', created_at: new Date().toISOString(), data: {} }),
    });
    expect(forged.status).toBe(400);
    expect((receiver.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n).toBe(2);
  });
});
