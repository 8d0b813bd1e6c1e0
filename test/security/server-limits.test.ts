import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';

/** Issue 12, item 7: what a hostile or careless client meets at the HTTP server. */

const METRICS_TOKEN = 'metrics-scrape-token-3e9d';
let herald: TestHerald;

beforeAll(async () => {
  herald = await startTestHerald({ metricsToken: METRICS_TOKEN });
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'big', name: 'Big' })).status).toBe(201);
});

afterAll(async () => {
  await herald?.stop().catch(() => {});
  if (herald) removeDir(herald.dir);
});

describe('an oversized body', () => {
  it('answers a 10 MB publish with a readable 413 payload_too_large, not a reset', async () => {
    const body = JSON.stringify({ type: 'x.y', data: { blob: 'a'.repeat(10 * 1024 * 1024) } });
    const response = await fetch(`${herald.url}/api/v1/tenants/big/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(413);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('payload_too_large');
    expect(answer.error.message).toBe('Request body is too large: at most 1,048,576 bytes');
  });

  it('answers the same to a chunked body without a length', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(Buffer.from('{"type":"x.y","data":{"blob":"'));
        for (let i = 0; i < 10; i++) controller.enqueue(chunk);
        controller.enqueue(Buffer.from('"}}'));
        controller.close();
      },
    });
    const response = await fetch(`${herald.url}/api/v1/tenants/big/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });
});

describe('/metrics with HERALD_METRICS_TOKEN set', () => {
  it('answers 401 without the token or with another, and the metrics with it', async () => {
    const none = await fetch(`${herald.url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await fetch(`${herald.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(401);
    const scraped = await fetch(`${herald.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^# HELP /m);
  });
});

describe('a client that sends its headers slowly', () => {
  it('is answered 408 and disconnected once the header timeout passes', async () => {
    const socket = connect(Number(new URL(herald.url).port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    const started = Date.now();
    socket.write('GET /healthz HTTP/1.1\r\nHost: herald\r\n');
    // …and never the blank line that ends the headers.
    const at = await closed;
    expect(at - started).toBeLessThan(20_000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(received).toContain('"request_timeout"');
  }, 30_000);
});
