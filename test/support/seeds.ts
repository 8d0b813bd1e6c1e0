import { expect } from 'vitest';
import { eventually, removeDir, startTestHerald, type TestHerald } from './herald.js';
import { Receiver, type Received } from './receiver.js';

/**
 * Helpers for the seed contract suite (test/seeds): each seed file migrates one product onto
 * a real Herald and receives with that product's published verification snippet.
 */

export interface SeedFixture {
  herald: TestHerald;
  receiver: Receiver;
  close(): Promise<void>;
}

export async function startSeedFixture(overrides: Parameters<typeof startTestHerald>[0] = {}): Promise<SeedFixture> {
  const herald = await startTestHerald(overrides);
  const receiver = await Receiver.start();
  return {
    herald,
    receiver,
    async close() {
      await herald.stop();
      await receiver.close();
      removeDir(herald.dir);
    },
  };
}

export interface CatalogEntry {
  name: string;
  description: string;
  example?: unknown;
}

/** Adds the seed's events to the (global) catalog; built-ins such as `quota.warning` already exist. */
export async function defineCatalog(herald: TestHerald, entries: CatalogEntry[]): Promise<void> {
  for (const entry of entries) {
    const created = await herald.api('POST', '/api/v1/event-types', entry);
    if (created.status === 409) {
      expect((await herald.api('GET', `/api/v1/event-types/${entry.name}`)).status).toBe(200);
      continue;
    }
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
}

/** Creates a tenant with the given settings and checks Herald kept every one of them. */
export async function createTenant(herald: TestHerald, id: string, name: string, settings: Record<string, unknown>): Promise<any> {
  const created = await herald.api('POST', '/api/v1/tenants', { id, name, settings });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.settings).toMatchObject(settings);
  const read = await herald.api('GET', `/api/v1/tenants/${id}`);
  expect(read.body.settings).toMatchObject(settings);
  return created.body;
}

export async function createEndpoint(herald: TestHerald, tenantId: string, body: Record<string, unknown>): Promise<any> {
  const created = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints`, body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

export async function publish(herald: TestHerald, tenantId: string, type: string, data: unknown): Promise<any> {
  const published = await herald.api('POST', `/api/v1/tenants/${tenantId}/events`, { type, data });
  expect(published.status, JSON.stringify(published.body)).toBe(202);
  return published.body;
}

export async function deliveries(herald: TestHerald, tenantId: string, query: Record<string, string> = {}): Promise<any[]> {
  const search = new URLSearchParams({ limit: '250', ...query });
  const answer = await herald.api('GET', `/api/v1/tenants/${tenantId}/deliveries?${search}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.data;
}

/** The delivery with its attempts, once `done` says it has settled. */
export async function settledDelivery(herald: TestHerald, tenantId: string, deliveryId: string, done: (d: any) => boolean): Promise<any> {
  return eventually(async () => {
    const answer = await herald.api('GET', `/api/v1/tenants/${tenantId}/deliveries/${deliveryId}`);
    return answer.status === 200 && done(answer.body) ? answer.body : null;
  });
}

/** The one delivery of an event to an endpoint. */
export async function deliveryOf(herald: TestHerald, tenantId: string, eventId: string, endpointId: string): Promise<any> {
  const found = (await deliveries(herald, tenantId, { endpointId })).filter((d) => d.eventId === eventId);
  expect(found).toHaveLength(1);
  return found[0];
}

/** A request header as one string (Node joins repeated headers; none of ours repeat). */
export function header(request: Received, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Every request the receiver got on a path, in arrival order. */
export function on(receiver: Receiver, path: string, method = 'POST'): Received[] {
  return receiver.received.filter((r) => r.method === method && new URL(r.url, 'http://x').pathname === path);
}

/** Waits until `count` requests have reached `path`. */
export function waitOn(receiver: Receiver, path: string, count: number, method = 'POST'): Promise<Received[]> {
  return eventually(async () => {
    const hits = on(receiver, path, method);
    return hits.length >= count ? hits : null;
  }, 15_000);
}

/** Waits for the request that carried this event to `path` (the envelope's id). */
export async function requestFor(receiver: Receiver, path: string, eventId: string): Promise<Received> {
  return eventually(async () => on(receiver, path).find((r) => JSON.parse(r.body).id === eventId), 15_000);
}

/** A Date strictly after every event created so far and strictly before any created next. */
export async function timeBoundary(): Promise<Date> {
  const boundary = new Date(Date.now() + 1);
  await eventually(async () => Date.now() > boundary.getTime(), 1000);
  return boundary;
}
