import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressDispatcher, exchange } from '../net/index.js';
import { sendWebhook } from './http-sender.js';

let server: ReturnType<typeof createServer>;
let url: string;
beforeAll(async () => {
  server = createServer((_req, res) => void res.writeHead(204).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://blocked.test:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('sendWebhook and the egress guard', () => {
  it('keeps what a blocked host resolved to out of the error, and hands it over for the log', async () => {
    // blocked.test resolves to loopback, which this policy does not open.
    const dispatcher = createEgressDispatcher({ allowHttp: true, allowedPrivateCidrs: [], proxyUrl: null, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    try {
      const result = await sendWebhook({ url, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 2000 }, (request) => exchange(dispatcher, request));
      expect(result.statusCode).toBeNull();
      expect(result.error).toMatch(/^blocked address/);
      expect(result.error).not.toContain('127.0.0.1');
      expect(result.blocked).toMatchObject({ host: 'blocked.test', address: '127.0.0.1' });
    } finally {
      await dispatcher.close();
    }
  });
});

describe('sendWebhook deadline', () => {
  let slow: ReturnType<typeof createServer>;
  let base: string;
  beforeAll(async () => {
    slow = createServer((req, res) => {
      if (req.url === '/silent') return; // never answers
      // Answers at once, then trickles its body a byte every 50 ms: each byte comes well within
      // undici's body timeout, so only the attempt's own deadline ends it.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const drip = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    slow.closeAllConnections();
    await new Promise<void>((resolve) => slow.close(() => resolve()));
  });

  const send = async (path: string) => {
    const dispatcher = createEgressDispatcher({ allowHttp: true, allowedPrivateCidrs: ['127.0.0.0/8'], proxyUrl: null });
    try {
      return await sendWebhook({ url: `${base}${path}`, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 400 }, (request) => exchange(dispatcher, request));
    } finally {
      await dispatcher.close();
    }
  };

  it('ends an attempt whose receiver never answers at its timeout', async () => {
    const result = await send('/silent');
    expect(result).toMatchObject({ statusCode: null, error: 'timeout after 400 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(390);
    expect(result.durationMs).toBeLessThan(3000);
  });

  it('ends an attempt at its timeout while the receiver still trickles its body, keeping the status it answered', async () => {
    const result = await send('/trickle');
    expect(result).toMatchObject({ statusCode: 200, error: null });
    expect(result.responseBody).toMatch(/^\.+$/);
    expect(result.durationMs).toBeGreaterThanOrEqual(390);
    expect(result.durationMs).toBeLessThan(3000);
  });
});
