import type { SignatureSettings } from './tenant.js';

export type EndpointStatus = 'active' | 'disabled' | 'pending_verification' | 'verification_failed';

export type Filter = Record<string, unknown>;

/**
 * `fifo`: one attempt in flight at a time, deliveries in publish order, a failing one holding
 * back those behind it until it succeeds or is dead. `unordered` (the default): up to the
 * in-flight cap at once, each delivery on its own schedule.
 */
export type EndpointOrdering = 'unordered' | 'fifo';

/** Requests in flight to one endpoint at most, across all workers, unless the operator configures otherwise. */
export const DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT = 16;

/** The most requests in flight that the server's setting or an endpoint's own may allow. */
export const MAX_IN_FLIGHT_LIMIT = 1000;

export interface Endpoint {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  eventTypes: string[];
  filter: Filter | null;
  status: EndpointStatus;
  disabledReason: string | null;
  consecutiveFailures: number;
  headers: Record<string, string>;
  rateLimitPerSecond: number | null;
  /**
   * Requests in flight to it at most, across all workers (1 to MAX_IN_FLIGHT_LIMIT); null: the
   * server's setting (HERALD_MAX_IN_FLIGHT_PER_ENDPOINT). A FIFO endpoint has one whatever it says.
   */
  maxInFlight: number | null;
  ordering: EndpointOrdering;
  /** Overrides the tenant's signature settings when set. */
  signature: SignatureSettings | null;
  /** Whether deliveries are signed at all (a customer may leave the secret empty). */
  signed: boolean;
  hasVerifyToken: boolean;
  /**
   * Its failing streak reached the operator's `failingAfter` and no attempt has succeeded since
   * (enabling it does not end the streak).
   */
  failing: boolean;
  /**
   * After a rotation with a grace period: when the replaced secret (or key) stops signing beside
   * the new one; null when only one key ever signed since. A past time means the grace is over.
   */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The sealed (encrypted) secrets of an endpoint, as the store keeps them. */
export interface EndpointSecrets {
  secret: string | null;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  verifyToken: string | null;
}

export type NewEndpoint = Omit<
  Endpoint,
  'consecutiveFailures' | 'disabledReason' | 'signed' | 'hasVerifyToken' | 'failing' | 'previousSecretExpiresAt' | 'updatedAt' | 'ordering' | 'maxInFlight'
> & { disabledReason?: string | null; ordering?: EndpointOrdering; maxInFlight?: number | null };

export type EndpointPatch = Partial<
  Pick<
    Endpoint,
    | 'url'
    | 'description'
    | 'eventTypes'
    | 'filter'
    | 'status'
    | 'disabledReason'
    | 'headers'
    | 'rateLimitPerSecond'
    | 'maxInFlight'
    | 'ordering'
    | 'signature'
    | 'consecutiveFailures'
  >
>;

/** Headers a customer may not set on an endpoint: Herald owns them. */
export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    ['content-type', 'content-length', 'host', 'user-agent', 'transfer-encoding', 'connection'].includes(lower) ||
    lower.startsWith('webhook-') ||
    lower.endsWith('-signature') ||
    lower.endsWith('-signature-256') ||
    lower.endsWith('-event-id') ||
    lower.endsWith('-event-type')
  );
}
