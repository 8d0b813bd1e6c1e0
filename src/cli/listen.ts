import { Command, Option } from 'commander';
import { readServerSentEvents } from '../client/sse.js';
import { HERALD_VERSION } from '../domain/tenant.js';
import { matchesEventType } from '../domain/subscription.js';
import { generateEndpointKey, isSigningKey, publicKeyOf, signatureHeaders } from '../signing/index.js';
import { action, CliError, DEFAULT_URL, readConfigFile } from './client-options.js';

interface ListenFlags {
  url?: string;
  key?: string;
  forward: string;
  events?: string;
  tenant?: string;
  secret?: string;
  scheme: ListenScheme;
}

type ListenScheme = 'standard-webhooks' | 'ed25519';

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;

const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
const dim = (text: string) => paint(2, text);

/**
 * `herald listen`: streams a tenant's new events from Herald and forwards each, re-signed
 * with a local secret (Standard Webhooks) or key pair (ed25519), to a server on this machine.
 */
export function listenCommand(): Command {
  return new Command('listen')
    .description("Forward a tenant's new events to a local server, signed with a local secret (Standard Webhooks), for receiver development")
    .requiredOption('--forward <url>', 'where to POST each event, e.g. http://localhost:3000/webhooks')
    .addOption(new Option('--url <url>', `Herald base URL [env HERALD_URL, config "url"; default ${DEFAULT_URL}]`))
    .addOption(new Option('--key <key>', 'tenant API key (or admin token with --tenant) [env HERALD_TOKEN, config "token"]'))
    .addOption(new Option('--tenant <tid>', 'tenant id; found from the key when omitted'))
    .addOption(new Option('--events <patterns>', 'comma-separated event types to forward: exact names or prefix.* (default: all)'))
    .addOption(new Option('--scheme <scheme>', 'standard-webhooks (v1, a whsec_ secret) or ed25519 (v1a, a key pair)').choices(['standard-webhooks', 'ed25519']).default('standard-webhooks'))
    .addOption(new Option('--secret <key>', 'sign with this whsec_ secret (ed25519: whsk_ private key) instead of a fresh one'))
    .addHelpText(
      'after',
      '\nPrints the signing secret (ed25519: the public key) at start; verify deliveries with it as you would\n' +
        "with an endpoint's.\n" +
        'Prints one line per delivery: time, event type, event id, status, milliseconds. Reconnects with\n' +
        'backoff and resumes from the last event it saw, so events published meanwhile are not lost.',
    )
    .action(action(listen));
}

async function listen(flags: ListenFlags): Promise<void> {
  const file = readConfigFile();
  const url = (flags.url || process.env.HERALD_URL || file.url || DEFAULT_URL).replace(/\/+$/, '');
  const key = flags.key || process.env.HERALD_TOKEN || file.token;
  if (!key) throw new CliError('no key: pass --key <tenant API key> (or set HERALD_TOKEN)');
  let forward: URL;
  try {
    forward = new URL(flags.forward);
  } catch {
    throw new CliError(`--forward is not a URL: ${flags.forward}`);
  }
  const patterns = flags.events ? flags.events.split(',').map((p) => p.trim()).filter(Boolean) : ['*'];
  const secret = flags.secret ?? generateEndpointKey(flags.scheme).secret;
  if (flags.scheme === 'ed25519' && !isSigningKey(secret)) throw new CliError('--secret must be a whsk_ private key with --scheme ed25519');
  if (flags.scheme === 'standard-webhooks' && !secret.startsWith('whsec_')) throw new CliError('--secret must be a whsec_ secret');
  const authorization = `Bearer ${key}`;

  const tenant = flags.tenant || (await tenantOfKey(url, authorization)) || file.tenant;
  if (!tenant) throw new CliError('this token is not a tenant key: pass --tenant <tid>');

  process.stdout.write(flags.scheme === 'ed25519' ? `Public key: ${publicKeyOf(secret)}\n` : `Signing secret: ${secret}\n`);
  process.stdout.write(`Forwarding ${patterns.join(',')} events of tenant ${tenant} from ${url} to ${forward.href}\n`);

  let cursor: string | null = null;
  let backoff = BACKOFF_MIN_MS;
  let stopping = false;
  let current: AbortController | null = null;
  const stop = () => {
    stopping = true;
    current?.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  while (!stopping) {
    current = new AbortController();
    try {
      const headers: Record<string, string> = { authorization, accept: 'text/event-stream' };
      if (cursor !== null) headers['last-event-id'] = cursor;
      const response = await fetch(`${url}/api/v1/tenants/${encodeURIComponent(tenant)}/events/stream`, { headers, signal: current.signal });
      if (response.status === 401 || response.status === 403 || response.status === 404) {
        const text = await response.text();
        throw new CliError(`Herald refused the stream: ${response.status} ${text}`);
      }
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      for await (const message of readServerSentEvents(response.body)) {
        if (message.event === 'ready') {
          if (cursor === null) cursor = (JSON.parse(message.data) as { cursor: string | null }).cursor ?? '0';
          backoff = BACKOFF_MIN_MS;
          process.stdout.write(`${dim(timestamp())} Ready: connected, resuming after ${cursor}\n`);
          continue;
        }
        const envelope = JSON.parse(message.data) as { id: string; type: string };
        if (matchesEventType(patterns, envelope.type)) await deliver(forward, flags.scheme, secret, envelope, message.data);
        if (message.id !== null) cursor = message.id;
      }
      if (!stopping) process.stdout.write(`${dim(timestamp())} stream ended; reconnecting\n`);
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (stopping) break;
      process.stderr.write(`${timestamp()} stream lost (${describe(error)}); reconnecting in ${backoff} ms\n`);
      await sleep(backoff);
      backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
    }
  }
}

async function tenantOfKey(url: string, authorization: string): Promise<string | null> {
  const response = await fetch(`${url}/api/v1/me`, { headers: { authorization } });
  if (response.status === 401) throw new CliError('Herald refused the key (401)');
  if (!response.ok) return null; // an older Herald without /me: --tenant is needed
  const me = (await response.json()) as { kind: string; tenantId?: string };
  return me.kind === 'tenant' && me.tenantId ? me.tenantId : null;
}

async function deliver(forward: URL, scheme: ListenScheme, secret: string, envelope: { id: string; type: string }, body: string): Promise<void> {
  const started = performance.now();
  const signature = signatureHeaders({
    settings: { scheme },
    secrets: [secret],
    verifyToken: null,
    eventId: envelope.id,
    eventType: envelope.type,
    timestampSeconds: Math.floor(Date.now() / 1000),
    body,
  });
  let status: string;
  let ok = false;
  try {
    const response = await fetch(forward, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': `Herald-Listen/${HERALD_VERSION}`, ...signature },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer().catch(() => undefined);
    ok = response.status >= 200 && response.status < 300;
    status = String(response.status);
  } catch (error) {
    status = `error: ${describe(error)}`;
  }
  const ms = Math.round(performance.now() - started);
  const line = [dim(timestamp()), envelope.type.padEnd(24), envelope.id, paint(ok ? 32 : 31, status.padEnd(3)), `${ms} ms`].join('  ');
  process.stdout.write(`${line}\n`);
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

const timestamp = () => new Date().toISOString().slice(11, 23);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
