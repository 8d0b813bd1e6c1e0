import { describe, expect, it } from 'vitest';
import {
  createEndpoint,
  createTenant,
  deliveryFor,
  flatHeaders,
  hang,
  hasStatus,
  heraldForFile,
  publish,
  receivedOn,
  scripted,
  streamForever,
  waitForDelivery,
} from '../support/delivery.js';
import type { TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const TYPE = 'attempt.happened';

let herald: TestHerald;
const receiver = heraldForFile(TYPE, (started) => (herald = started));

/** A tenant with one endpoint at `<receiver>/hook`; publishes one event and answers its delivery. */
async function publishTo(target: Receiver, settings: { retrySchedule: number[]; attemptTimeoutMs: number }) {
  const tenantId = await createTenant(herald, settings);
  const endpoint = await createEndpoint(herald, tenantId, { url: `${target.url}/hook`, eventTypes: [TYPE] });
  const event = await publish(herald, tenantId, TYPE, { n: 1 });
  const delivery = await deliveryFor(herald, tenantId, endpoint.id, event.id);
  return { tenantId, endpoint, event, delivery };
}

describe('attempts and retries', () => {
  it('retries 500, 500, then 200 and logs every attempt', async () => {
    const target = await receiver();
    target.respond(scripted({ status: 500, body: 'boom 1' }, { status: 500, body: 'boom 2' }, { status: 200, body: 'ok' }));
    const { tenantId, event, delivery } = await publishTo(target, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 2000 });

    const done = await waitForDelivery(herald, tenantId, delivery.id, hasStatus('succeeded', 'dead'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 3, maxAttempts: 3, nextAttemptAt: null });
    expect(done.attempts.map((a) => a.number)).toEqual([1, 2, 3]);
    expect(done.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);
    expect(done.attempts.map((a) => a.responseBody)).toEqual(['boom 1', 'boom 2', 'ok']);
    expect(done.attempts[0]!.error).toMatch(/500/);
    expect(done.attempts[2]!.error).toBeNull();
    const started = done.attempts.map((a) => Date.parse(a.startedAt));
    expect(started[0]).toBeLessThan(started[1]!);
    expect(started[1]).toBeLessThan(started[2]!);

    const requests = await receivedOn(target, '/hook', 3);
    expect(requests).toHaveLength(3);
    done.attempts.forEach((attempt, i) => {
      expect(Number.isInteger(attempt.durationMs)).toBe(true);
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
      expect(attempt.durationMs).toBeLessThan(2000);
      // The logged headers are the ones that went out with that attempt.
      const sent = flatHeaders(requests[i]!);
      expect(attempt.requestHeaders).toMatchObject({
        'content-type': 'application/json',
        'user-agent': sent['user-agent'],
        'webhook-id': sent['webhook-id'],
        'webhook-timestamp': sent['webhook-timestamp'],
        // Signature headers are credentials by name: logged redacted (issue 12).
        'webhook-signature': '[redacted]',
      });
      expect(sent['webhook-signature']).toMatch(/^v1,/);
    });
    // Every attempt carries the same event: receivers dedupe on it.
    expect(new Set(requests.map((r) => JSON.parse(r.body).id))).toEqual(new Set([event.id]));
  });

  it('fails an attempt that gets no answer within attemptTimeoutMs', async () => {
    const target = await receiver();
    target.respond(hang);
    const timeoutMs = 400;
    const { tenantId, delivery } = await publishTo(target, { retrySchedule: [0], attemptTimeoutMs: timeoutMs });

    const done = await waitForDelivery(herald, tenantId, delivery.id, hasStatus('dead', 'succeeded'));
    expect(done).toMatchObject({ status: 'dead', attemptCount: 1, nextAttemptAt: null });
    const [attempt] = done.attempts;
    expect(attempt).toMatchObject({ number: 1, statusCode: null, responseBody: null });
    expect(attempt!.error).toMatch(/timeout/i);
    // About the timeout: not before it, and not the 10 s default or anything near.
    expect(attempt!.durationMs).toBeGreaterThanOrEqual(timeoutMs - 20);
    expect(attempt!.durationMs).toBeLessThan(timeoutMs + 2000);
    expect(target.received).toHaveLength(1);
  });

  it('does not follow a redirect: the attempt fails and the Location gets nothing', async () => {
    const landing = await receiver();
    const target = await receiver();
    target.respond(scripted({ status: 302, headers: { location: `${landing.url}/landing` }, body: 'moved' }));
    const { tenantId, delivery } = await publishTo(target, { retrySchedule: [0], attemptTimeoutMs: 2000 });

    const done = await waitForDelivery(herald, tenantId, delivery.id, hasStatus('dead', 'succeeded'));
    expect(done).toMatchObject({ status: 'dead', attemptCount: 1 });
    expect(done.attempts[0]!.statusCode).toBe(302);
    expect(done.attempts[0]!.error).toMatch(/redirect/i);
    // A followed redirect would have been sent inside the attempt, before it was logged.
    expect(target.received).toHaveLength(1);
    expect(landing.received).toHaveLength(0);
  });

  it('keeps exactly the first 2,000 characters of a 5 MB response and counts the 2xx as success', async () => {
    const target = await receiver();
    const unit = '0123456789abcdefghijklmnopqrstuvwxyz';
    const huge = unit.repeat(Math.ceil((5 * 1024 * 1024) / unit.length));
    target.respond(scripted({ status: 200, body: huge, headers: { 'content-type': 'text/plain' } }));
    const { tenantId, delivery } = await publishTo(target, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 5000 });

    const done = await waitForDelivery(herald, tenantId, delivery.id, hasStatus('succeeded', 'dead'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    expect(done.attempts[0]!.statusCode).toBe(200);
    expect(done.attempts[0]!.error).toBeNull();
    expect(done.attempts[0]!.responseBody).toHaveLength(2000);
    expect(done.attempts[0]!.responseBody).toBe(huge.slice(0, 2000));
  });

  it('cuts off an endless response body instead of waiting for its end', async () => {
    const target = await receiver();
    target.respond((_request, res) => streamForever(res, 'x'.repeat(256)));
    const { tenantId, delivery } = await publishTo(target, { retrySchedule: [0, 1, 1], attemptTimeoutMs: 3000 });

    const done = await waitForDelivery(herald, tenantId, delivery.id, hasStatus('succeeded', 'dead', 'failed'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    expect(done.attempts[0]!.responseBody).toBe('x'.repeat(2000));
    expect(done.attempts[0]!.durationMs).toBeLessThan(3000);
  });

  it('honours Retry-After on a 429', async () => {
    const target = await receiver();
    target.respond(scripted({ status: 429, headers: { 'retry-after': '2' }, body: 'slow down' }, { status: 200, body: 'ok' }));
    // The second step (1 s ± 25 %) is shorter than Retry-After; the longest step (5 s) caps it.
    const { tenantId, delivery } = await publishTo(target, { retrySchedule: [0, 1, 5], attemptTimeoutMs: 2000 });

    const done = await waitForDelivery(herald, tenantId, delivery.id, hasStatus('succeeded', 'dead'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 2 });
    expect(done.attempts.map((a) => a.statusCode)).toEqual([429, 200]);
    const [first, second] = await receivedOn(target, '/hook', 2);
    const gap = second!.at - first!.at;
    expect(gap).toBeGreaterThanOrEqual(1900);
    expect(gap).toBeLessThan(5000);
  });

  it("caps Retry-After on a 503 at the schedule's longest step", async () => {
    const target = await receiver();
    target.respond(scripted({ status: 503, headers: { 'retry-after': '3600' } }, { status: 200, body: 'ok' }));
    const { tenantId, delivery } = await publishTo(target, { retrySchedule: [0, 1, 2], attemptTimeoutMs: 2000 });

    const done = await waitForDelivery(herald, tenantId, delivery.id, hasStatus('succeeded', 'dead'));
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 2 });
    const [first, second] = await receivedOn(target, '/hook', 2);
    const gap = second!.at - first!.at;
    // Retry-After (1 h) beats the 1 s step but is capped at the 2 s longest step.
    expect(gap).toBeGreaterThanOrEqual(1900);
    expect(gap).toBeLessThan(10_000);
  });
});
