import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { eventually, removeDir, startTestHerald, type TestHerald } from './herald.js';
import type { paths } from '../../src/client/schema.js';
import { Receiver, type Received, type Responder } from './receiver.js';

/** Helpers for the delivery end-to-end suite: thin wrappers over the public API. */

export type TenantSettingsInput = NonNullable<paths['/api/v1/tenants']['post']['requestBody']['content']['application/json']['settings']>;

// The API's shapes come from the schema generated from Herald's OpenAPI document, so a change
// to an answer breaks these helpers' compile instead of drifting from them.
type DeliveryList = paths['/api/v1/tenants/{tid}/deliveries']['get']['responses'][200]['content']['application/json'];
export type DeliveryView = DeliveryList['data'][number];
export type DeliveryDetailView = paths['/api/v1/tenants/{tid}/deliveries/{did}']['get']['responses'][200]['content']['application/json'];
export type AttemptView = DeliveryDetailView['attempts'][number];

export const uniqueId = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Creates an event type, or leaves the existing one: the catalog is shared by every tenant. */
export async function ensureEventType(herald: TestHerald, name: string, example?: unknown): Promise<void> {
  const body: Record<string, unknown> = { name, description: `${name} (test)` };
  if (example !== undefined) body.example = example;
  const created = await herald.api('POST', '/api/v1/event-types', body);
  expect([201, 409]).toContain(created.status);
}

/**
 * A test file's Herald, with `eventType` registered, handed to `started` before the file's tests;
 * stopped after them with every receiver the returned function started.
 */
export function heraldForFile(eventType: string, started: (herald: TestHerald) => void): (responder?: Responder) => Promise<Receiver> {
  let herald: TestHerald | undefined;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    herald = await startTestHerald();
    await ensureEventType(herald, eventType);
    started(herald);
  });
  afterAll(async () => {
    await herald?.stop();
    await Promise.all(receivers.map((r) => r.close()));
    if (herald) removeDir(herald.dir);
  });
  return async (responder) => {
    const receiver = await Receiver.start(responder);
    receivers.push(receiver);
    return receiver;
  };
}

/** A fresh tenant with the given settings; answers its id. */
export async function createTenant(herald: TestHerald, settings: TenantSettingsInput = {}): Promise<string> {
  const id = uniqueId('t');
  const created = await herald.api('POST', '/api/v1/tenants', { id, name: `Tenant ${id}`, settings });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return id;
}

export async function createEndpoint(herald: TestHerald, tenantId: string, body: Record<string, unknown>): Promise<{ id: string; secret: string | null; status: string; [key: string]: any }> {
  const created = await herald.api('POST', `/api/v1/tenants/${tenantId}/endpoints`, body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

export async function getEndpoint(herald: TestHerald, tenantId: string, endpointId: string): Promise<Record<string, any>> {
  const answer = await herald.api('GET', `/api/v1/tenants/${tenantId}/endpoints/${endpointId}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

/** Publishes an event; answers the envelope Herald answered. */
export async function publish(
  herald: TestHerald,
  tenantId: string,
  type: string,
  data: unknown,
  idempotencyKey?: string,
): Promise<{ id: string; type: string; created_at: string; data: unknown }> {
  const body: Record<string, unknown> = { type, data };
  if (idempotencyKey !== undefined) body.idempotencyKey = idempotencyKey;
  const published = await herald.api('POST', `/api/v1/tenants/${tenantId}/events`, body);
  expect([200, 202], JSON.stringify(published.body)).toContain(published.status);
  return published.body;
}

export async function getDelivery(herald: TestHerald, tenantId: string, deliveryId: string): Promise<DeliveryDetailView> {
  const answer = await herald.api<DeliveryDetailView>('GET', `/api/v1/tenants/${tenantId}/deliveries/${deliveryId}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

/** The delivery log, filtered by the given query parameters (newest first). */
export async function listDeliveries(herald: TestHerald, tenantId: string, query: Record<string, string> = {}): Promise<DeliveryView[]> {
  const search = new URLSearchParams({ limit: '250', ...query });
  const answer = await herald.api<{ data: DeliveryView[] }>('GET', `/api/v1/tenants/${tenantId}/deliveries?${search}`);
  expect(answer.status).toBe(200);
  return answer.body.data;
}

/** The one delivery of an event to an endpoint (publish creates it in the same transaction). */
export async function deliveryFor(herald: TestHerald, tenantId: string, endpointId: string, eventId: string): Promise<DeliveryView> {
  const matching = (await listDeliveries(herald, tenantId, { endpointId })).filter((d) => d.eventId === eventId);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

/** Waits until the delivery satisfies `done`, then answers it with its attempts. */
export function waitForDelivery(
  herald: TestHerald,
  tenantId: string,
  deliveryId: string,
  done: (delivery: DeliveryDetailView) => boolean,
  timeoutMs = 20_000,
): Promise<DeliveryDetailView> {
  return eventually(async () => {
    const delivery = await getDelivery(herald, tenantId, deliveryId);
    return done(delivery) ? delivery : null;
  }, timeoutMs);
}

export const hasStatus = (...statuses: string[]) => (delivery: DeliveryView) => statuses.includes(delivery.status);

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ScriptedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** Answers the n-th request (counted by this responder) with the n-th answer; the last repeats. */
export function scripted(...answers: ScriptedAnswer[]): Responder {
  let calls = 0;
  return (_request, res) => {
    const answer = answers[Math.min(calls++, answers.length - 1)]!;
    res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
  };
}

/** Never answers: the request hangs until the client gives up. */
export const hang: Responder = () => {};

/** Echoes the handshake challenge on GET, answers 200 to everything else. */
export const echoChallenge: Responder = (request, res) => {
  if (request.method === 'GET') {
    const challenge = new URL(request.url, 'http://receiver').searchParams.get('hub.challenge') ?? '';
    res.writeHead(200, { 'content-type': 'text/plain' }).end(challenge);
    return;
  }
  res.writeHead(200).end('ok');
};

/** The receiver's headers as the verifier libraries take them: one string per name. */
export function flatHeaders(request: Received): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])),
  );
}

export const pathOf = (request: Received) => new URL(request.url, 'http://receiver').pathname;
export const eventIdOf = (request: Received) => (JSON.parse(request.body) as { id: string }).id;

/** Answers 200 and keeps writing `chunk` until the client hangs up: an endless body. */
export function streamForever(res: ServerResponse, chunk: string, everyMs = 5): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const timer = setInterval(() => res.write(chunk), everyMs);
  res.on('close', () => clearInterval(timer));
}

/** Waits until `count` requests have reached `path` on the receiver; answers them in order. */
export function receivedOn(receiver: { received: Received[] }, path: string, count: number, timeoutMs = 20_000): Promise<Received[]> {
  return eventually(async () => {
    const matching = receiver.received.filter((r) => pathOf(r) === path);
    return matching.length >= count ? matching : null;
  }, timeoutMs);
}
