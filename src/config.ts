import ipaddr from 'ipaddr.js';
import { DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT, MAX_IN_FLIGHT_LIMIT } from './domain/endpoint.js';
import { validateEgressPolicy, type EgressPolicy } from './net/index.js';

/** Every setting, parsed once from flags and environment; flags win over the environment. */
export interface Config {
  databaseUrl: string;
  port: number;
  host: string;
  publicUrl: string;
  adminToken: string | null;
  encryptionKey: string | null;
  egress: EgressPolicy;
  /** Run the API (false for `herald worker`). */
  api: boolean;
  /** Run delivery workers in this process (false for `serve --no-workers`). */
  workers: boolean;
  /**
   * On SQLite, make deliveries' HTTP exchanges on a thread of their own (net/exchange-thread.ts).
   * On for `herald serve` unless `--no-delivery-thread` or HERALD_DELIVERY_THREAD=0; off when
   * Herald is started from code, whose modules may not be compiled to JavaScript.
   */
  deliveryThread: boolean;
  /** Requests in flight to one endpoint at most, across all workers (the brief's 16 unless configured). */
  maxInFlightPerEndpoint: number;
  migrate: boolean;
  logLevel: string;
  /**
   * A claimed delivery's lease is the tenant's attempt timeout plus this grace, after which a
   * worker that died loses it. Hidden knob (env `HERALD_LEASE_GRACE_MS` only, 1 000 to 60 000,
   * default 60 000): the contract allows at most attemptTimeoutMs + 60 s, so shorter is within it.
   */
  leaseGraceMs: number;
  /** Proxies (addresses or CIDRs) whose `X-Forwarded-For` names the client; empty: none. */
  trustProxy: readonly string[];
  /** When set, `/metrics` answers only requests bearing it (issue 12). */
  metricsToken: string | null;
  /** The embeddable portal (design brief, "Embedding the portal"). */
  portal: PortalConfig;
}

export interface PortalConfig {
  /** CSP `frame-ancestors` sources of the /portal page: `'none'` unless HERALD_PORTAL_FRAME_ANCESTORS says. */
  frameAncestors: string;
  brandName: string | null;
  brandColor: string | null;
}

export interface ConfigFlags {
  databaseUrl?: string;
  port?: string | number;
  host?: string;
  publicUrl?: string;
  adminToken?: string;
  encryptionKey?: string;
  allowHttp?: boolean | string;
  allowedPrivateCidrs?: string;
  egressProxy?: string;
  dev?: boolean;
  workers?: boolean;
  deliveryThread?: boolean;
  maxInFlightPerEndpoint?: string | number;
  migrate?: boolean;
  logLevel?: string;
  trustProxy?: string;
  metricsToken?: string;
}

/** The names of the environment variables, keyed by flag. */
export const ENV_NAMES = {
  databaseUrl: 'HERALD_DATABASE_URL',
  port: 'HERALD_PORT',
  host: 'HERALD_HOST',
  publicUrl: 'HERALD_PUBLIC_URL',
  adminToken: 'HERALD_ADMIN_TOKEN',
  encryptionKey: 'HERALD_ENCRYPTION_KEY',
  allowHttp: 'HERALD_ALLOW_HTTP',
  allowedPrivateCidrs: 'HERALD_ALLOWED_PRIVATE_CIDRS',
  egressProxy: 'HERALD_EGRESS_PROXY',
  logLevel: 'HERALD_LOG_LEVEL',
  trustProxy: 'HERALD_TRUST_PROXY',
  metricsToken: 'HERALD_METRICS_TOKEN',
  maxInFlightPerEndpoint: 'HERALD_MAX_IN_FLIGHT_PER_ENDPOINT',
} as const;

const DEV_CIDRS = ['127.0.0.0/8', '::1/128'];

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const pick = (key: keyof typeof ENV_NAMES): string | undefined => {
    const flag = flags[key];
    if (flag !== undefined && flag !== null && flag !== '') return String(flag);
    const value = env[ENV_NAMES[key]];
    return value === undefined || value === '' ? undefined : value;
  };
  const port = Number(pick('port') ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${pick('port')}`);
  const host = pick('host') ?? '127.0.0.1';
  const cidrs = (pick('allowedPrivateCidrs') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const dev = flags.dev === true;

  return Object.freeze({
    databaseUrl: pick('databaseUrl') ?? 'sqlite:./data/herald.db',
    port,
    host,
    publicUrl: (pick('publicUrl') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, ''),
    adminToken: pick('adminToken') ?? null,
    encryptionKey: pick('encryptionKey') ?? null,
    egress: validateEgressPolicy({
      allowHttp: dev || parseSwitch('HERALD_ALLOW_HTTP', pick('allowHttp'), false),
      allowedPrivateCidrs: dev ? [...new Set([...cidrs, ...DEV_CIDRS])] : cidrs,
      proxyUrl: pick('egressProxy') ?? null,
    }),
    api: true,
    workers: flags.workers !== false,
    deliveryThread: flags.deliveryThread === true && parseSwitch('HERALD_DELIVERY_THREAD', env.HERALD_DELIVERY_THREAD, true),
    maxInFlightPerEndpoint: parseMaxInFlight(pick('maxInFlightPerEndpoint')),
    migrate: flags.migrate !== false,
    logLevel: pick('logLevel') ?? 'info',
    leaseGraceMs: parseLeaseGrace(env.HERALD_LEASE_GRACE_MS),
    trustProxy: parseTrustProxy(pick('trustProxy')),
    metricsToken: pick('metricsToken') ?? null,
    portal: parsePortalConfig(env),
  });
}

/** The contract's ceiling; the floor leaves an attempt at its timeout time to be recorded. */
const MAX_LEASE_GRACE_MS = 60_000;
const MIN_LEASE_GRACE_MS = 1_000;

function parseLeaseGrace(value: string | undefined): number {
  if (value === undefined || value === '') return MAX_LEASE_GRACE_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < MIN_LEASE_GRACE_MS || ms > MAX_LEASE_GRACE_MS) {
    throw new Error(`Invalid HERALD_LEASE_GRACE_MS: ${value} (${MIN_LEASE_GRACE_MS} to ${MAX_LEASE_GRACE_MS})`);
  }
  return ms;
}

/** An on/off setting: unset is `fallback`; anything but the usual spellings is refused at start. */
function parseSwitch(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`Invalid ${name}: ${value} (true or false)`);
}

/**
 * The server's cap on requests in flight to one endpoint (1 to MAX_IN_FLIGHT_LIMIT). A process
 * still attempts at most 128 deliveries at once (the engine's concurrency); workers add up.
 */
function parseMaxInFlight(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_IN_FLIGHT_LIMIT) throw new Error(`Invalid HERALD_MAX_IN_FLIGHT_PER_ENDPOINT: ${value} (1 to ${MAX_IN_FLIGHT_LIMIT})`);
  return n;
}

/** `HERALD_TRUST_PROXY`: comma-separated addresses or CIDRs, each checked so a typo fails at start. */
function parseTrustProxy(value: string | undefined): readonly string[] {
  const entries = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    if (!ipaddr.isValid(entry) && !ipaddr.isValidCIDR(entry)) throw new Error(`Invalid HERALD_TRUST_PROXY entry: ${entry} (an address or a CIDR)`);
  }
  return Object.freeze(entries);
}

// The embeddable portal ------------------------------------------------------------------

/**
 * `HERALD_PORTAL_FRAME_ANCESTORS`: origins (space or comma separated, `https://*.example.com`
 * allowed) or the keywords 'self' / 'none'. Each source is checked whole, because the value
 * goes into a CSP header: a `;` or a quote would let it add directives.
 */
const FRAME_SOURCE = /^(?:'self'|'none'|https?:\/\/(?:\*\.)?[a-z0-9.-]+(?::\d{1,5})?)$/i;
const BRAND_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const BRAND_NAME_MAX = 100;

export function parsePortalConfig(env: NodeJS.ProcessEnv): PortalConfig {
  const sources = (env.HERALD_PORTAL_FRAME_ANCESTORS ?? '').split(/[\s,]+/).filter(Boolean);
  for (const source of sources) {
    if (!FRAME_SOURCE.test(source)) throw new Error(`Invalid HERALD_PORTAL_FRAME_ANCESTORS source: ${source} (an origin like https://app.example.com, 'self' or 'none')`);
  }
  if (sources.includes("'none'") && sources.length > 1) throw new Error("Invalid HERALD_PORTAL_FRAME_ANCESTORS: 'none' stands alone");
  const brandColor = env.HERALD_PORTAL_BRAND_COLOR?.trim() || null;
  if (brandColor && !BRAND_COLOR.test(brandColor)) throw new Error(`Invalid HERALD_PORTAL_BRAND_COLOR: ${brandColor} (#rgb or #rrggbb)`);
  const brandName = env.HERALD_PORTAL_BRAND_NAME?.trim() || null;
  if (brandName && brandName.length > BRAND_NAME_MAX) throw new Error(`Invalid HERALD_PORTAL_BRAND_NAME: at most ${BRAND_NAME_MAX} characters`);
  return { frameAncestors: sources.length ? sources.join(' ') : "'none'", brandName, brandColor };
}
