import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { errors, request, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createEgressDispatcher, describeNetworkError, EgressError } from './egress-dispatcher.js';
import type { EgressPolicy, Resolver } from './egress-policy.js';

// Every network target in this file is loopback; names resolve only through this fake.
const fakeDns = (table: Record<string, string[]>, calls: string[] = []): Resolver => async (host) => {
  calls.push(host);
  const addrs = table[host];
  if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

// Self-signed test-only certificate for hooks.test (P-256, valid 2000-2100). Never trusted outside tests.
const HOOKS_TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgzezDyvl6TDthc1Ut
XzeQD4DRJn5heSHrQq8szq9gbXShRANCAAQA41A/IiePqsbIi68YDOo5y3P2vzgQ
e3LGl0N5DdvbwPzzqsKx8h447f72tNNfF8mRjt7oZ2f5vVZtFckwaCOu
-----END PRIVATE KEY-----`;

const HOOKS_TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBZTCCAQqgAwIBAgIBATAKBggqhkjOPQQDAjAVMRMwEQYDVQQDDApob29rcy50
ZXN0MCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAVMRMwEQYDVQQD
DApob29rcy50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAONQPyInj6rG
yIuvGAzqOctz9r84EHtyxpdDeQ3b28D886rCsfIeOO3+9rTTXxfJkY7e6Gdn+b1W
bRXJMGgjrqNJMEcwDwYDVR0TAQH/BAUwAwEB/zAVBgNVHREEDjAMggpob29rcy50
ZXN0MB0GA1UdDgQWBBSf3aMKrxVGdZ4G5XmWh6YQJx/rfzAKBggqhkjOPQQDAgNJ
ADBGAiEA1lV2cX6zUuOsmH0oQGkDqv4he/5st9ryE/xwC4KHw2oCIQDqRJxjVRTY
hEL1ryORx1zlbGUEgFanoptWajRN2c1gMg==
-----END CERTIFICATE-----`;

const LOOPBACK_ONLY = ['127.0.0.0/8'];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function policy(over: Partial<EgressPolicy> = {}): EgressPolicy {
  return { allowHttp: true, allowedPrivateCidrs: LOOPBACK_ONLY, proxyUrl: null, resolve: fakeDns({}), ...over };
}

function dispatcher(p: EgressPolicy): Dispatcher {
  const d = createEgressDispatcher(p, { connectTimeout: 2000, tls: { ca: HOOKS_TEST_CERT } });
  cleanups.push(() => d.close());
  return d;
}

async function listen<S extends net.Server>(server: S): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

/** A loopback HTTP target that records what each request looked like on arrival. */
async function target() {
  const seen: { host?: string; local: string; url?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ host: req.headers.host, local: req.socket.localAddress ?? '', url: req.url });
    res.end('ok');
  });
  server.keepAliveTimeout = 100;
  const port = await listen(server);
  return { port, seen, server };
}

/** A loopback HTTPS target with a certificate for hooks.test only. */
async function httpsTarget() {
  const seen: { host?: string; sni: string | false | null }[] = [];
  const server = https.createServer({ key: HOOKS_TEST_KEY, cert: HOOKS_TEST_CERT }, (req, res) => {
    seen.push({ host: req.headers.host, sni: (req.socket as tls.TLSSocket).servername });
    res.end('secure');
  });
  server.keepAliveTimeout = 100;
  return { port: await listen(server), seen };
}

/** A loopback TLS listener that only records the SNI name, then fails the handshake. */
async function sniRecorder() {
  const names: string[] = [];
  const server = tls.createServer({
    SNICallback: (name, cb) => {
      names.push(name);
      cb(new Error('no certificate here'), null as unknown as tls.SecureContext);
    },
  });
  server.on('tlsClientError', () => {});
  return { port: await listen(server), names };
}

/** A tiny CONNECT proxy that records targets and only ever dials loopback. */
async function connectProxy() {
  const targets: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    targets.push(req.url ?? '');
    const url = new URL(`http://${req.url}`);
    if (url.hostname !== '127.0.0.1') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(url.port), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, targets };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('createEgressDispatcher', () => {
  it('connects to an allow-listed loopback address', async () => {
    const t = await target();
    const res = await request(`http://127.0.0.1:${t.port}/hook`, { method: 'POST', body: '{}', dispatcher: dispatcher(policy()) });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok');
    expect(t.seen).toEqual([{ host: `127.0.0.1:${t.port}`, local: '127.0.0.1', url: '/hook' }]);
  });

  it('blocks loopback when it is not allow-listed', async () => {
    const t = await target();
    const err = await failure(request(`http://127.0.0.1:${t.port}/`, { dispatcher: dispatcher(policy({ allowedPrivateCidrs: [] })) }));
    expect(err.message).toMatch(/^blocked address: 127\.0\.0\.1 \(loopback address\)/);
    expect(describeNetworkError(err)).toBe(err.message);
    expect(t.seen).toEqual([]);
  });

  it('blocks plain http when allowHttp is off', async () => {
    const t = await target();
    const err = await failure(request(`http://127.0.0.1:${t.port}/`, { dispatcher: dispatcher(policy({ allowHttp: false })) }));
    expect(err.message).toMatch(/^blocked scheme:/);
    expect(t.seen).toEqual([]);
  });

  it('re-checks at connect time: a name rebound to loopback is blocked', async () => {
    const t = await target();
    const p = policy({ allowedPrivateCidrs: [], resolve: fakeDns({ 'rebind.test': ['127.0.0.1'] }) });
    const err = await failure(request(`http://rebind.test:${t.port}/`, { dispatcher: dispatcher(p) }));
    // The attempt log is the tenant's: it does not learn what the name resolved to; the log does.
    expect(err.message).toBe('blocked address: host rebind.test resolves to an address that is not allowed');
    expect((err as Error & { detail?: unknown }).detail).toEqual({ host: 'rebind.test', address: '127.0.0.1', reason: 'loopback address' });
    expect(t.seen).toEqual([]);
  });

  it('blocks a mixed answer even when one address is allowed', async () => {
    const t = await target();
    const p = policy({ resolve: fakeDns({ 'mixed.test': ['127.0.0.1', '10.0.0.1'] }) });
    const err = await failure(request(`http://mixed.test:${t.port}/`, { dispatcher: dispatcher(p) }));
    expect(err.message).toMatch(/^blocked address: host mixed\.test resolves to an address that is not allowed/);
    expect(err.message).not.toContain('10.0.0.1');
    expect(t.seen).toEqual([]);
  });

  it('dials the pinned, checked address and keeps the Host header', async () => {
    const t = await target();
    const calls: string[] = [];
    const p = policy({ resolve: fakeDns({ 'rebind.test': ['127.0.0.1'] }, calls) });
    // rebind.test exists only in the fake resolver, so a success proves the socket used its answer.
    const res = await request(`http://rebind.test:${t.port}/x`, { dispatcher: dispatcher(p) });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(calls).toEqual(['rebind.test']);
    expect(t.seen).toEqual([{ host: `rebind.test:${t.port}`, local: '127.0.0.1', url: '/x' }]);
  });

  it('falls back to the next checked address when one refuses', async () => {
    const t = await target(); // listens on 127.0.0.1 only, so 127.0.0.2 refuses
    const p = policy({ resolve: fakeDns({ 'two.test': ['127.0.0.2', '127.0.0.1'] }) });
    const res = await request(`http://two.test:${t.port}/`, { dispatcher: dispatcher(p) });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(t.seen.map((r) => r.local)).toEqual(['127.0.0.1']);
  });

  it('treats localhost as loopback by name, without DNS', async () => {
    const t = await target();
    const calls: string[] = [];
    const res = await request(`http://localhost:${t.port}/`, { dispatcher: dispatcher(policy({ resolve: fakeDns({}, calls) })) });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(calls).toEqual([]);
    expect(t.seen[0]?.host).toBe(`localhost:${t.port}`);
    const err = await failure(request(`http://localhost:${t.port}/`, { dispatcher: dispatcher(policy({ allowedPrivateCidrs: [] })) }));
    expect(err.message).toMatch(/^blocked address: 127\.0\.0\.1 \(loopback address \(localhost\)\) for host localhost/);
  });

  it('sends the hostname as TLS SNI while dialling the IP', async () => {
    const s = await sniRecorder();
    const p = policy({ resolve: fakeDns({ 'rebind.test': ['127.0.0.1'] }) });
    const err = await failure(request(`https://rebind.test:${s.port}/`, { dispatcher: dispatcher(p) }));
    expect(s.names).toEqual(['rebind.test']);
    expect(describeNetworkError(err)).toMatch(/^tls: .*TLS/);
  });

  it('completes HTTPS to the pinned IP, verifying the certificate against the hostname', async () => {
    const t = await httpsTarget();
    const p = policy({ resolve: fakeDns({ 'hooks.test': ['127.0.0.1'] }) });
    const res = await request(`https://hooks.test:${t.port}/`, { dispatcher: dispatcher(p) });
    expect(await res.body.text()).toBe('secure');
    expect(t.seen).toEqual([{ host: `hooks.test:${t.port}`, sni: 'hooks.test' }]);
    // The same server by IP fails verification: the certificate names hooks.test only.
    const err = await failure(request(`https://127.0.0.1:${t.port}/`, { dispatcher: dispatcher(p) }));
    expect(describeNetworkError(err)).toMatch(/^tls: /);
  });

  it('reports DNS failures with a dns: prefix', async () => {
    const err = await failure(request('https://nxdomain.test/', { dispatcher: dispatcher(policy()) }));
    expect(err.message).toBe('dns: could not resolve host nxdomain.test (ENOTFOUND)');
    expect(describeNetworkError(err)).toBe(err.message);
  });

  it('reports a refused connection', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await cleanups.pop()!(); // closed: nothing listens on the port any more
    const err = await failure(request(`http://127.0.0.1:${port}/`, { dispatcher: dispatcher(policy()) }));
    expect(describeNetworkError(err)).toBe('connection refused');
  });
});

describe('createEgressDispatcher with an egress proxy', () => {
  it('CONNECTs to the checked IP, never the hostname, and keeps Host', async () => {
    const t = await target();
    const proxy = await connectProxy();
    const p = policy({ proxyUrl: proxy.url, resolve: fakeDns({ 'hooks.test': ['127.0.0.1'] }) });
    const res = await request(`http://hooks.test:${t.port}/via-proxy`, { method: 'POST', body: 'x', dispatcher: dispatcher(p) });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(proxy.targets).toEqual([`127.0.0.1:${t.port}`]);
    expect(t.seen).toEqual([{ host: `hooks.test:${t.port}`, local: '127.0.0.1', url: '/via-proxy' }]);
  });

  it('runs TLS over the tunnel with SNI = hostname', async () => {
    const s = await sniRecorder();
    const proxy = await connectProxy();
    const p = policy({ proxyUrl: proxy.url, resolve: fakeDns({ 'hooks.test': ['127.0.0.1'] }) });
    await failure(request(`https://hooks.test:${s.port}/`, { dispatcher: dispatcher(p) }));
    expect(proxy.targets).toEqual([`127.0.0.1:${s.port}`]);
    expect(s.names).toEqual(['hooks.test']);
  });

  it('completes HTTPS through the tunnel', async () => {
    const t = await httpsTarget();
    const proxy = await connectProxy();
    const p = policy({ proxyUrl: proxy.url, resolve: fakeDns({ 'hooks.test': ['127.0.0.1'] }) });
    const res = await request(`https://hooks.test:${t.port}/`, { dispatcher: dispatcher(p) });
    expect(await res.body.text()).toBe('secure');
    expect(proxy.targets).toEqual([`127.0.0.1:${t.port}`]);
    expect(t.seen).toEqual([{ host: `hooks.test:${t.port}`, sni: 'hooks.test' }]);
  });

  it('checks the address before asking the proxy', async () => {
    const proxy = await connectProxy();
    const p = policy({ allowedPrivateCidrs: [], proxyUrl: proxy.url, resolve: fakeDns({ 'hooks.test': ['127.0.0.1'] }) });
    const err = await failure(request('https://hooks.test/', { dispatcher: dispatcher(p) }));
    expect(err.message).toMatch(/^blocked address: host hooks\.test resolves to an address that is not allowed/);
    expect(proxy.targets).toEqual([]);
  });

  it('reports a proxy that refuses the CONNECT', async () => {
    const proxy = await connectProxy();
    // 127.0.0.2 is allowed by policy but this proxy only tunnels to 127.0.0.1.
    const p = policy({ proxyUrl: proxy.url, resolve: fakeDns({ 'hooks.test': ['127.0.0.2'] }) });
    const err = await failure(request('http://hooks.test:9/', { dispatcher: dispatcher(p) }));
    expect(err.message).toBe('proxy: CONNECT 127.0.0.2:9 answered 403');
    expect(err).toBeInstanceOf(EgressError);
  });
});

describe('describeNetworkError', () => {
  it('maps common errors to short strings', () => {
    expect(describeNetworkError(new errors.ConnectTimeoutError())).toBe('timeout');
    expect(describeNetworkError(new errors.HeadersTimeoutError())).toBe('timeout');
    expect(describeNetworkError(new errors.BodyTimeoutError())).toBe('timeout');
    expect(describeNetworkError(new DOMException('The operation timed out.', 'TimeoutError'))).toBe('timeout');
    expect(describeNetworkError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('connection reset');
    expect(describeNetworkError(new errors.SocketError('other side closed'))).toBe('connection reset');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(describeNetworkError(new TypeError('fetch failed', { cause: refused }))).toBe('connection refused');
    const cert = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    expect(describeNetworkError(cert)).toBe('tls: certificate has expired');
    const blocked = new EgressError('EGRESS_BLOCKED', 'blocked address: 10.0.0.1 (private network (RFC 1918)) for host x');
    expect(describeNetworkError(new TypeError('fetch failed', { cause: blocked }))).toBe(blocked.message);
    expect(describeNetworkError(new Error('something odd'))).toBe('something odd');
    expect(describeNetworkError('plain string')).toBe('plain string');
  });
});
