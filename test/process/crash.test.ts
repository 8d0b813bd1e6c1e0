import { join } from 'node:path';
import { expect, it } from 'vitest';
import { eventually } from '../support/herald.js';
import { processTestScratch, startHeraldProcess, stopProcess, type HeraldProcess } from '../support/herald-process.js';

/**
 * A SIGKILLed `herald serve` loses nothing: every event it answered 202 reaches the
 * receiver after a restart on the same SQLite file, including deliveries that were leased
 * (in flight) when it died, once their lease runs out.
 */

const ADMIN_TOKEN = 'crash-test-admin-token';
const TOTAL = 300;
const PUBLISHERS = 4;
const ATTEMPT_TIMEOUT_MS = 1000;
/**
 * The lease is attemptTimeoutMs + this grace: 4 s here instead of 61 s, longer than a
 * restart takes, so the restarted process must free the dead one's leases when they run out.
 */
const LEASE_GRACE_MS = 3000;

const scratch = processTestScratch('herald-crash-');

it('loses no accepted event when the process is SIGKILLed mid-burst', async () => {
  const dir = scratch.dir();
  const options = { databaseUrl: `sqlite:${join(dir, 'h.db')}`, adminToken: ADMIN_TOKEN, env: { HERALD_LEASE_GRACE_MS: String(LEASE_GRACE_MS) } };

  // Deliveries take 50 ms each, so a good number are in flight when the process dies.
  const seen = new Map<string, number>();
  let unanswered = 0;
  let crash = () => {};
  const receiver = await scratch.receiver(async (request, res) => {
    const id = (JSON.parse(request.body) as { id: string }).id;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    unanswered++;
    crash();
    await new Promise((resolve) => setTimeout(resolve, 50));
    unanswered--;
    if (!res.destroyed) res.writeHead(200).end('ok');
  });

  const first = await startHeraldProcess(options);
  expect((await first.api('POST', '/api/v1/event-types', { name: 'crash.burst', description: 'Burst' })).status).toBe(201);
  const tenant = await first.api('POST', '/api/v1/tenants', {
    id: 'crash',
    name: 'Crash',
    settings: { retrySchedule: [0, 1, 1, 1, 1], attemptTimeoutMs: ATTEMPT_TIMEOUT_MS },
  });
  expect(tenant.status).toBe(201);
  const endpoint = await first.api('POST', '/api/v1/tenants/crash/endpoints', { url: `${receiver.url}/hook`, eventTypes: ['crash.*'] });
  expect(endpoint.status).toBe(201);

  // A burst from concurrent publishers; SIGKILL once about half were accepted, at a moment
  // when the receiver holds attempts it has not answered (leased deliveries, in flight).
  const accepted = new Set<string>();
  let next = 0;
  let killed = false;
  let atKill = { accepted: 0, received: 0, inFlight: 0 };
  crash = () => {
    if (killed || accepted.size < TOTAL / 2 || unanswered === 0) return;
    killed = true;
    atKill = { accepted: accepted.size, received: seen.size, inFlight: unanswered };
    first.child.kill('SIGKILL');
  };
  const publisher = async () => {
    while (!killed && next < TOTAL) {
      const n = next++;
      try {
        const published = await first.api('POST', '/api/v1/tenants/crash/events', { type: 'crash.burst', data: { n } });
        if (published.status === 202) accepted.add(published.body.id);
      } catch {
        return; // the process is gone: this publish may or may not have been stored
      }
      crash();
    }
  };
  await Promise.all(Array.from({ length: PUBLISHERS }, publisher));
  expect(killed).toBe(true);
  expect((await first.exited).signal).toBe('SIGKILL');
  const crashedAt = Date.now();
  // The crash left leased work behind (requests Herald never saw answered).
  expect(atKill.inFlight).toBeGreaterThan(0);

  const second: HeraldProcess = await startHeraldProcess(options);
  const restartedAt = Date.now();
  // Leases run out at most attemptTimeoutMs + grace after the crash, then the work goes out again.
  await eventually(async () => [...accepted].every((id) => seen.has(id)), 20_000).catch(() => {
    const missing = [...accepted].filter((id) => !seen.has(id));
    throw new Error(`${missing.length} of ${accepted.size} accepted events never arrived, e.g. ${missing.slice(0, 5).join(', ')}\n${second.output()}`);
  });
  const allSeenMs = Date.now() - restartedAt;
  const missing = [...accepted].filter((id) => !seen.has(id));
  expect(missing).toEqual([]);

  // The restarted process's delivery log shows every delivery succeeded, the ones that were
  // leased when the process died included (they go out again once their lease runs out).
  let statuses: Record<string, number> = {};
  const deliveries = await eventually(async () => {
    const all = await listDeliveries(second);
    statuses = {};
    for (const d of all) statuses[d.status] = (statuses[d.status] ?? 0) + 1;
    return all.every((d) => d.status === 'succeeded') ? all : null;
  }, 10_000).catch(() => {
    throw new Error(`deliveries by status: ${JSON.stringify(statuses)}\n${second.output()}`);
  });
  const allSucceededMs = Date.now() - restartedAt;
  const succeeded = new Set(deliveries.map((d) => d.eventId));
  expect([...accepted].filter((id) => !succeeded.has(id))).toEqual([]);

  const duplicates = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
  console.log(
    `crash: ${accepted.size} accepted, ${atKill.received} received before SIGKILL (${atKill.inFlight} unanswered); ` +
      `restart healthy ${restartedAt - crashedAt} ms after the crash, then every accepted id received within ${allSeenMs} ms ` +
      `and every delivery succeeded within ${allSucceededMs} ms; ${duplicates} duplicate deliveries ` +
      `(${[...seen.values()].filter((c) => c > 1).length} events received more than once)`,
  );
  // An attempt whose answer never reached Herald was not recorded, so it must go out again.
  expect(duplicates).toBeGreaterThanOrEqual(atKill.inFlight);

  await stopProcess(second.child, 'SIGTERM');
  expect(await second.exited).toEqual({ code: 0, signal: null });
}, 30_000);

async function listDeliveries(herald: HeraldProcess): Promise<Array<{ eventId: string; status: string }>> {
  const all: Array<{ eventId: string; status: string }> = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { data: Array<{ eventId: string; status: string }>; nextCursor: string | null } } = await herald.api(
      'GET',
      `/api/v1/tenants/crash/deliveries?limit=250${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(page.status).toBe(200);
    all.push(...page.body.data);
    cursor = page.body.nextCursor;
  } while (cursor);
  return all;
}
