import { noTracing, type Tracing } from './tracing.js';

type Env = Record<string, string | undefined>;

/** Tracing is on when an OTLP endpoint is configured, as OpenTelemetry's own SDKs decide it. */
export function tracingConfigured(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/**
 * The OpenTelemetry SDK is imported only here and only when configured: a Herald without
 * `OTEL_*` settings never loads it (a dynamic import, measured by the bench as costing nothing).
 */
export async function loadTracing(env: Env = process.env): Promise<Tracing> {
  if (!tracingConfigured(env)) return noTracing;
  const { createOtelTracing } = await import('./otel-tracing.js');
  return createOtelTracing(env);
}
