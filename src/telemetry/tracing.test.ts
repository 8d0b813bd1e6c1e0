import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpCollector } from '../../test/support/otlp-collector.js';
import { eventually } from '../../test/support/herald.js';
import { loadTracing, tracingConfigured } from './load-tracing.js';
import { noTracing } from './tracing.js';

let collector: OtlpCollector;
beforeAll(async () => {
  collector = await OtlpCollector.start();
});
const savedEnv = { ...process.env };
afterAll(async () => {
  process.env = savedEnv;
  await collector?.close();
});

describe('tracing configuration', () => {
  it('is off without an OTLP endpoint, or when the SDK is disabled', async () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
    expect(await loadTracing({})).toBe(noTracing);
  });

  it('refuses a protocol it cannot speak, naming it', async () => {
    await expect(loadTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).rejects.toThrow(/grpc is not supported/);
  });
});

describe('OpenTelemetry tracing over OTLP/HTTP', () => {
  it('makes the attempt a client span of the publish trace, carried by the stored traceparent', async () => {
    // The exporter reads the standard variables from the process environment.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    process.env.OTEL_SERVICE_NAME = 'herald-test';
    const tracing = await loadTracing({ ...process.env, OTEL_BSP_SCHEDULE_DELAY: '50' });

    const stored = await tracing.publish({ 'herald.tenant_id': 'acme', 'herald.event_type': 'order.paid' }, async (traceparent) => traceparent);
    expect(stored).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // Later, perhaps in another process: the attempt continues the trace from what was stored.
    const span = tracing.attempt(stored, { url: 'https://example.test/hook', deliveryId: 'dlv_1', attemptNumber: 2, tenantId: 'acme', endpointId: 'ep_1' });
    expect(span.traceparent?.split('-')[1]).toBe(stored!.split('-')[1]);
    span.end({ statusCode: 503, error: 'HTTP 503' });
    await tracing.shutdown();

    const [publish, attempt] = await eventually(async () => (collector.spans.length >= 2 ? [collector.spans.find((s) => s.name === 'publish')!, collector.spans.find((s) => s.name === 'POST')!] : null));
    expect(publish).toMatchObject({ kind: 4, serviceName: 'herald-test', parentSpanId: '', attributes: { 'herald.tenant_id': 'acme' } });
    expect(attempt).toMatchObject({
      kind: 3,
      traceId: publish!.traceId,
      parentSpanId: publish!.spanId,
      attributes: { 'http.request.method': 'POST', 'url.full': 'https://example.test/hook', 'http.response.status_code': 503, 'herald.delivery_id': 'dlv_1', 'herald.attempt_number': 2 },
      status: { code: 2 },
    });
    expect(span.traceparent!.split('-')[2]).toBe(attempt!.spanId);
  });

  it('exports http/protobuf by default', async () => {
    const tracing = await loadTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '50' });
    await tracing.publish({}, async () => undefined);
    await tracing.shutdown();
    await eventually(async () => collector.requests.some((r) => r.path === '/v1/traces' && r.contentType === 'application/x-protobuf'));
  });
});
