import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createTenant, ensureEventType, flatHeaders, publish, receivedOn } from '../support/delivery.js';
import { eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { OtlpCollector, type CollectedSpan } from '../support/otlp-collector.js';
import { Receiver } from '../support/receiver.js';

// Tracing is configured as an operator would: the standard OTEL_* variables, read at start.
// (Each test file runs in its own process, so these settings reach no other suite.)
let collector: OtlpCollector;
let herald: TestHerald;
let receiver: Receiver;

beforeAll(async () => {
  collector = await OtlpCollector.start();
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50',
  });
  herald = await startTestHerald();
  receiver = await Receiver.start((_request, res) => void res.writeHead(receiver.received.length === 1 ? 503 : 200).end());
  await ensureEventType(herald, 'order.paid');
});
afterAll(async () => {
  await herald?.stop();
  await receiver?.close();
  await collector?.close();
  if (herald) removeDir(herald.dir);
});

describe('OpenTelemetry traces', () => {
  it('makes a publish a trace and each attempt a client span of it, whose traceparent the receiver gets', async () => {
    const tenantId = await createTenant(herald, { retrySchedule: [0, 0] });
    const endpoint = await createEndpoint(herald, tenantId, { url: `${receiver.url}/traced`, eventTypes: ['order.paid'] });
    await publish(herald, tenantId, 'order.paid', { orderId: 'o-1' });
    const requests = await receivedOn(receiver, '/traced', 2);

    const spans = await eventually(async () => {
      const publishSpan = collector.spans.find((s) => s.name === 'publish' && s.attributes['herald.tenant_id'] === tenantId);
      const attempts = collector.spans.filter((s) => s.kind === 3 && s.attributes['herald.endpoint_id'] === endpoint.id);
      return publishSpan && attempts.length === 2 ? { publishSpan, attempts: attempts.sort(byAttempt) } : null;
    });
    expect(spans.publishSpan).toMatchObject({ kind: 4, serviceName: 'herald', parentSpanId: '' });
    for (const [i, attempt] of spans.attempts.entries()) {
      expect(attempt).toMatchObject({
        traceId: spans.publishSpan.traceId,
        parentSpanId: spans.publishSpan.spanId,
        attributes: { 'http.request.method': 'POST', 'url.full': `${receiver.url}/traced`, 'herald.attempt_number': i + 1, 'http.response.status_code': i === 0 ? 503 : 200 },
      });
      // The receiver saw this attempt's own span as its parent, in the publish's trace.
      const traceparent = flatHeaders(requests[i]!)['traceparent'];
      expect(traceparent).toBe(`00-${attempt.traceId}-${attempt.spanId}-01`);
    }
    expect(spans.attempts[0]!.status.code).toBe(2); // the 503 is an error span
  });
});

const byAttempt = (a: CollectedSpan, b: CollectedSpan) => Number(a.attributes['herald.attempt_number']) - Number(b.attributes['herald.attempt_number']);
