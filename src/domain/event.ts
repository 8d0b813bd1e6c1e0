import type { EnvelopeStyle } from './tenant.js';

export interface HeraldEvent {
  id: string;
  tenantId: string;
  type: string;
  createdAt: Date;
  data: unknown;
  idempotencyKey: string | null;
  /** Monotonic position in the store: the polling cursor. */
  sequence: number;
  /**
   * The W3C `traceparent` of the publish span, when tracing is on: each attempt continues the
   * publish's trace from it, in whichever process makes the attempt.
   */
  traceContext?: string | null;
}

export type Envelope =
  | { id: string; type: string; created_at: string; data: unknown }
  | { id: string; type: string; createdAt: string; data: unknown };

/** The wire body and the polling item are this same object. */
export function toEnvelope(event: Pick<HeraldEvent, 'id' | 'type' | 'createdAt' | 'data'>, style: EnvelopeStyle): Envelope {
  const createdAt = event.createdAt.toISOString();
  return style === 'camel'
    ? { id: event.id, type: event.type, createdAt, data: event.data }
    : { id: event.id, type: event.type, created_at: createdAt, data: event.data };
}
