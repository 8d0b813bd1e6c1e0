import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEndpoint,
  createTenant,
  deliveryFor,
  ensureEventType,
  flatHeaders,
  getDelivery,
  hang,
  hasStatus,
  publish,
  receivedOn,
  scripted,
  waitForDelivery,
} from '../support/delivery.js';
import { eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const TYPE = 'restart.survived';

let heralds: TestHerald[] = [];
let receivers: Receiver[] = [];
let dirs: string[] = [];

afterEach(async () => {
  for (const herald of heralds) await herald.stop().catch(() => undefined);
  await Promise.all(receivers.map((r) => r.close()));
  for (const dir of dirs) removeDir(dir);
  heralds = [];
  receivers = [];
  dirs = [];
});

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-restart-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string, overrides: Parameters<typeof startTestHerald>[0] = {}): Promise<TestHerald> {
  const herald = await startTestHerald(overrides, dir);
  heralds.push(herald);
  return herald;
}

async function receiver(responder: Parameters<typeof Receiver.start>[0]): Promise<Receiver> {
  const started = await Receiver.start(responder);
  receivers.push(started);
  return started;
}

/** The delivery row as the store keeps it, read straight from the SQLite file of a stopped Herald. */
function storedRow(dir: string, deliveryId: string): { status: string; lease_expires_at: number | null } {
  const db = new BetterSqlite3(join(dir, 'herald.db'), { readonly: true });
  try {
    return db.prepare('select status, lease_expires_at from deliveries where id = ?').get(deliveryId) as { status: string; lease_expires_at: number | null };
  } finally {
    db.close();
  }
}

describe('restart on the same database', () => {
  it('keeps everything and sends the waiting retry from the new process', async () => {
    const dir = newDir();
    const target = await receiver(scripted({ status: 500, body: 'down' }));
    let herald = await start(dir);
    await ensureEventType(herald, TYPE);
    // The retry is due 3 s ± 25 % after the first attempt: the first process is gone by then.
    const tenantId = await createTenant(herald, { retrySchedule: [0, 3], attemptTimeoutMs: 2000 });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE] });
    const event = await publish(herald, tenantId, TYPE, { n: 1 });
    const { id } = await deliveryFor(herald, tenantId, endpoint.id, event.id);
    await waitForDelivery(herald, tenantId, id, (d) => d.attemptCount === 1);
    await herald.stop();
    expect(storedRow(dir, id).status).toBe('failed');

    target.respond(scripted({ status: 200, body: 'ok' }));
    herald = await start(dir);
    expect((await herald.api('GET', `/api/v1/tenants/${tenantId}`)).body).toMatchObject({ id: tenantId, settings: { retrySchedule: [0, 3] } });
    expect((await herald.api('GET', `/api/v1/tenants/${tenantId}/endpoints/${endpoint.id}`)).body).toMatchObject({ status: 'active', url: `${target.url}/hook` });
    const polled = await herald.api('GET', `/api/v1/tenants/${tenantId}/events`);
    expect(polled.body.data).toEqual([{ id: event.id, type: TYPE, created_at: event.created_at, data: { n: 1 } }]);

    const done = await waitForDelivery(herald, tenantId, id, hasStatus('succeeded', 'dead'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 2 });
    expect(done.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
    // The secret, sealed under the key kept in the store, still signs after the restart.
    const [, second] = await receivedOn(target, '/hook', 2);
    expect(new Webhook(endpoint.secret!).verify(second!.body, flatHeaders(second!))).toMatchObject({ id: event.id });
  });

  it('sends again a delivery whose worker died mid-flight once its lease has run out', async () => {
    const dir = newDir();
    const target = await receiver(hang);
    const attemptTimeoutMs = 1000;
    const leaseGraceMs = 500;
    const first = await start(dir, { leaseGraceMs });
    await ensureEventType(first, TYPE);
    const tenantId = await createTenant(first, { retrySchedule: [0, 1], attemptTimeoutMs });
    const endpoint = await createEndpoint(first, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE] });
    const publishedAt = Date.now();
    const event = await publish(first, tenantId, TYPE, { n: 1 });
    const { id } = await deliveryFor(first, tenantId, endpoint.id, event.id);
    await receivedOn(target, '/hook', 1);
    expect((await getDelivery(first, tenantId, id)).status).toBe('delivering');

    // The crash: the process loses its database before the attempt's outcome is written, as
    // a killed process would (the in-process harness cannot SIGKILL itself).
    await first.store.close();
    await first.stop();
    const row = storedRow(dir, id);
    expect(row.status).toBe('delivering');
    expect(row.lease_expires_at).not.toBeNull();
    // The lease is the attempt timeout plus the grace, counted from the claim just after publish.
    expect(row.lease_expires_at! - publishedAt).toBeLessThanOrEqual(attemptTimeoutMs + leaseGraceMs + 2000);
    await eventually(async () => Date.now() > row.lease_expires_at! + 50);

    target.respond(scripted({ status: 200, body: 'ok' }));
    const second = await start(dir);
    const done = await waitForDelivery(second, tenantId, id, hasStatus('succeeded', 'dead', 'failed'));
    // The lost attempt left no record: the one that got through is attempt 1.
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    const requests = await receivedOn(target, '/hook', 2);
    expect(requests.map((r) => JSON.parse(r.body).id)).toEqual([event.id, event.id]);
  });

  it('sends again a delivery whose lease was still running at the restart, once it runs out', async () => {
    const dir = newDir();
    const target = await receiver(hang);
    const attemptTimeoutMs = 1000;
    const leaseGraceMs = 3000;
    const first = await start(dir, { leaseGraceMs });
    await ensureEventType(first, TYPE);
    const tenantId = await createTenant(first, { retrySchedule: [0, 1], attemptTimeoutMs });
    const endpoint = await createEndpoint(first, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE] });
    const event = await publish(first, tenantId, TYPE, { n: 1 });
    const { id } = await deliveryFor(first, tenantId, endpoint.id, event.id);
    await receivedOn(target, '/hook', 1);

    await first.store.close();
    await first.stop();
    const { lease_expires_at: lease } = storedRow(dir, id);
    expect(lease! - Date.now()).toBeGreaterThan(200);

    target.respond(scripted({ status: 200, body: 'ok' }));
    const second = await start(dir);
    const done = await waitForDelivery(second, tenantId, id, hasStatus('succeeded', 'dead', 'failed'), 60_000);
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    // Within the lease after the restart, give or take the test's own polling.
    expect(Date.parse(done.attempts[0]!.startedAt)).toBeLessThan(lease! + 5000);
  }, 90_000);
});
