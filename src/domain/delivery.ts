export type DeliveryStatus = 'pending' | 'delivering' | 'succeeded' | 'failed' | 'dead' | 'canceled';

/** The log's coarse filter: each outcome stands for a set of statuses. */
export type DeliveryOutcome = 'succeeded' | 'failed' | 'pending';

export const OUTCOME_STATUSES: Record<DeliveryOutcome, DeliveryStatus[]> = {
  succeeded: ['succeeded'],
  failed: ['failed', 'dead'],
  pending: ['pending', 'delivering'],
};

export interface Delivery {
  id: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  status: DeliveryStatus;
  attemptCount: number;
  maxAttempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  createdAt: Date;
  /** A test send: one attempt, never retried, not in polling, no quota, no auto-disable. */
  isTest: boolean;
}

/** What the delivery log shows of a delivery's latest attempt. */
export interface AttemptSummary {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/** A delivery as the log lists it: with its latest attempt, null before the first. */
export interface LoggedDelivery extends Delivery {
  lastAttempt: AttemptSummary | null;
}

export interface Attempt {
  number: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  responseBody: string | null;
  error: string | null;
  requestHeaders: Record<string, string>;
}

/** How many characters of a receiver's response are kept. */
export const RESPONSE_BODY_LIMIT = 2000;
