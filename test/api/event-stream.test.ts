import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readServerSentEvents, type ServerSentEvent } from '../../src/client/sse.js';
import { ADMIN_TOKEN } from '../support/herald.js';
import { startApiFixture, type ApiFixture } from '../support/api.js';

let fx: ApiFixture;
let acmeKey: string;

beforeAll(async () => {
  fx = await startApiFixture();
  for (const name of ['stream.a', 'stream.b']) expect((await fx.api('POST', '/api/v1/event-types', { name })).status).toBe(201);
  for (const id of ['acme', 'other']) expect((await fx.api('POST', '/api/v1/tenants', { id, name: id })).status).toBe(201);
  acmeKey = (await fx.api('POST', '/api/v1/tenants/acme/api-keys', {})).body.key;
});
afterEach(() => {
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await fx.close();
});

interface Stream {
  response: Response;
  next(count: number, timeoutMs?: number): Promise<ServerSentEvent[]>;
  close(): void;
}

async function openStream(path: string, token: string = ADMIN_TOKEN, headers: Record<string, string> = {}): Promise<Stream> {
  const controller = new AbortController();
  const response = await fetch(`${fx.herald.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: controller.signal });
  const iterator = response.body ? readServerSentEvents(response.body) : null;
  return {
    response,
    async next(count, timeoutMs = 8000) {
      const out: ServerSentEvent[] = [];
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        while (out.length < count) {
          const item = await iterator!.next();
          if (item.done) break;
          if (item.value.event === 'ready') continue;
          out.push(item.value);
        }
      } finally {
        clearTimeout(timer);
      }
      return out;
    },
    close: () => controller.abort(),
  };
}

const publish = (tenant: string, type: string, data: unknown) => fx.api('POST', `/api/v1/tenants/${tenant}/events`, { type, data });

describe('GET /api/v1/tenants/:tid/events/stream', () => {
  it('streams events published after it opened, as id + envelope, in order', async () => {
    await publish('acme', 'stream.a', { before: true });
    const stream = await openStream('/api/v1/tenants/acme/events/stream', acmeKey);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const started = Date.now();
    const a = await publish('acme', 'stream.a', { n: 1 });
    const b = await publish('acme', 'stream.b', { n: 2 });
    await publish('other', 'stream.a', { n: 'not mine' });
    const events = await stream.next(2);
    stream.close();
    expect(Date.now() - started).toBeLessThan(1500); // woken, not waiting for a slow poll
    expect(events.map((e) => JSON.parse(e.data))).toEqual([a.body, b.body]);
    expect(Number(events[1]!.id)).toBeGreaterThan(Number(events[0]!.id));
  });

  it('resumes after Last-Event-ID (and after=) without losing or repeating events', async () => {
    const first = await openStream('/api/v1/tenants/acme/events/stream');
    const one = await publish('acme', 'stream.a', { resume: 1 });
    const [seen] = await first.next(1);
    first.close();
    expect(JSON.parse(seen!.data).id).toBe(one.body.id);
    const two = await publish('acme', 'stream.a', { resume: 2 });
    const three = await publish('acme', 'stream.b', { resume: 3 });

    const resumed = await openStream('/api/v1/tenants/acme/events/stream', acmeKey, { 'last-event-id': seen!.id! });
    expect((await resumed.next(2)).map((e) => JSON.parse(e.data).id)).toEqual([two.body.id, three.body.id]);
    resumed.close();

    const byQuery = await openStream(`/api/v1/tenants/acme/events/stream?after=${seen!.id}&type=stream.b`);
    expect((await byQuery.next(1)).map((e) => JSON.parse(e.data).id)).toEqual([three.body.id]);
    byQuery.close();
  });

  it("is tenant-scoped: another tenant's key gets 404, no token 401, a bad cursor 422", async () => {
    expect((await fetch(`${fx.herald.url}/api/v1/tenants/other/events/stream`, { headers: { authorization: `Bearer ${acmeKey}` } })).status).toBe(404);
    expect((await fetch(`${fx.herald.url}/api/v1/tenants/acme/events/stream`)).status).toBe(401);
    const bad = await fetch(`${fx.herald.url}/api/v1/tenants/acme/events/stream`, { headers: { authorization: `Bearer ${acmeKey}`, 'last-event-id': 'x' } });
    expect(bad.status).toBe(422);
    const head = await fetch(`${fx.herald.url}/api/v1/tenants/acme/events/stream`, { method: 'HEAD', headers: { authorization: `Bearer ${acmeKey}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/event-stream/);
  });

  it('is documented in the OpenAPI document as text/event-stream', async () => {
    const doc = (await fx.api('GET', '/openapi.json')).body;
    const op = doc.paths['/api/v1/tenants/{tid}/events/stream'].get;
    expect(op.summary).toMatch(/stream/i);
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/event-stream']);
  });

  it('ends cleanly when the client goes away', async () => {
    const streams = await Promise.all([1, 2, 3].map(() => openStream('/api/v1/tenants/acme/events/stream')));
    for (const s of streams) s.close();
    const after = await publish('acme', 'stream.a', { afterClose: true });
    expect(after.status).toBe(202);
    expect((await fx.api('GET', '/healthz')).status).toBe(200);
  });
});
