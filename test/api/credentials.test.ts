import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readServerSentEvents } from '../../src/client/sse.js';
import { eventually } from '../support/herald.js';
import { expectError, startApiFixture, type ApiFixture } from '../support/api.js';

/** Issue 12, item 4: API keys and portal tokens with a lifecycle, and the streams they hold. */

let fx: ApiFixture;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

beforeAll(async () => {
  fx = await startApiFixture();
  for (const id of ['c1', 'c2']) expect((await fx.api('POST', '/api/v1/tenants', { id, name: id })).status).toBe(201);
  expect((await fx.api('POST', '/api/v1/event-types', { name: 'cred.thing' })).status).toBe(201);
});
afterEach(() => {
  vi.useRealTimers();
  expect(fx.serverErrors).toEqual([]);
});
afterAll(async () => {
  await fx.close();
});

const mintKey = async (tid = 'c1', body: unknown = {}, token?: string) => {
  const answer = await fx.api('POST', `/api/v1/tenants/${tid}/api-keys`, body, token);
  expect(answer.status).toBe(201);
  return answer.body as { id: string; name: string | null; key: string; createdAt: string; expiresAt: string | null };
};
const mintPortal = async (tid = 'c1', body: unknown = {}, token?: string) => {
  const answer = await fx.api('POST', `/api/v1/tenants/${tid}/portal-token`, body, token);
  expect(answer.status).toBe(201);
  return answer.body as { id: string; token: string; url: string; expiresAt: string };
};
const listKeys = async (tid = 'c1') => (await fx.api('GET', `/api/v1/tenants/${tid}/api-keys`)).body.data as Array<Record<string, unknown>>;
const listPortals = async (tid = 'c1') => (await fx.api('GET', `/api/v1/tenants/${tid}/portal-tokens`)).body.data as Array<Record<string, unknown>>;
const actions = async (tid = 'c1') => ((await fx.api('GET', `/api/v1/tenants/${tid}/audit-log?limit=250`)).body.data as Array<{ action: string; actor: string; targetId: string }>);

describe('API keys', () => {
  it('creates {id, name, key, createdAt, expiresAt}, shows the key once and lists it without it', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await mintKey('c1', { name: 'ci deploys', expiresAt });
    expect(created).toEqual({ id: expect.stringMatching(/^key_/), name: 'ci deploys', key: expect.stringMatching(/^htk_/), createdAt: expect.stringMatching(ISO), expiresAt });
    const listed = (await listKeys()).find((k) => k.id === created.id);
    expect(listed).toEqual({ id: created.id, name: 'ci deploys', prefix: created.key.slice(0, 12), createdAt: created.createdAt, expiresAt, lastUsedAt: null });
    expect(JSON.stringify(await listKeys())).not.toContain(created.key);
    const unnamed = await mintKey('c1', undefined);
    expect(unnamed).toMatchObject({ name: null, expiresAt: null });
  });

  it('records lastUsedAt a few seconds after a use at most', async () => {
    const { id, key } = await mintKey();
    const used = Date.now();
    expect((await fx.api('GET', '/api/v1/tenants/c1', undefined, key)).status).toBe(200);
    const lastUsedAt = await eventually(async () => (await listKeys()).find((k) => k.id === id)?.lastUsedAt as string | null, 10_000);
    expect(Date.parse(lastUsedAt)).toBeGreaterThanOrEqual(used - 1000);
  });

  it('revokes: 204, then 401 at once, no longer listed, audited; a second revoke is 404', async () => {
    const { id, key } = await mintKey('c1', { name: 'doomed' });
    expect((await fx.api('GET', '/api/v1/tenants/c1/endpoints', undefined, key)).status).toBe(200);
    const revoked = await fx.api('DELETE', `/api/v1/tenants/c1/api-keys/${id}`);
    expect(revoked.status).toBe(204);
    expectError(await fx.api('GET', '/api/v1/tenants/c1/endpoints', undefined, key), 401, 'unauthorized');
    expect((await listKeys()).map((k) => k.id)).not.toContain(id);
    expectError(await fx.api('DELETE', `/api/v1/tenants/c1/api-keys/${id}`), 404, 'not_found');
    const trail = await actions();
    expect(trail.filter((e) => e.targetId === id).map((e) => [e.action, e.actor])).toEqual([['api_key.revoked', 'admin'], ['api_key.created', 'admin']]);
  });

  it("answers 404 for another tenant's key, which keeps working", async () => {
    const theirs = await mintKey('c2');
    expectError(await fx.api('DELETE', `/api/v1/tenants/c1/api-keys/${theirs.id}`), 404, 'not_found');
    const ours = await mintKey('c1');
    expectError(await fx.api('DELETE', `/api/v1/tenants/c1/api-keys/${theirs.id}`, undefined, ours.key), 404, 'not_found');
    expectError(await fx.api('DELETE', `/api/v1/tenants/c2/api-keys/${theirs.id}`, undefined, ours.key), 404, 'not_found');
    expect((await fx.api('GET', '/api/v1/tenants/c2', undefined, theirs.key)).status).toBe(200);
  });

  it('refuses an expiry in the past, and an expired key answers 401 and is not listed', async () => {
    expectError(await fx.api('POST', '/api/v1/tenants/c1/api-keys', { expiresAt: '2020-01-01T00:00:00.000Z' }), 422, 'validation_failed');
    expectError(await fx.api('POST', '/api/v1/tenants/c1/api-keys', { expiresAt: 'tomorrow' }), 422, 'validation_failed');
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const { id, key } = await mintKey('c1', { expiresAt });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(expiresAt) - 1000);
    expect((await fx.api('GET', '/api/v1/tenants/c1', undefined, key)).status).toBe(200);
    vi.setSystemTime(Date.parse(expiresAt) + 1000);
    expectError(await fx.api('GET', '/api/v1/tenants/c1', undefined, key), 401, 'unauthorized');
    expect((await listKeys()).map((k) => k.id)).not.toContain(id);
  });

  it('lets a tenant key mint, list and revoke its own tenant keys, itself included (actor tenant_key)', async () => {
    const { key } = await mintKey();
    const minted = await mintKey('c1', { name: 'by a key' }, key);
    expect((await fx.api('GET', '/api/v1/tenants/c1/api-keys', undefined, key)).body.data.map((k: { id: string }) => k.id)).toContain(minted.id);
    expect((await fx.api('DELETE', `/api/v1/tenants/c1/api-keys/${minted.id}`, undefined, key)).status).toBe(204);
    const trail = await actions();
    expect(trail.find((e) => e.targetId === minted.id && e.action === 'api_key.created')?.actor).toBe('tenant_key');
    const self = (await listKeys()).find((k) => k.prefix === key.slice(0, 12))!;
    expect((await fx.api('DELETE', `/api/v1/tenants/c1/api-keys/${self.id}`, undefined, key)).status).toBe(204);
    expectError(await fx.api('GET', '/api/v1/tenants/c1', undefined, key), 401, 'unauthorized');
  });
});

describe('portal tokens', () => {
  it('creates {id, token, url, expiresAt}, lists the live ones, revokes with 204 then 401', async () => {
    const portal = await mintPortal('c1', { expiresInSeconds: 600 });
    expect(portal).toEqual({ id: expect.stringMatching(/^ptk_/), token: expect.stringMatching(/^hpt_/), url: expect.stringContaining('#token='), expiresAt: expect.stringMatching(ISO) });
    const listed = (await listPortals()).find((p) => p.id === portal.id);
    expect(listed).toEqual({ id: portal.id, prefix: portal.token.slice(0, 12), createdAt: expect.stringMatching(ISO), expiresAt: portal.expiresAt, lastUsedAt: null });
    expect(JSON.stringify(await listPortals())).not.toContain(portal.token);
    expect((await fx.api('GET', '/api/v1/tenants/c1/endpoints', undefined, portal.token)).status).toBe(200);
    expect((await fx.api('DELETE', `/api/v1/tenants/c1/portal-tokens/${portal.id}`)).status).toBe(204);
    expectError(await fx.api('GET', '/api/v1/tenants/c1/endpoints', undefined, portal.token), 401, 'unauthorized');
    expect((await listPortals()).map((p) => p.id)).not.toContain(portal.id);
    expectError(await fx.api('DELETE', `/api/v1/tenants/c1/portal-tokens/${portal.id}`), 404, 'not_found');
    const trail = await actions();
    expect(trail.filter((e) => e.targetId === portal.id).map((e) => e.action)).toEqual(['portal_token.revoked', 'portal_token.created']);
  });

  it('cannot mint, list or revoke credentials, even its own (403)', async () => {
    const portal = await mintPortal();
    const { id: keyId } = await mintKey();
    for (const [method, path] of [
      ['POST', '/api/v1/tenants/c1/api-keys'],
      ['GET', '/api/v1/tenants/c1/api-keys'],
      ['DELETE', `/api/v1/tenants/c1/api-keys/${keyId}`],
      ['POST', '/api/v1/tenants/c1/portal-token'],
      ['GET', '/api/v1/tenants/c1/portal-tokens'],
      ['DELETE', `/api/v1/tenants/c1/portal-tokens/${portal.id}`],
    ] as const) {
      expectError(await fx.api(method, path, method === 'POST' ? {} : undefined, portal.token), 403, 'forbidden');
    }
    expect((await listKeys()).map((k) => k.id)).toContain(keyId);
    expect((await listPortals()).map((p) => p.id)).toContain(portal.id);
  });
});

interface OpenStream {
  status: number;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  abort(): void;
}

async function openStream(tid: string, token: string): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${fx.herald.url}/api/v1/tenants/${tid}/events/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const ended = (async () => {
    if (!response.body) return;
    try {
      for await (const _event of readServerSentEvents(response.body)) {
        // drain until the server hangs up
      }
    } catch {
      // aborted by the test
    }
  })();
  return { status: response.status, ended, abort: () => controller.abort() };
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms))]);

describe('event streams of a credential', () => {
  it.each([
    ['portal token', async () => { const p = await mintPortal(); return { token: p.token, revoke: `/api/v1/tenants/c1/portal-tokens/${p.id}` }; }],
    ['API key', async () => { const k = await mintKey(); return { token: k.key, revoke: `/api/v1/tenants/c1/api-keys/${k.id}` }; }],
  ])("close within 5 s of the %s's revocation", async (_what, make) => {
    const { token, revoke } = await make();
    const stream = await openStream('c1', token);
    expect(stream.status).toBe(200);
    const bystander = await openStream('c1', (await mintKey()).key);
    expect((await fx.api('DELETE', revoke)).status).toBe(204);
    await within(stream.ended, 5000, 'the stream closing');
    // Another credential's stream stays open.
    let otherEnded = false;
    void bystander.ended.then(() => (otherEnded = true));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(otherEnded).toBe(false);
    bystander.abort();
  });

  it('close within 5 s once the portal token expires', async () => {
    const portal = await mintPortal('c1', { expiresInSeconds: 60 });
    const stream = await openStream('c1', portal.token);
    expect(stream.status).toBe(200);
    // Only the clock moves: the stream check's timer stays real.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(portal.expiresAt) + 1000);
    await within(stream.ended, 5000, 'the stream closing');
  });

  it('allow at most 5 open streams per credential: the 6th answers 429 rate_limited', async () => {
    const { key } = await mintKey();
    const streams = [];
    for (let i = 0; i < 5; i++) {
      const stream = await openStream('c1', key);
      expect(stream.status).toBe(200);
      streams.push(stream);
    }
    const sixth = await fx.raw('GET', '/api/v1/tenants/c1/events/stream', { token: key });
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({ error: { code: 'rate_limited' } });
    // Another credential of the same tenant is counted apart.
    const other = await openStream('c1', (await mintKey()).key);
    expect(other.status).toBe(200);
    other.abort();
    // Closing one frees its place.
    streams[0]!.abort();
    const again = await eventually(async () => {
      const stream = await openStream('c1', key);
      if (stream.status === 200) return stream;
      stream.abort();
      return null;
    });
    again.abort();
    for (const stream of streams) stream.abort();
  });
});
