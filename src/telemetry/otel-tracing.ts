import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { HERALD_VERSION } from '../domain/tenant.js';
import type { AttemptSpan, Tracing } from './tracing.js';

type Env = Record<string, string | undefined>;

const propagator = new W3CTraceContextPropagator();

/**
 * OpenTelemetry behind the Tracing seam. The exporter reads the standard variables itself
 * (`OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, `…_HEADERS`, `…_TIMEOUT`); Herald chooses the
 * protocol and the service name's default. Contexts are passed explicitly, never through a
 * global context manager: a publish and its attempts meet only through the stored traceparent.
 */
export function createOtelTracing(env: Env): Tracing {
  const resource = resourceFromAttributes({ 'service.name': 'herald', 'service.version': HERALD_VERSION }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new TracerProvider({ resource, spanProcessors: [new BatchSpanProcessor({ exporter: exporterFor(env), scheduledDelayMillis: positive(env.OTEL_BSP_SCHEDULE_DELAY) })] });
  const tracer = provider.getTracer('herald', HERALD_VERSION);

  return {
    async publish(attributes, run) {
      const span = tracer.startSpan('publish', { kind: SpanKind.PRODUCER, attributes }, ROOT_CONTEXT);
      try {
        return await run(traceparentOf(trace.setSpan(ROOT_CONTEXT, span)));
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },

    attempt(parentTraceparent, attempt) {
      const parent = parentTraceparent ? propagator.extract(ROOT_CONTEXT, { traceparent: parentTraceparent }, defaultTextMapGetter) : ROOT_CONTEXT;
      const span = tracer.startSpan(
        'POST',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'http.request.method': 'POST',
            'url.full': attempt.url,
            'herald.delivery_id': attempt.deliveryId,
            'herald.attempt_number': attempt.attemptNumber,
            'herald.tenant_id': attempt.tenantId,
            'herald.endpoint_id': attempt.endpointId,
          },
        },
        parent,
      );
      return attemptSpan(span);
    },

    shutdown: () => provider.shutdown(),
  };
}

function attemptSpan(span: Span): AttemptSpan {
  return {
    traceparent: traceparentOf(trace.setSpan(context.active(), span)),
    end({ statusCode, error }) {
      if (statusCode !== null) span.setAttribute('http.response.status_code', statusCode);
      const failed = error !== null || statusCode === null || statusCode < 200 || statusCode >= 300;
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: error ?? `HTTP ${statusCode}` });
      if (error !== null) span.setAttribute('error.type', statusCode === null ? error : String(statusCode));
      span.end();
    },
  };
}

function traceparentOf(ctx: Context): string | null {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return carrier.traceparent ?? null;
}

/** The SDK no longer reads `OTEL_BSP_*` itself; the standard variable still sets the export delay. */
function positive(value: string | undefined): number | undefined {
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

/** `http/protobuf` is the OTLP default; `grpc` would need a gRPC stack Herald does not carry. */
function exporterFor(env: Env): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  if (protocol === 'http/json') return new JsonExporter();
  if (protocol === 'http/protobuf') return new ProtobufExporter();
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: use http/protobuf or http/json`);
}
