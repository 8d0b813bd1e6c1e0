import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressDispatcher } from './egress-dispatcher.js';
import { exchange } from './exchange.js';

describe('exchange', () => {
  let server: ReturnType<typeof createServer>;
  let base: string;
  /** Resolved when the server sees the endless answer's connection closed by the client. */
  let endlessClosed: Promise<void>;
  let markClosed: () => void;
  const dispatcher = createEgressDispatcher({ allowHttp: true, allowedPrivateCidrs: ['127.0.0.0/8'], proxyUrl: null });

  beforeAll(async () => {
    endlessClosed = new Promise((resolve) => (markClosed = resolve));
    server = createServer((req, res: ServerResponse) => {
      if (req.url === '/endless') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const pump = () => { while (res.write('é'.repeat(1000))); };
        res.on('drain', pump);
        res.on('close', markClosed);
        return pump();
      }
      if (req.url === '/reset') {
        res.writeHead(502, { 'content-type': 'text/plain', 'content-length': '100' });
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => res.writeHead(201, { 'x-echo': req.method ?? '' }).end(`${req.url} ${body}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await dispatcher.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the request and answers the status, headers and body', async () => {
    const result = await exchange(dispatcher, { method: 'POST', url: `${base}/hook?x=1`, headers: { 'content-type': 'application/json' }, body: '{"a":1}', timeoutMs: 2000, limitBytes: 1024 });
    expect(result).toMatchObject({ answered: true, statusCode: 201, text: '/hook?x=1 {"a":1}', truncated: false });
    expect(result.answered && result.headers['x-echo']).toBe('POST');
  });

  it('keeps at most limitBytes of an endless answer and closes its connection', async () => {
    const result = await exchange(dispatcher, { method: 'GET', url: `${base}/endless`, timeoutMs: 5000, limitBytes: 3001 });
    expect(result).toMatchObject({ answered: true, statusCode: 200, truncated: true });
    // 1,500 two-byte characters, then half of one: decoded as U+FFFD, never an exception.
    expect(result.answered && result.text).toBe(`${'é'.repeat(1500)}\uFFFD`);
    await endlessClosed;
  });

  it('keeps the status and what came when the connection breaks mid-body', async () => {
    const result = await exchange(dispatcher, { method: 'GET', url: `${base}/reset`, timeoutMs: 2000, limitBytes: 1024 });
    expect(result).toMatchObject({ answered: true, statusCode: 502, text: 'partial' });
  });

  it('answers the error when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await exchange(dispatcher, { method: 'POST', url: `http://127.0.0.1:${port}/`, body: '{}', timeoutMs: 2000, limitBytes: 1024 });
    expect(result).toMatchObject({ answered: false, timedOut: false });
    expect(result.answered ? null : (result.error as { code?: string }).code).toBe('ECONNREFUSED');
  });
});
