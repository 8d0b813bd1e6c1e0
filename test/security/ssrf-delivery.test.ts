import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../../src/net/index.js';
import { eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

/**
 * Issue 5, SSRF at connect time: a Herald that is NOT in dev mode for private ranges, whose
 * DNS answers a public address at registration and loopback afterwards (DNS rebinding).
 * The loopback receiver stands for the internal service an attacker wants to reach.
 */

const PUBLIC: ResolvedAddress = { address: '93.184.216.34', family: 4 };
const LOOPBACK: ResolvedAddress = { address: '127.0.0.1', family: 4 };
const HOST = 'rebind.attacker.test';

let herald: TestHerald;
let internal: Receiver;
/** What the fake DNS answers now, per host. */
const dns = new Map<string, ResolvedAddress[]>();
const lookups: string[] = [];

beforeAll(async () => {
  internal = await Receiver.start();
  herald = await startTestHerald({
    egress: {
      allowHttp: true,
      allowedPrivateCidrs: [],
      proxyUrl: null,
      resolve: async (hostname) => {
        lookups.push(hostname);
        const answer = dns.get(hostname);
        if (!answer) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        return answer;
      },
    },
  });
  expect((await herald.api('POST', '/api/v1/event-types', { name: 'ssrf.probe' })).status).toBe(201);
  const tenant = await herald.api('POST', '/api/v1/tenants', { id: 'mallory', name: 'Mallory', settings: { retrySchedule: [0, 0], attemptTimeoutMs: 2000 } });
  expect(tenant.status).toBe(201);
});

afterAll(async () => {
  await herald?.stop();
  await internal?.close();
  if (herald) removeDir(herald.dir);
});

const port = () => new URL(internal.url).port;

async function register(host: string): Promise<{ status: number; body: any }> {
  return herald.api('POST', '/api/v1/tenants/mallory/endpoints', { url: `http://${host}:${port()}/internal`, eventTypes: ['ssrf.probe'] });
}

describe('registration', () => {
  it('refuses loopback outright, as a literal and by name', async () => {
    for (const url of [`http://127.0.0.1:${port()}/x`, `http://localhost:${port()}/x`, `http://[::ffff:127.0.0.1]:${port()}/x`]) {
      const answer = await herald.api('POST', '/api/v1/tenants/mallory/endpoints', { url, eventTypes: ['*'] });
      expect(answer.status, url).toBe(422);
      expect(answer.body.error.code).toBe('unsafe_url');
    }
    dns.set('direct.attacker.test', [LOOPBACK]);
    const direct = await register('direct.attacker.test');
    expect(direct.status).toBe(422);
    // Issue 12: the refusal does not say what the name resolved to (that maps the internal network).
    expect(direct.body.error.message).toBe('host direct.attacker.test resolves to an address that is not allowed');
  });
});

describe('DNS rebinding through the delivery path', () => {
  it('registers while the name is public, then blocks the attempt at connect time: nothing reaches loopback', async () => {
    dns.set(HOST, [PUBLIC]);
    const endpoint = await register(HOST);
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    expect(endpoint.body.status).toBe('active');

    // The attacker's DNS now points the name at the internal service.
    dns.set(HOST, [LOOPBACK]);
    lookups.length = 0;
    const event = await herald.api('POST', '/api/v1/tenants/mallory/events', { type: 'ssrf.probe', data: { steal: 'metadata' } });
    expect(event.status).toBe(202);

    const delivery = await eventually(async () => {
      const page = await herald.api('GET', '/api/v1/tenants/mallory/deliveries');
      const found = page.body.data.find((d: any) => d.eventId === event.body.id);
      return found && ['failed', 'dead'].includes(found.status) && found.attemptCount === found.maxAttempts ? found : null;
    }, 15_000);
    expect(delivery.status).toBe('dead');
    const detail = await herald.api('GET', `/api/v1/tenants/mallory/deliveries/${delivery.id}`);
    expect(detail.body.attempts).toHaveLength(2);
    for (const attempt of detail.body.attempts) {
      expect(attempt.error).toMatch(/^blocked address/);
      expect(attempt.error).not.toContain('127.0.0.1');
      expect(attempt.statusCode).toBeNull();
    }
    expect(lookups).toContain(HOST);
    // Each blocked attempt counts as a failure of the endpoint.
    const after = await herald.api('GET', `/api/v1/tenants/mallory/endpoints/${endpoint.body.id}`);
    expect(after.body.consecutiveFailures).toBeGreaterThanOrEqual(2);
    expect(internal.received).toEqual([]);
  });

  it('blocks a mixed answer (public and loopback), and a test send reports it', async () => {
    const host = 'mixed.attacker.test';
    dns.set(host, [PUBLIC]);
    const endpoint = await register(host);
    expect(endpoint.status).toBe(201);
    dns.set(host, [PUBLIC, LOOPBACK]);
    const test = await herald.api('POST', `/api/v1/tenants/mallory/endpoints/${endpoint.body.id}/test`, {});
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ success: false, statusCode: null });
    expect(test.body.error).toMatch(/^blocked address/);
    expect(internal.received).toEqual([]);
  });

  it('blocks a name that rebinds to the cloud metadata address', async () => {
    const host = 'meta.attacker.test';
    dns.set(host, [PUBLIC]);
    const endpoint = await register(host);
    expect(endpoint.status).toBe(201);
    dns.set(host, [{ address: '169.254.169.254', family: 4 }]);
    const test = await herald.api('POST', `/api/v1/tenants/mallory/endpoints/${endpoint.body.id}/test`, {});
    expect(test.body.success).toBe(false);
    expect(test.body.error).toMatch(/^blocked address/);
  });
});
