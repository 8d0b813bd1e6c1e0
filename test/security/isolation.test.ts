import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';
import { apiOperations, fillPath, isErrorShape, isOperator, isTenantScoped, MIN_API_OPERATIONS, plausibleBody, portalMay, type Operation } from './openapi-walk.js';

/**
 * Issue 5, isolation: every /api/v1 operation in the OpenAPI document, called by tenant B
 * on tenant A's objects, and with A's object ids smuggled under B's own tenant id.
 * Issue 12, the third column: what a tenant key and a portal token may do on their own tenant.
 */

let herald: TestHerald;
let receiver: Receiver;
let ops: Operation[];
const A = 'iso-a';
const B = 'iso-b';
const TYPE = 'iso.thing';
const A_MARKERS = ['Tenant A private name', 'a-private-description', 'a-private-payload', '/a-private-path'];
let aEndpoint: string;
let aSecret: string;
let aEvent: string;
let aDelivery: string;
let aKeyId: string;
let aPortalId: string;
let bKey: string;
let bPortal: string;

async function raw(method: string, path: string, body: unknown, token: string | null) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 5_000);
  try {
    const response = await fetch(`${herald.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: abort.signal });
    // A stream (GET …/events/stream) never ends: read what it says first, then hang up.
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) setTimeout(() => abort.abort(), 300);
    const text = await readText(response);
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: response.status, text, body: json };
  } catch (error) {
    throw new Error(`${method} ${path}: ${String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

async function readText(response: Response): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  const reader = response.body?.getReader();
  if (!reader) return text;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) return text;
    throw error;
  }
}

/** Everything of A's, as the admin sees it. */
async function snapshotA(): Promise<unknown> {
  const paths = [
    `/api/v1/tenants/${A}`,
    `/api/v1/tenants/${A}/endpoints`,
    `/api/v1/tenants/${A}/endpoints/${aEndpoint}`,
    `/api/v1/tenants/${A}/events`,
    `/api/v1/tenants/${A}/deliveries`,
    `/api/v1/tenants/${A}/deliveries/${aDelivery}`,
    `/api/v1/tenants/${A}/audit-log`,
    `/api/v1/tenants/${A}/api-keys`,
    `/api/v1/tenants/${A}/portal-tokens`,
    `/api/v1/event-types/${TYPE}`,
  ];
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    const answer = await herald.api('GET', path);
    expect(answer.status, path).toBe(200);
    out[path] = answer.body;
  }
  return out;
}

beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await Receiver.start();
  ops = await apiOperations(herald);
  expect((await herald.api('POST', '/api/v1/event-types', { name: TYPE, example: { n: 1 } })).status).toBe(201);
  for (const [id, name] of [[A, A_MARKERS[0]], [B, 'Tenant B']] as const) {
    expect((await herald.api('POST', '/api/v1/tenants', { id, name, settings: { retrySchedule: [0] } })).status).toBe(201);
  }
  const endpoint = await herald.api('POST', `/api/v1/tenants/${A}/endpoints`, {
    url: `${receiver.url}${A_MARKERS[3]}`,
    eventTypes: [TYPE],
    description: A_MARKERS[1],
  });
  expect(endpoint.status).toBe(201);
  aEndpoint = endpoint.body.id;
  aSecret = endpoint.body.secret;
  const event = await herald.api('POST', `/api/v1/tenants/${A}/events`, { type: TYPE, data: { marker: A_MARKERS[2] } });
  expect(event.status).toBe(202);
  aEvent = event.body.id;
  aDelivery = await eventually(async () => {
    const page = await herald.api('GET', `/api/v1/tenants/${A}/deliveries`);
    const delivery = page.body.data[0];
    return delivery?.status === 'succeeded' ? (delivery.id as string) : null;
  });
  aKeyId = (await herald.api('POST', `/api/v1/tenants/${A}/api-keys`, { name: A_MARKERS[0] })).body.id;
  aPortalId = (await herald.api('POST', `/api/v1/tenants/${A}/portal-token`, {})).body.id;
  bKey = (await herald.api('POST', `/api/v1/tenants/${B}/api-keys`)).body.key;
  bPortal = (await herald.api('POST', `/api/v1/tenants/${B}/portal-token`, {})).body.token;
  expect(bKey).toBeTruthy();
  expect(bPortal).toBeTruthy();
});

afterAll(async () => {
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

function expectNothingOfA(text: string, what: string): void {
  for (const marker of [...A_MARKERS, aSecret, aEvent]) expect(text.includes(marker), `${what} reveals ${marker}: ${text.slice(0, 300)}`).toBe(false);
}

async function walk(token: string, isPortal: boolean): Promise<{ walked: number; smuggled: number }> {
  const ours = { tid: A, eid: aEndpoint, did: aDelivery, name: TYPE, kid: aKeyId, ptid: aPortalId };
  const ctx = { url: `${receiver.url}/stolen`, eventType: TYPE };
  let walked = 0;
  let smuggled = 0;
  for (const op of ops) {
    const path = fillPath(op, ours, aEndpoint);
    const answer = await raw(op.method, path, plausibleBody(op, ctx), token);
    const what = `${op.method} ${path} → ${answer.status} ${answer.text.slice(0, 200)}`;
    expect(answer.status, what).toBeLessThan(500);
    if (isOperator(op)) {
      expect([401, 403], what).toContain(answer.status);
      expect(isErrorShape(answer.body), what).toBe(true);
    } else if (isTenantScoped(op)) {
      expect(answer.status, what).toBe(404);
      expect(isErrorShape(answer.body), what).toBe(true);
      expect((answer.body as { error: { code: string } }).error.code).toBe('not_found');
    }
    // Shared catalog reads (GET /event-types…) may answer; none may carry A's data.
    expectNothingOfA(answer.text, what);
    walked++;

    if (!isTenantScoped(op)) continue;
    if (op.params.length > 1) {
      // A's object ids under B's own tenant id.
      const mixed = fillPath(op, { ...ours, tid: B }, aEndpoint);
      const smuggle = await raw(op.method, mixed, plausibleBody(op, ctx), token);
      const swhat = `${op.method} ${mixed} → ${smuggle.status} ${smuggle.text.slice(0, 200)}`;
      // On its own tenant a portal token meets its scope first: 403 where it may not go.
      expect(isOperator(op) || (isPortal && !portalMay(op)) ? [401, 403] : [404], swhat).toContain(smuggle.status);
      expect(isErrorShape(smuggle.body), swhat).toBe(true);
      expectNothingOfA(smuggle.text, swhat);
      smuggled++;
    } else if (op.method === 'GET') {
      // A's ids as filters on B's own lists.
      const query = `?endpointId=${aEndpoint}&eventType=${TYPE}&cursor=${aDelivery}&after=0`;
      const listed = await raw('GET', `${fillPath(op, { tid: B }, B)}${query}`, undefined, token);
      const lwhat = `GET …${B}… ${query} → ${listed.status} ${listed.text.slice(0, 200)}`;
      expect(listed.status, lwhat).toBeLessThan(500);
      expectNothingOfA(listed.text, lwhat);
      expect(listed.text.includes(aEndpoint) && listed.status < 300, lwhat).toBe(false);
      smuggled++;
    }
  }
  return { walked, smuggled };
}

describe("tenant B against tenant A's objects, over every operation of /openapi.json", () => {
  it('finds at least every operation of the brief in the document', () => {
    expect(ops.length).toBeGreaterThanOrEqual(MIN_API_OPERATIONS);
  });

  it.each([
    ['tenant API key', () => bKey, false],
    ['portal token', () => bPortal, true],
  ])('with a %s: 404 on tenant routes, 403 on operator routes, A unchanged', async (_label, token, isPortal) => {
    const before = await snapshotA();
    const received = receiver.received.length;
    const { walked, smuggled } = await walk(token(), isPortal);
    expect(walked).toBeGreaterThanOrEqual(MIN_API_OPERATIONS);
    expect(smuggled).toBeGreaterThanOrEqual(15);
    expect(await snapshotA()).toEqual(before);
    // Nothing was sent to A's endpoint on B's behalf (no test send, retry or recover).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received.length).toBe(received);
    // B's credential still works on B: the refusals were about A, not a broken key.
    expect((await raw('GET', `/api/v1/tenants/${B}/endpoints`, undefined, token())).status).toBe(200);
  });

  it('the admin token, for contrast, reaches A on the same paths', async () => {
    const answer = await raw('GET', `/api/v1/tenants/${A}/endpoints/${aEndpoint}`, undefined, ADMIN_TOKEN);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(A_MARKERS[1]);
  });
});

/**
 * The third column (issue 12): every operation called by B's own credentials on B's own
 * objects. A tenant key may do everything of its tenant but the operator routes; a portal
 * token what `portalMay` says (read from the brief), and 403 `forbidden` everywhere else,
 * changing nothing. A refusal here is about the scope: another tenant's objects are the walk above.
 */
describe("what each credential may do on its own tenant, over every operation of /openapi.json", () => {
  let bDelivery: string;
  const B_TYPE_PATH = '/b-own';

  beforeAll(async () => {
    const endpoint = await herald.api('POST', `/api/v1/tenants/${B}/endpoints`, { url: `${receiver.url}${B_TYPE_PATH}`, eventTypes: [TYPE] });
    expect(endpoint.status).toBe(201);
    expect((await herald.api('POST', `/api/v1/tenants/${B}/events`, { type: TYPE, data: { own: true } })).status).toBe(202);
    bDelivery = await eventually(async () => {
      const delivery = (await herald.api('GET', `/api/v1/tenants/${B}/deliveries?endpointId=${endpoint.body.id}`)).body.data[0];
      return delivery?.status === 'succeeded' ? (delivery.id as string) : null;
    });
  });

  /** B's objects for one operation: fresh ones where the operation may consume them (delete, revoke). */
  async function ownValues(op: Operation): Promise<Record<string, string>> {
    const values: Record<string, string> = { tid: B, did: bDelivery, name: TYPE };
    if (op.params.includes('eid')) {
      values.eid = (await herald.api('POST', `/api/v1/tenants/${B}/endpoints`, { url: `${receiver.url}${B_TYPE_PATH}`, eventTypes: [TYPE] })).body.id;
    }
    if (op.params.includes('kid')) values.kid = (await herald.api('POST', `/api/v1/tenants/${B}/api-keys`, { name: 'victim' })).body.id;
    if (op.params.includes('ptid')) values.ptid = (await herald.api('POST', `/api/v1/tenants/${B}/portal-token`, {})).body.id;
    return values;
  }

  async function ownWalk(token: string, may: (op: Operation) => boolean) {
    const refused: string[] = [];
    const allowed: string[] = [];
    const untouchable: string[] = [];
    for (const op of ops) {
      const values = await ownValues(op);
      const path = fillPath(op, values, 'unknown');
      const answer = await raw(op.method, path, plausibleBody(op, { url: `${receiver.url}${B_TYPE_PATH}`, eventType: TYPE }), token);
      const what = `${op.method} ${op.template} → ${answer.status} ${answer.text.slice(0, 200)}`;
      expect(answer.status, what).toBeLessThan(500);
      if (may(op)) {
        expect([401, 403, 429], what).not.toContain(answer.status);
        allowed.push(`${op.method} ${op.template}`);
      } else {
        expect(answer.status, what).toBe(403);
        expect((answer.body as { error: { code: string } }).error.code, what).toBe('forbidden');
        refused.push(`${op.method} ${op.template}`);
        if (values.kid) untouchable.push(values.kid);
        if (values.ptid) untouchable.push(values.ptid);
      }
    }
    return { allowed, refused, untouchable };
  }

  const listedIds = async () => {
    const keys = (await herald.api('GET', `/api/v1/tenants/${B}/api-keys?limit=250`)).body.data as Array<{ id: string }>;
    const portals = (await herald.api('GET', `/api/v1/tenants/${B}/portal-tokens?limit=250`)).body.data as Array<{ id: string }>;
    return new Set([...keys, ...portals].map((c) => c.id));
  };

  it('a tenant API key: everything of its tenant, 403 on operator routes', async () => {
    const { allowed, refused } = await ownWalk(bKey, (op) => !isOperator(op));
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect(allowed).toEqual(expect.arrayContaining(['POST /api/v1/tenants/{tid}/events', 'POST /api/v1/tenants/{tid}/api-keys', 'GET /api/v1/tenants/{tid}/portal-tokens']));
  });

  it('a portal token: reads and endpoint management; 403 on publishing, credentials and settings, changing nothing', async () => {
    const before = {
      tenant: (await herald.api('GET', `/api/v1/tenants/${B}`)).body,
      events: (await herald.api('GET', `/api/v1/tenants/${B}/events?limit=250`)).body,
    };
    const { allowed, refused, untouchable } = await ownWalk(bPortal, portalMay);
    expect(refused).toEqual(
      expect.arrayContaining([
        'POST /api/v1/tenants/{tid}/events',
        'PATCH /api/v1/tenants/{tid}',
        'POST /api/v1/tenants/{tid}/api-keys',
        'GET /api/v1/tenants/{tid}/api-keys',
        'DELETE /api/v1/tenants/{tid}/api-keys/{kid}',
        'POST /api/v1/tenants/{tid}/portal-token',
        'GET /api/v1/tenants/{tid}/portal-tokens',
        'DELETE /api/v1/tenants/{tid}/portal-tokens/{ptid}',
      ]),
    );
    expect(allowed).toEqual(
      expect.arrayContaining([
        'POST /api/v1/tenants/{tid}/endpoints',
        'PATCH /api/v1/tenants/{tid}/endpoints/{eid}',
        'DELETE /api/v1/tenants/{tid}/endpoints/{eid}',
        'POST /api/v1/tenants/{tid}/endpoints/{eid}/test',
        'POST /api/v1/tenants/{tid}/endpoints/{eid}/enable',
        'POST /api/v1/tenants/{tid}/endpoints/{eid}/disable',
        'POST /api/v1/tenants/{tid}/endpoints/{eid}/rotate-secret',
        'POST /api/v1/tenants/{tid}/endpoints/{eid}/retry-failed',
        'POST /api/v1/tenants/{tid}/endpoints/{eid}/recover',
        'POST /api/v1/tenants/{tid}/deliveries/{did}/retry',
        'GET /api/v1/tenants/{tid}/deliveries',
        'GET /api/v1/tenants/{tid}/audit-log',
      ]),
    );
    // Nothing was published, no setting changed, no credential revoked.
    expect((await herald.api('GET', `/api/v1/tenants/${B}`)).body).toEqual(before.tenant);
    expect((await herald.api('GET', `/api/v1/tenants/${B}/events?limit=250`)).body).toEqual(before.events);
    const live = await listedIds();
    for (const id of untouchable) expect(live.has(id), id).toBe(true);
  });
});
