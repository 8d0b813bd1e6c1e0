import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressDispatcher } from '../net/index.js';
import { runHandshake } from './handshake.js';

describe('runHandshake', () => {
  let server: ReturnType<typeof createServer>;
  let base: string;
  const dispatcher = createEgressDispatcher({ allowHttp: true, allowedPrivateCidrs: ['127.0.0.0/8'], proxyUrl: null });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      if (req.url?.startsWith('/silent')) return; // never answers
      if (req.url?.startsWith('/wrong')) return void res.writeHead(200).end('not the challenge');
      if (query.get('hub.verify_token') !== 'token-1') return void res.writeHead(403).end('bad token');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(query.get('hub.challenge'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await dispatcher.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('verifies a receiver that echoes the challenge for its token', async () => {
    expect(await runHandshake(`${base}/hook?keep=1`, 'token-1', 2000, dispatcher)).toEqual({ verified: true, reason: null });
  });

  it('names what went wrong otherwise: the status, a wrong echo, the deadline', async () => {
    expect(await runHandshake(`${base}/hook`, 'token-2', 2000, dispatcher)).toEqual({ verified: false, reason: 'handshake answered HTTP 403' });
    expect(await runHandshake(`${base}/wrong`, 'token-1', 2000, dispatcher)).toEqual({ verified: false, reason: 'handshake answer did not echo the challenge' });
    expect(await runHandshake(`${base}/silent`, 'token-1', 300, dispatcher)).toEqual({ verified: false, reason: 'handshake failed: timeout after 300 ms' });
  });
});
