import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Received } from '../support/receiver.js';
import {
  createEndpoint,
  createTenant,
  defineCatalog,
  deliveries,
  header,
  on,
  publish,
  requestFor,
  settledDelivery,
  startSeedFixture,
  type SeedFixture,
} from '../support/seeds.js';

/**
 * BroxiAI (seeds/004): dotted event families (`workflow.*`, `component.*`, `user.…`,
 * `api.quota.*`, `system.maintenance`), per-endpoint event filtering, signature
 * verification and IP allow-listing. Its page names the verification steps but prints no
 * scheme, so the tenant keeps Herald's default, Standard Webhooks, and the receiver verifies
 * with the official `standardwebhooks` library.
 */

const TENANT = 'broxi-team';

const SETTINGS = {
  signature: { scheme: 'standard-webhooks' },
  envelope: 'snake',
  userAgent: 'BroxiAI-Webhooks/1.0',
  retrySchedule: [0, 60, 300, 1800, 7200, 21600, 86400],
  attemptTimeoutMs: 10_000,
  autoDisableAfterFailures: 20,
};

const CATALOG = [
  { name: 'workflow.started', description: 'Workflow execution began' },
  { name: 'workflow.completed', description: 'Workflow execution finished successfully' },
  { name: 'workflow.failed', description: 'Workflow execution failed' },
  { name: 'workflow.timeout', description: 'Workflow execution timed out' },
  { name: 'workflow.cancelled', description: 'Workflow execution was cancelled' },
  { name: 'component.started', description: 'Component execution began' },
  { name: 'component.completed', description: 'Component execution finished' },
  { name: 'component.failed', description: 'Component execution failed' },
  { name: 'component.timeout', description: 'Component execution timed out' },
  { name: 'user.message.received', description: 'New user message received' },
  { name: 'user.session.started', description: 'New user session created' },
  { name: 'user.session.ended', description: 'User session ended' },
  { name: 'api.quota.warning', description: 'API quota threshold reached' },
  { name: 'api.quota.exceeded', description: 'API quota exceeded' },
  { name: 'system.maintenance', description: 'System maintenance notification' },
].map((entry) => ({ ...entry, example: { example: entry.name } }));

const BOT = 'wf_support_bot';
const LEADS = 'wf_lead_scoring';

/** What BroxiAI publishes in this test, keyed by a short label. */
const EVENTS: Record<string, { type: string; data: Record<string, unknown> }> = {
  wfStarted: { type: 'workflow.started', data: { workflow_id: BOT, run_id: 'run_1', status: 'running', environment: 'production' } },
  wfCompleted: { type: 'workflow.completed', data: { workflow_id: BOT, run_id: 'run_1', status: 'completed', duration_ms: 42_000, environment: 'production', outputs: { answer: 'ok' } } },
  wfFailed: { type: 'workflow.failed', data: { workflow_id: LEADS, run_id: 'run_2', status: 'failed', duration_ms: 1200, environment: 'production', error: { code: 'LLM_ERROR', message: 'upstream 500' } } },
  wfTimeout: { type: 'workflow.timeout', data: { workflow_id: LEADS, run_id: 'run_3', status: 'timeout', duration_ms: 60_000, environment: 'staging' } },
  wfCancelled: { type: 'workflow.cancelled', data: { workflow_id: BOT, run_id: 'run_4', status: 'cancelled', duration_ms: 500, environment: 'production' } },
  compStarted: { type: 'component.started', data: { workflow_id: BOT, component_id: 'llm-1', status: 'running' } },
  compCompleted: { type: 'component.completed', data: { workflow_id: LEADS, component_id: 'scorer', status: 'completed', duration_ms: 300 } },
  compFailed: { type: 'component.failed', data: { workflow_id: BOT, component_id: 'retriever', status: 'failed', error: { code: 'TIMEOUT_UPSTREAM' } } },
  compTimeout: { type: 'component.timeout', data: { workflow_id: LEADS, component_id: 'scorer', status: 'timeout' } },
  userMessage: { type: 'user.message.received', data: { session_id: 's_1', user_id: 'u_1', message: 'What are your hours?' } },
  sessionStarted: { type: 'user.session.started', data: { session_id: 's_1', user_id: 'u_1' } },
  sessionEnded: { type: 'user.session.ended', data: { session_id: 's_1', user_id: 'u_1', duration_ms: 90_000 } },
  quotaWarning: { type: 'api.quota.warning', data: { used: 8000, limit: 10_000, threshold: 0.8 } },
  quotaExceeded: { type: 'api.quota.exceeded', data: { used: 10_000, limit: 10_000 } },
  maintenance: { type: 'system.maintenance', data: { starts_at: '2026-06-01T02:00:00Z', ends_at: '2026-06-01T03:00:00Z' } },
  // Herald's own operational event: `api.quota.*` must not catch it.
  heraldQuota: { type: 'quota.warning', data: { limit: 1000, used: 800, period: 'month' } },
};

/** Each endpoint: its subscription and filter, and (written out by hand) what it must receive. */
const ENDPOINTS: Record<string, { eventTypes: string[]; filter?: Record<string, unknown>; expect: string[] }> = {
  '/workflows': { eventTypes: ['workflow.*'], expect: ['wfStarted', 'wfCompleted', 'wfFailed', 'wfTimeout', 'wfCancelled'] },
  '/support-bot': {
    eventTypes: ['workflow.*', 'component.*'],
    filter: { 'data.workflow_id': BOT },
    expect: ['wfStarted', 'wfCompleted', 'wfCancelled', 'compStarted', 'compFailed'],
  },
  '/failures': {
    eventTypes: ['workflow.*', 'component.*'],
    filter: { 'data.status': { $in: ['failed', 'timeout'] } },
    expect: ['wfFailed', 'wfTimeout', 'compFailed', 'compTimeout'],
  },
  '/slow-production-runs': {
    eventTypes: ['workflow.*'],
    filter: { 'data.duration_ms': { $gte: 30_000 }, 'data.environment': { $ne: 'staging' } },
    expect: ['wfCompleted'],
  },
  '/users': { eventTypes: ['user.*'], expect: ['userMessage', 'sessionStarted', 'sessionEnded'] },
  '/sessions': { eventTypes: ['user.session.*'], expect: ['sessionStarted', 'sessionEnded'] },
  '/ops': { eventTypes: ['api.quota.*', 'system.maintenance'], expect: ['quotaWarning', 'quotaExceeded', 'maintenance'] },
  '/errors': { eventTypes: ['*'], filter: { 'data.error': { $exists: true }, 'data.error.code': { $nin: ['IGNORED'] } }, expect: ['wfFailed', 'compFailed'] },
};

const secrets = new Map<string, string>();

/** BroxiAI's "Signature Verification (Your Side)", with the Standard Webhooks library. */
function broxiReceiver(request: Received, res: ServerResponse): void {
  const path = new URL(request.url, 'http://x').pathname;
  try {
    new Webhook(secrets.get(path) ?? '').verify(request.body, request.headers as Record<string, string>);
  } catch {
    return void res.writeHead(401).end('invalid signature');
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
}

describe('BroxiAI on Herald', () => {
  let fx: SeedFixture;
  const endpointIds = new Map<string, string>();
  const eventIds = new Map<string, string>();

  beforeAll(async () => {
    fx = await startSeedFixture();
    fx.receiver.respond(broxiReceiver);
    await defineCatalog(fx.herald, CATALOG);
    await createTenant(fx.herald, TENANT, 'A team on BroxiAI', SETTINGS);
    for (const [path, spec] of Object.entries(ENDPOINTS)) {
      const created = await createEndpoint(fx.herald, TENANT, { url: `${fx.receiver.url}${path}`, eventTypes: spec.eventTypes, filter: spec.filter ?? null });
      secrets.set(path, created.secret);
      endpointIds.set(path, created.id);
    }
  });
  afterAll(async () => fx.close());

  it('routes each event family to the endpoints whose prefix.* subscription and payload filter match', async () => {
    for (const [label, event] of Object.entries(EVENTS)) eventIds.set(label, (await publish(fx.herald, TENANT, event.type, event.data)).id);
    const total = Object.values(ENDPOINTS).reduce((sum, spec) => sum + spec.expect.length, 0);
    await fx.receiver.waitFor(total);

    for (const [path, spec] of Object.entries(ENDPOINTS)) {
      const expected = spec.expect.map((label) => eventIds.get(label)!).sort();
      // Rows exist only for matching endpoints: the log is the routing decision.
      const rows = await deliveries(fx.herald, TENANT, { endpointId: endpointIds.get(path)! });
      expect(rows.map((d) => d.eventId).sort(), path).toEqual(expected);
      for (const row of rows) expect((await settledDelivery(fx.herald, TENANT, row.id, (d) => d.status === 'succeeded')).attempts[0].statusCode).toBe(200);
      expect(on(fx.receiver, path).map((r) => JSON.parse(r.body).id).sort(), path).toEqual(expected);
    }
    expect(fx.receiver.received).toHaveLength(total);
  });

  it('signs every delivery so the Standard Webhooks verifier accepts it, headers and all', async () => {
    for (const request of fx.receiver.received) {
      const path = new URL(request.url, 'http://x').pathname;
      const payload = new Webhook(secrets.get(path)!).verify(request.body, request.headers as Record<string, string>) as { id: string; type: string };
      expect(header(request, 'webhook-id')).toBe(payload.id);
      expect(header(request, 'user-agent')).toBe('BroxiAI-Webhooks/1.0');
      const [label] = [...eventIds].find(([, id]) => id === payload.id)!;
      expect(payload).toMatchObject({ type: EVENTS[label]!.type, data: EVENTS[label]!.data });
    }
  });

  it('applies a filter change to events published after it', async () => {
    const path = '/slow-production-runs';
    const patched = await fx.herald.api('PATCH', `/api/v1/tenants/${TENANT}/endpoints/${endpointIds.get(path)}`, { filter: { 'data.environment': 'staging' } });
    expect(patched.status).toBe(200);
    const staging = await publish(fx.herald, TENANT, 'workflow.completed', { workflow_id: LEADS, environment: 'staging', duration_ms: 10 });
    const production = await publish(fx.herald, TENANT, 'workflow.completed', { workflow_id: LEADS, environment: 'production', duration_ms: 10 });
    await requestFor(fx.receiver, path, staging.id);
    const rows = await deliveries(fx.herald, TENANT, { endpointId: endpointIds.get(path)! });
    expect(rows.map((d) => d.eventId)).toContain(staging.id);
    expect(rows.map((d) => d.eventId)).not.toContain(production.id);
  });
});

describe('BroxiAI behind an IP allow-list: every request leaves through the egress proxy', () => {
  let fx: SeedFixture;
  let proxy: { url: string; targets: string[]; close(): Promise<void> };

  beforeAll(async () => {
    proxy = await connectProxy();
    fx = await startSeedFixture({ egress: { allowHttp: true, allowedPrivateCidrs: ['127.0.0.0/8', '::1/128'], proxyUrl: proxy.url } });
    fx.receiver.respond(broxiReceiver);
    await defineCatalog(fx.herald, CATALOG);
    await createTenant(fx.herald, TENANT, 'A team on BroxiAI', SETTINGS);
  });
  afterAll(async () => {
    await fx.close();
    await proxy.close();
  });

  it('tunnels deliveries and test sends to the checked address through the proxy', async () => {
    const created = await createEndpoint(fx.herald, TENANT, { url: `${fx.receiver.url}/behind-allow-list`, eventTypes: ['workflow.*'] });
    secrets.set('/behind-allow-list', created.secret);
    const event = await publish(fx.herald, TENANT, 'workflow.completed', EVENTS.wfCompleted!.data);
    const request = await requestFor(fx.receiver, '/behind-allow-list', event.id);
    expect(new Webhook(created.secret).verify(request.body, request.headers as Record<string, string>)).toMatchObject({ id: event.id });
    const test = await fx.herald.api('POST', `/api/v1/tenants/${TENANT}/endpoints/${created.id}/test`, { eventType: 'workflow.started' });
    expect(test.body).toMatchObject({ success: true, statusCode: 200 });
    const port = new URL(fx.receiver.url).port;
    expect(proxy.targets.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.targets)).toEqual(new Set([`127.0.0.1:${port}`]));
  });
});

/** A minimal CONNECT proxy (the fixed egress IP a customer allow-lists) that records its targets. */
async function connectProxy(): Promise<{ url: string; targets: string[]; close(): Promise<void> }> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    targets.push(req.url ?? '');
    const target = new URL(`http://${req.url}`);
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
