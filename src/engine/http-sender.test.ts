import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressDispatcher } from '../net/index.js';
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
      const result = await sendWebhook({ url, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 2000 }, dispatcher);
      expect(result.statusCode).toBeNull();
      expect(result.error).toMatch(/^blocked address/);
      expect(result.error).not.toContain('127.0.0.1');
      expect(result.blocked).toMatchObject({ host: 'blocked.test', address: '127.0.0.1' });
    } finally {
      await dispatcher.close();
    }
  });
});
