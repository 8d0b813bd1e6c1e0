/**
 * Herald's tracing seam. A publish is a trace; each delivery attempt is a client span of it,
 * continued from the W3C `traceparent` stored with the event, so an attempt made by another
 * process (or after a restart) still joins its publish's trace. Without OpenTelemetry
 * configured, `noTracing` stands in and nothing of OpenTelemetry is ever loaded.
 */
export interface Tracing {
  /** Runs a publish inside its span; `run` gets the span's traceparent to store with the events. */
  publish<T>(attributes: SpanAttributes, run: (traceparent: string | null) => Promise<T>): Promise<T>;
  /** Starts an attempt's client span under the stored publish context (none: a root span). */
  attempt(parentTraceparent: string | null, attempt: AttemptAttributes): AttemptSpan;
  /** Sends what is buffered; called on shutdown. */
  shutdown(): Promise<void>;
}

export type SpanAttributes = Record<string, string | number | boolean>;

export interface AttemptAttributes {
  url: string;
  deliveryId: string;
  attemptNumber: number;
  tenantId: string;
  endpointId: string;
}

export interface AttemptSpan {
  /** Sent as the webhook's `traceparent` header, so the receiver can continue the trace. */
  readonly traceparent: string | null;
  end(outcome: { statusCode: number | null; error: string | null }): void;
}

const noAttemptSpan: AttemptSpan = { traceparent: null, end: () => {} };

export const noTracing: Tracing = {
  publish: (_attributes, run) => run(null),
  attempt: () => noAttemptSpan,
  shutdown: async () => {},
};
