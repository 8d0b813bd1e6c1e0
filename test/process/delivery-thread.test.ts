import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import { freePort, processTestScratch, startHeraldProcess, withTimeout } from '../support/herald-process.js';

/**
 * `herald serve` and `herald worker` make deliveries' HTTP exchanges on a thread of their own
 * (src/net/exchange-thread.ts). A worker thread runs compiled JavaScript, so these tests use
 * the build (`npm test` builds first): the thread's module from dist/, and the CLI.
 */

type ThreadModule = typeof import('../../src/net/exchange-thread.js');
type ExchangeModule = typeof import('../../src/net/exchange.js');
const BUILT = new URL('../../dist/src/net/', import.meta.url);

describe('the delivery thread', () => {
  let server: Server;
  let base: string;
  let threads: ThreadModule;
  let exchanges: ExchangeModule;
  const loopback = { allowHttp: true, allowedPrivateCidrs: ['127.0.0.0/8'], proxyUrl: null };

  beforeAll(async () => {
    threads = (await import(new URL('exchange-thread.js', BUILT).href)) as ThreadModule;
    exchanges = (await import(new URL('exchange.js', BUILT).href)) as ExchangeModule;
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      if (req.url === '/big') return void res.writeHead(200).end('x'.repeat(200_000));
      req.resume().on('end', () => res.writeHead(429, { 'retry-after': '7' }).end(`seen ${req.url}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers each of many concurrent exchanges with its own status, headers and capped body', async () => {
    const thread = threads.startExchangeThread(loopback);
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, n) => thread.exchange({ method: 'POST', url: `${base}/n${n}`, body: '{}', timeoutMs: 5000, limitBytes: 1000 })),
      );
      results.forEach((result, n) => {
        expect(result).toMatchObject({ answered: true, statusCode: 429, text: `seen /n${n}`, truncated: false });
        expect(result.answered && result.headers['retry-after']).toBe('7');
      });
      const big = await thread.exchange({ method: 'GET', url: `${base}/big`, timeoutMs: 5000, limitBytes: 1000 });
      expect(big).toMatchObject({ answered: true, statusCode: 200, truncated: true });
      expect(big.answered && big.text.length).toBe(1000);
    } finally {
      await thread.close();
    }
  });

  it("carries a full claim of the largest events at once: 128 bodies of 1 MiB", async () => {
    const thread = threads.startExchangeThread(loopback);
    try {
      const body = (n: number) => JSON.stringify({ n, text: 'x'.repeat(1024 * 1024 - 32) });
      const results = await Promise.all(Array.from({ length: 128 }, (_, n) => thread.exchange({ method: 'POST', url: `${base}/big${n}`, body: body(n), timeoutMs: 30_000, limitBytes: 100 })));
      expect(results.filter((result) => result.answered && result.statusCode === 429)).toHaveLength(128);
    } finally {
      await thread.close();
    }
  });

  it('ends a silent receiver at the deadline and reports a refused address with what it resolved to', async () => {
    const thread = threads.startExchangeThread(loopback);
    const guarded = threads.startExchangeThread({ ...loopback, allowedPrivateCidrs: [] });
    try {
      const silent = await thread.exchange({ method: 'POST', url: `${base}/hang`, body: '{}', timeoutMs: 300, limitBytes: 1000 });
      expect(silent).toMatchObject({ answered: false, timedOut: true, reason: 'timeout after 300 ms' });

      const refused = await thread.exchange({ method: 'POST', url: `http://127.0.0.1:${await freePort()}/`, timeoutMs: 2000, limitBytes: 1000 });
      expect(refused).toMatchObject({ answered: false, timedOut: false });

      const blocked = await guarded.exchange({ method: 'POST', url: `${base}/n`, timeoutMs: 2000, limitBytes: 1000 });
      expect(blocked.answered).toBe(false);
      expect(exchanges.egressRefusal(!blocked.answered && blocked.error)).toMatchObject({ detail: { address: '127.0.0.1' } });
    } finally {
      await thread.close();
      await guarded.close();
    }
  });

  it('ends the exchanges still running when it closes, and answers later ones at once', async () => {
    const thread = threads.startExchangeThread(loopback);
    const pending = thread.exchange({ method: 'POST', url: `${base}/hang`, timeoutMs: 60_000, limitBytes: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await thread.close();
    expect(await withTimeout(pending, 2000, () => 'the pending exchange never settled')).toMatchObject({ answered: false, reason: 'delivery thread stopped' });
    expect(await thread.exchange({ method: 'GET', url: `${base}/n`, timeoutMs: 1000, limitBytes: 10 })).toMatchObject({ answered: false, reason: 'delivery thread stopped' });
  });

  it('fails the exchanges of a thread that cannot start, says why, and tries again at the next', async () => {
    const errors: Error[] = [];
    // Options a thread cannot be given (a function cannot be cloned): starting it throws.
    const unstartable = { tls: { checkServerIdentity: () => undefined } } as Parameters<ThreadModule['startExchangeThread']>[1];
    const thread = threads.startExchangeThread(loopback, unstartable, (error) => errors.push(error));
    try {
      const request = { method: 'POST' as const, url: `${base}/n`, body: '{}', timeoutMs: 1000, limitBytes: 100 };
      const first = await Promise.all([thread.exchange(request), thread.exchange(request)]);
      expect(first).toEqual([expect.objectContaining({ answered: false, reason: 'delivery thread stopped' }), expect.objectContaining({ answered: false, reason: 'delivery thread stopped' })]);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.name).toBe('DataCloneError');
      expect(await thread.exchange(request)).toMatchObject({ answered: false, reason: 'delivery thread stopped' });
      expect(errors).toHaveLength(2);
    } finally {
      await thread.close();
    }
  });

  it('refuses a policy with a resolver of its own (code cannot cross to a thread)', () => {
    expect(() => threads.startExchangeThread({ ...loopback, resolve: async () => [] })).toThrow(/resolver/);
  });
});

describe('herald serve with and without the delivery thread', () => {
  const ADMIN_TOKEN = 'delivery-thread-admin-token';
  const scratch = processTestScratch('herald-delivery-thread-');

  // A Worker refuses per-process Node flags handed to it: the thread must start whatever node was given.
  it.each([
    ['on the delivery thread (the default)', {}, []],
    ['on the main thread (HERALD_DELIVERY_THREAD=0)', { HERALD_DELIVERY_THREAD: '0' }, []],
    ['on the delivery thread, node started with flags of its own', {}, ['--max-old-space-size=512', '--max-semi-space-size=8']],
  ])('delivers verifiable webhooks and logs a silent receiver as timed out, %s', async (_name, env: Record<string, string>, nodeArgs: string[]) => {
    const dir = scratch.dir();
    const receiver = await scratch.receiver((request, res) => {
      if (request.url === '/silent') return;
      res.writeHead(204).end();
    });
    const herald = await startHeraldProcess({ databaseUrl: `sqlite:${join(dir, 'h.db')}`, adminToken: ADMIN_TOKEN, env, nodeArgs });
    expect((await herald.api('POST', '/api/v1/event-types', { name: 'thread.test', description: 'Thread' })).status).toBe(201);
    expect((await herald.api('POST', '/api/v1/tenants', { id: 't', name: 'T', settings: { retrySchedule: [3600], attemptTimeoutMs: 300 } })).status).toBe(201);
    const endpoint = await herald.api('POST', '/api/v1/tenants/t/endpoints', { url: `${receiver.url}/hook`, eventTypes: ['thread.*'] });
    const silent = await herald.api('POST', '/api/v1/tenants/t/endpoints', { url: `${receiver.url}/silent`, eventTypes: ['thread.*'] });
    expect([endpoint.status, silent.status]).toEqual([201, 201]);

    const published = await Promise.all(Array.from({ length: 20 }, (_, n) => herald.api('POST', '/api/v1/tenants/t/events', { type: 'thread.test', data: { n } })));
    expect(published.map((p) => p.status)).toEqual(Array(20).fill(202));

    const webhook = new Webhook(endpoint.body.secret);
    await eventually(async () => receiver.received.filter((r) => r.url === '/hook').length >= 20, 15_000);
    const verified = receiver.received.filter((r) => r.url === '/hook').map((r) => (webhook.verify(r.body, r.headers as Record<string, string>) as { data: { n: number } }).data.n);
    expect(verified.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));

    // The silent receiver's attempts end at the tenant's 300 ms, counted by the thread's timer.
    type Listed = { lastAttempt: { statusCode: number | null; error: string | null } | null };
    const timedOut = await eventually(async () => {
      const log = await herald.api('GET', `/api/v1/tenants/t/deliveries?endpointId=${silent.body.id}&limit=100`);
      const tried = (log.body.data as Listed[]).filter((d) => d.lastAttempt !== null);
      return tried.length === 20 && tried;
    }, 15_000);
    for (const delivery of timedOut) expect(delivery).toMatchObject({ lastAttempt: { statusCode: null, error: 'timeout after 300 ms' } });
  });
});
