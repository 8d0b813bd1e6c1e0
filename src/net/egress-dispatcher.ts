import http from 'node:http';
import net from 'node:net';
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { parseProxyUrl, rulesFor, systemResolver, type EgressPolicy } from './egress-policy.js';
import { bareHost, isLocalhostName, vetHost } from './vet-host.js';

export interface EgressDispatcherOptions {
  connections?: number;
  pipelining?: number;
  keepAliveTimeout?: number;
  /** Bounds DNS, the proxy CONNECT and the TCP/TLS handshake, each (default 10 s). */
  connectTimeout?: number;
  /** Extra TLS options, e.g. `ca` for tests or a private CA; servername is always the URL's host. */
  tls?: Omit<ConnectionOptions, 'servername' | 'host' | 'port' | 'socket'>;
}

/** A refused or failed egress step; `code` lets callers classify without parsing the text. */
export class EgressError extends Error {
  constructor(
    readonly code: 'EGRESS_BLOCKED' | 'EGRESS_DNS' | 'EGRESS_PROXY' | 'EGRESS_SCHEME',
    message: string,
  ) {
    super(message);
    this.name = 'EgressError';
  }
}

// Errors after which the next vetted address of the same host is worth a try.
const NEXT_ADDRESS_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Opens `CONNECT ip:port` on the proxy: the proxy is given an address, so it cannot re-resolve. */
function openTunnel(proxy: URL, ip: string, port: number, timeoutMs: number): Promise<Socket> {
  const target = net.isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
  const headers: Record<string, string> = { host: target };
  if (proxy.username || proxy.password) {
    const creds = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(creds).toString('base64')}`;
  }
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: bareHost(proxy.hostname),
      port: Number(proxy.port || 80),
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
    });
    const timer = setTimeout(
      () => req.destroy(new EgressError('EGRESS_PROXY', `timeout: proxy CONNECT to ${target}`)),
      timeoutMs,
    );
    req.once('connect', (res, socket, head) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new EgressError('EGRESS_PROXY', `proxy: CONNECT ${target} answered ${res.statusCode}`));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err instanceof EgressError ? err : new EgressError('EGRESS_PROXY', `proxy: ${err.message}`));
    });
    req.end();
  });
}

/**
 * An undici Agent that resolves each host itself, checks every address against the policy and
 * connects to a checked address (directly, or through HERALD_EGRESS_PROXY with CONNECT). The
 * original `host` stays in the connect options, so undici derives TLS SNI (and certificate
 * checks) from the hostname, and the Host header comes from the request URL unchanged.
 */
export function createEgressDispatcher(policy: EgressPolicy, options: EgressDispatcherOptions = {}): Dispatcher {
  const rules = rulesFor(policy);
  const resolve = policy.resolve ?? systemResolver;
  const proxy = policy.proxyUrl ? parseProxyUrl(policy.proxyUrl) : null;
  const timeout = options.connectTimeout ?? 10_000;
  const connector = buildConnector({ ...options.tls, timeout });

  const handshake = (opts: buildConnector.Options) =>
    new Promise<Socket>((resolve, reject) => connector(opts, (err, socket) => (err ? reject(err) : resolve(socket!))));

  const openVia = async (opts: buildConnector.Options, ip: string): Promise<Socket> => {
    // hostname is what gets dialled; host (untouched) still names the server for SNI.
    if (!proxy) return handshake({ ...opts, hostname: ip });
    const port = Number(opts.port || (opts.protocol === 'https:' ? 443 : 80));
    const tunnel = await openTunnel(proxy, ip, port, timeout);
    if (opts.protocol !== 'https:') return tunnel;
    try {
      return await handshake({ ...opts, hostname: ip, httpSocket: tunnel });
    } catch (err) {
      tunnel.destroy();
      throw err;
    }
  };

  const open = async (opts: buildConnector.Options): Promise<Socket> => {
    if (opts.protocol === 'http:' && !policy.allowHttp) {
      throw new EgressError('EGRESS_SCHEME', 'blocked scheme: plain http is not allowed');
    }
    const verdict = await withTimeout(
      vetHost(opts.hostname, rules, resolve),
      timeout,
      () => new EgressError('EGRESS_DNS', `dns: lookup of ${opts.hostname} timed out`),
    );
    if (!verdict.ok) {
      throw verdict.kind === 'dns'
        ? new EgressError('EGRESS_DNS', `dns: could not resolve host ${verdict.host} (${verdict.detail})`)
        : blockedError(verdict.host, verdict.address, verdict.reason);
    }
    let lastError: unknown;
    for (const { address } of verdict.addresses) {
      try {
        return await openVia(opts, address);
      } catch (err) {
        lastError = err;
        if (!NEXT_ADDRESS_CODES.has((err as { code?: string }).code ?? '')) break;
      }
    }
    throw lastError;
  };

  const connect: buildConnector.connector = (opts, callback) => {
    open(opts).then(
      (socket) => callback(null, socket),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  };

  return new Agent({
    connect,
    connections: options.connections ?? null,
    pipelining: options.pipelining ?? 1,
    keepAliveTimeout: options.keepAliveTimeout ?? 4_000,
  });
}

/**
 * The message lands in the tenant's attempt log: an address the tenant typed is named, what a
 * name resolved to is not (it maps the operator's network); `detail` keeps it for the log.
 */
function blockedError(host: string, address: string, reason: string): EgressError {
  const named = `blocked address: ${address} (${reason})${address === host ? '' : ` for host ${host}`}`;
  const message = address === host || isLocalhostName(host) ? named : `blocked address: host ${host} resolves to an address that is not allowed`;
  return Object.assign(new EgressError('EGRESS_BLOCKED', message), { detail: { host, address, reason } });
}

/** undici's own timeouts (connect, headers, body): an exchange's deadline by another name. */
export const UNDICI_TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const TIMEOUT_CODES = new Set([...UNDICI_TIMEOUT_CODES, 'ETIMEDOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);

function isTlsError(code: string, message: string): boolean {
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/.test(code) ||
    /\b(SSL|TLS)\b/.test(message)
  );
}

/** Maps undici/socket/egress errors to the short strings the attempt log shows. */
export function describeNetworkError(err: unknown): string {
  // fetch wraps the real error as TypeError('fetch failed', { cause }); the innermost cause is
  // usually the informative one, but our own messages win wherever they sit in the chain.
  const chain: unknown[] = [];
  for (let e: unknown = err; e != null && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e);
  for (const e of chain) {
    const message = e instanceof Error ? e.message : String(e);
    if (/^(blocked (address|scheme)|dns|proxy|timeout):/.test(message)) return message;
  }
  for (const e of [...chain].reverse()) {
    if (!(e instanceof Error)) continue;
    const code = String((e as { code?: unknown }).code ?? '');
    if (TIMEOUT_CODES.has(code) || e.name === 'TimeoutError') return 'timeout';
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (DNS_CODES.has(code)) return `dns: ${code} ${(e as { hostname?: string }).hostname ?? ''}`.trim();
    // Before the reset check: a peer that drops the handshake is a TLS problem, not a reset.
    if (isTlsError(code, e.message)) return `tls: ${e.message}`;
    if (RESET_CODES.has(code)) return 'connection reset';
  }
  const first = chain[0];
  return first instanceof Error ? first.message : String(first);
}
