import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from '../../test/support/receiver.js';
import { createEgressDispatcher } from './egress-dispatcher.js';
import { exchange } from './exchange.js';

describe('exchange', () => {
  let receiver: Receiver;
  /** Resolved when the receiver sees the endless answer's connection closed by the client. */
  let endlessClosed: Promise<void>;
  const dispatcher = createEgressDispatcher({ allowHttp: true, allowedPrivateCidrs: ['127.0.0.0/8'], proxyUrl: null });

  beforeAll(async () => {
    let markClosed: () => void;
    endlessClosed = new Promise((resolve) => (markClosed = resolve));
    receiver = await Receiver.start((request, res) => {
      if (request.url === '/endless') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const pump = () => {
          while (res.write('é'.repeat(1000)));
        };
        res.on('drain', pump);
        res.on('close', markClosed);
        return pump();
      }
      if (request.url === '/reset') {
        res.writeHead(502, { 'content-type': 'text/plain', 'content-length': '100' });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(201, { 'x-echo': request.method }).end(`${request.url} ${request.body}`);
    });
  });
  afterAll(async () => {
    await dispatcher.close();
    await receiver.close();
  });

  it('sends the request and answers the status, headers and body', async () => {
    const result = await exchange(dispatcher, { method: 'POST', url: `${receiver.url}/hook?x=1`, headers: { 'content-type': 'application/json' }, body: '{"a":1}', timeoutMs: 2000, limitBytes: 1024 });
    expect(result).toMatchObject({ answered: true, statusCode: 201, text: '/hook?x=1 {"a":1}', truncated: false });
    expect(result.answered && result.headers['x-echo']).toBe('POST');
  });

  it('keeps at most limitBytes of an endless answer and closes its connection', async () => {
    const result = await exchange(dispatcher, { method: 'GET', url: `${receiver.url}/endless`, timeoutMs: 5000, limitBytes: 3001 });
    expect(result).toMatchObject({ answered: true, statusCode: 200, truncated: true });
    // 1,500 two-byte characters, then half of one: decoded as U+FFFD, never an exception.
    expect(result.answered && result.text).toBe(`${'é'.repeat(1500)}\uFFFD`);
    await endlessClosed;
  });

  it('keeps the status and what came when the connection breaks mid-body', async () => {
    const result = await exchange(dispatcher, { method: 'GET', url: `${receiver.url}/reset`, timeoutMs: 2000, limitBytes: 1024 });
    expect(result).toMatchObject({ answered: true, statusCode: 502, text: 'partial' });
  });

  it('answers the error when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await exchange(dispatcher, { method: 'POST', url: `http://127.0.0.1:${port}/`, body: '{}', timeoutMs: 2000, limitBytes: 1024 });
    expect(result).toMatchObject({ answered: false, timedOut: false, reason: 'connection refused' });
    expect(result.answered ? null : (result.error as { code?: string }).code).toBe('ECONNREFUSED');
  });
});
