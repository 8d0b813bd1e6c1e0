import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from '../../test/support/receiver.js';
import { createEgressDispatcher } from '../net/index.js';
import { runHandshake } from './handshake.js';

describe('runHandshake', () => {
  let receiver: Receiver;
  const dispatcher = createEgressDispatcher({ allowHttp: true, allowedPrivateCidrs: ['127.0.0.0/8'], proxyUrl: null });

  beforeAll(async () => {
    receiver = await Receiver.start((request, res) => {
      const query = new URL(request.url, 'http://x').searchParams;
      if (request.url.startsWith('/silent')) return; // never answers
      if (request.url.startsWith('/wrong')) return void res.writeHead(200).end('not the challenge');
      if (query.get('hub.verify_token') !== 'token-1') return void res.writeHead(403).end('bad token');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(query.get('hub.challenge'));
    });
  });
  afterAll(async () => {
    await dispatcher.close();
    await receiver.close();
  });

  it('verifies a receiver that echoes the challenge for its token', async () => {
    expect(await runHandshake(`${receiver.url}/hook?keep=1`, 'token-1', 2000, dispatcher)).toEqual({ verified: true, reason: null });
  });

  it('names what went wrong otherwise: the status, a wrong echo, the deadline', async () => {
    expect(await runHandshake(`${receiver.url}/hook`, 'token-2', 2000, dispatcher)).toEqual({ verified: false, reason: 'handshake answered HTTP 403' });
    expect(await runHandshake(`${receiver.url}/wrong`, 'token-1', 2000, dispatcher)).toEqual({ verified: false, reason: 'handshake answer did not echo the challenge' });
    expect(await runHandshake(`${receiver.url}/silent`, 'token-1', 300, dispatcher)).toEqual({ verified: false, reason: 'handshake failed: timeout after 300 ms' });
  });
});
