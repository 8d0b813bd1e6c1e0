import { connect } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';
import { isErrorShape } from './openapi-walk.js';

/** Issue 5, hostile-input limits: headers, URLs, strings, counts and request rates. */

let herald: TestHerald;
let receiver: Receiver;
let key: string;
let portal: string;

beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await Receiver.start();
  expect((await herald.api('POST', '/api/v1/event-types', { name: 'limits.thing' })).status).toBe(201);
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'limits', name: 'Limits' })).status).toBe(201);
  key = (await herald.api('POST', '/api/v1/tenants/limits/api-keys')).body.key;
  portal = (await herald.api('POST', '/api/v1/tenants/limits/portal-token', {})).body.token;
});

afterAll(async () => {
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

/** Sends exactly these bytes on a fresh connection and answers the status and body it gets back. */
function rawHttp(request: string): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(herald.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', () => {}); // the server may reset after answering; what it said is what counts
    socket.on('close', () => {
      const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(data);
      if (!match) reject(new Error(`no HTTP answer: ${JSON.stringify(data.slice(0, 200))}`));
      else resolve({ status: Number(match[1]), headers: match[2]!, body: match[3]! });
    });
    socket.setTimeout(10_000, () => socket.destroy());
    socket.write(request);
  });
}

async function stillServing(): Promise<void> {
  expect((await fetch(`${herald.url}/healthz`)).status).toBe(200);
  expect((await herald.api('GET', '/api/v1/tenants/limits')).status).toBe(200);
}

describe('request size limits of the HTTP layer', () => {
  it('answers 431 in the JSON error shape for headers over 16 KB, and keeps serving', async () => {
    const answer = await rawHttp(`GET /api/v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    const body = JSON.parse(answer.body);
    expect(isErrorShape(body)).toBe(true);
    expect(body.error.code).toBe('headers_too_large');
    await stillServing();
  });

  it('answers 431 for a URL over 16 KB, and JSON 404/422 for long URLs under it', async () => {
    const long = await rawHttp(`GET /api/v1/tenants?cursor=${'c'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(long.status).toBe(431);
    expect(isErrorShape(JSON.parse(long.body))).toBe(true);
    // 8 KB: the router's 200-character segment limit and the schemas' maxLength answer.
    const segment = await herald.api('GET', `/api/v1/tenants/${'t'.repeat(8_000)}`);
    expect(segment.status).toBe(404);
    expect(isErrorShape(segment.body)).toBe(true);
    const cursor = await herald.api('GET', `/api/v1/tenants?cursor=${'c'.repeat(8_000)}`);
    expect(cursor.status).toBe(422);
    expect(isErrorShape(cursor.body)).toBe(true);
    await stillServing();
  });

  it('answers 400 in the JSON error shape for a request line Node cannot parse', async () => {
    const answer = await rawHttp(`GET /api/v1/\x01tenants HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe('bad_request');
    const bytes = await rawHttp(`GET /api/v1/tenants?x=\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(bytes.status).toBeLessThan(500);
    expect(isErrorShape(JSON.parse(bytes.body))).toBe(true);
    await stillServing();
  });
});

describe('string limits in bodies', () => {
  const endpoint = (fields: Record<string, unknown>) => ({ url: `${receiver.url}/x`, eventTypes: ['*'], ...fields });
  const cases: Array<[string, string, string, (n: number) => unknown, number]> = [
    ['endpoint description', 'POST', '/api/v1/tenants/limits/endpoints', (n) => endpoint({ description: 'd'.repeat(n) }), 1000],
    ['endpoint secret', 'POST', '/api/v1/tenants/limits/endpoints', (n) => endpoint({ secret: 's'.repeat(n) }), 256],
    ['endpoint verify token', 'POST', '/api/v1/tenants/limits/endpoints', (n) => endpoint({ verifyToken: 'v'.repeat(n) }), 256],
    ['endpoint header value', 'POST', '/api/v1/tenants/limits/endpoints', (n) => endpoint({ headers: { 'X-Custom': 'h'.repeat(n) } }), 1024],
    ['tenant name', 'POST', '/api/v1/tenants', (n) => ({ name: 'n'.repeat(n) }), 200],
    ['tenant user agent', 'PATCH', '/api/v1/tenants/limits', (n) => ({ settings: { userAgent: 'u'.repeat(n) } }), 256],
    ['event type description', 'PATCH', '/api/v1/event-types/limits.thing', (n) => ({ description: 'e'.repeat(n) }), 2000],
    ['publish idempotency key', 'POST', '/api/v1/tenants/limits/events', (n) => ({ type: 'limits.thing', data: {}, idempotencyKey: 'i'.repeat(n) }), 256],
  ];

  it.each(cases)('%s: at most its limit', async (_what, method, path, body, limit) => {
    const over = await herald.api(method, path, body(limit + 1));
    expect(over.status, JSON.stringify(over.body)).toBe(422);
    expect(over.body.error.code).toBe('validation_failed');
    const at = await herald.api(method, path, body(limit));
    expect(at.status, JSON.stringify(at.body).slice(0, 300)).toBeLessThan(300);
  });

  it('publish data is bounded by the 1 MiB body limit only', async () => {
    const fits = await herald.api('POST', '/api/v1/tenants/limits/events', { type: 'limits.thing', data: { text: 'x'.repeat(1_000_000) } });
    expect(fits.status).toBe(202);
    const over = await herald.api('POST', '/api/v1/tenants/limits/events', { type: 'limits.thing', data: { text: 'x'.repeat(1024 * 1024) } });
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('payload_too_large');
    await stillServing();
  });
});

describe('count limits', () => {
  it('an endpoint subscribes to at most 256 event types', async () => {
    const patterns = (n: number) => Array.from({ length: n }, (_, i) => `p${i}.*`);
    const over = await herald.api('POST', '/api/v1/tenants/limits/endpoints', { url: `${receiver.url}/x`, eventTypes: patterns(257) });
    expect(over.status).toBe(422);
    const at = await herald.api('POST', '/api/v1/tenants/limits/endpoints', { url: `${receiver.url}/x`, eventTypes: patterns(256) });
    expect(at.status).toBe(201);
    const patched = await herald.api('PATCH', `/api/v1/tenants/limits/endpoints/${at.body.id}`, { eventTypes: patterns(257) });
    expect(patched.status).toBe(422);
  });

  it('a tenant has at most 500 endpoints', { timeout: 120_000 }, async () => {
    expect((await herald.api('POST', '/api/v1/tenants', { id: 'crowded', name: 'Crowded' })).status).toBe(201);
    for (let i = 0; i < 500; i++) {
      const created = await herald.api('POST', '/api/v1/tenants/crowded/endpoints', { url: `${receiver.url}/e${i}`, eventTypes: ['*'] });
      expect(created.status, `endpoint ${i}`).toBe(201);
    }
    const refused = await herald.api('POST', '/api/v1/tenants/crowded/endpoints', { url: `${receiver.url}/e500`, eventTypes: ['*'] });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/500/);
    const listed = await herald.api('GET', '/api/v1/tenants/crowded/endpoints?limit=250');
    expect(listed.body.data).toHaveLength(250);
  });
});

describe('API rate limits', () => {
  interface Answer {
    status: number;
    retryAfter: string | null;
    body: any;
  }

  /** Keep-alive batches of 100 concurrent requests until one is limited (or `maxBatches`). */
  async function flood(token: string, maxBatches: number, stopWhenLimited = true): Promise<Answer[][]> {
    const pool = new Pool(herald.url, { connections: 32 });
    const batches: Answer[][] = [];
    try {
      for (let b = 0; b < maxBatches; b++) {
        const batch = await Promise.all(
          Array.from({ length: 100 }, async () => {
            const response = await pool.request({ method: 'GET', path: '/api/v1/tenants/limits/endpoints?limit=1', headers: { authorization: `Bearer ${token}` } });
            const retryAfter = response.headers['retry-after'];
            return { status: response.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, body: await response.body.json() };
          }),
        );
        batches.push(batch);
        if (stopWhenLimited && batch.some((a) => a.status === 429)) break;
      }
    } finally {
      await pool.close();
    }
    return batches;
  }

  it.each([
    ['tenant API key', () => key],
    ['portal token', () => portal],
  ])('a flooding %s gets 429 rate_limited with Retry-After, then works again', async (_label, token) => {
    const batches = await flood(token(), 60);
    const answers = batches.flat();
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    // The first 200 (the burst) pass; a flood faster than 100/s is then limited.
    expect(batches[0]!.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(200);
    expect(limited.length).toBeGreaterThan(0);
    for (const answer of limited) {
      expect(answer.body.error.code).toBe('rate_limited');
      expect(isErrorShape(answer.body)).toBe(true);
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    await new Promise((resolve) => setTimeout(resolve, Number(limited[0]!.retryAfter) * 1000));
    expect((await herald.api('GET', '/api/v1/tenants/limits', undefined, token())).status).toBe(200);
  });

  it('does not limit the admin token', async () => {
    const answers = (await flood(ADMIN_TOKEN, 6, false)).flat();
    expect(answers).toHaveLength(600);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  });
});
