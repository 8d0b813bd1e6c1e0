/**
 * Herald's operational events: what it tells the operator about the health of tenants'
 * endpoints, by webhook, to the operator's own endpoints.
 *
 * Those endpoints are ordinary endpoints of a reserved tenant, so the delivery machinery
 * (signing, SSRF guard, retries, attempt logs, retry actions) serves them unchanged. Its id
 * holds a `:`, which no tenant id may (tenant ids are slugs), so it can never collide.
 */
export const OPERATOR_TENANT_ID = 'herald:operator';

export const isOperatorTenant = (tenantId: string): boolean => tenantId === OPERATOR_TENANT_ID;

export type OperationalEventType =
  | 'endpoint.failing'
  | 'endpoint.disabled'
  | 'endpoint.enabled'
  | 'endpoint.recovered'
  | 'delivery.exhausted'
  | 'quota.warning'
  | 'quota.exceeded';

/** Who disabled an endpoint: Herald itself (failures, 410 Gone), its tenant, or the operator. */
export type DisabledBy = 'system' | 'tenant' | 'operator';

export interface OperationalEvent {
  type: OperationalEventType;
  /** Always carries `tenantId`; `endpoint.*` also `endpointId` and `url`. */
  data: { tenantId: string } & Record<string, unknown>;
}

export interface OperatorSettings {
  /** Consecutive failed attempts after which `endpoint.failing` is sent, once per streak. */
  failingAfter: number;
}

export const DEFAULT_OPERATOR_SETTINGS: OperatorSettings = { failingAfter: 5 };

const ENDPOINT = { tenantId: 'acme', endpointId: 'ep_01JG8Z6Y3T9E1C2X4V5B6N7M8K', url: 'https://hooks.acme.example/herald' };

/** The operator's catalog: what operator endpoints may subscribe to, with examples for test sends. */
export const OPERATIONAL_EVENT_TYPES: ReadonlyArray<{ name: OperationalEventType; description: string; example: Record<string, unknown> }> = [
  {
    name: 'endpoint.failing',
    description: "A tenant's endpoint reached `failingAfter` consecutive failed attempts (once per failing streak).",
    example: { ...ENDPOINT, consecutiveFailures: 5, lastStatusCode: 500, lastError: 'HTTP 500' },
  },
  {
    name: 'endpoint.disabled',
    description: "A tenant's endpoint was disabled: by Herald (failures, 410 Gone), by its tenant or by the operator.",
    example: { ...ENDPOINT, reason: '20 consecutive failed attempts', by: 'system' },
  },
  { name: 'endpoint.enabled', description: "A tenant's disabled endpoint was enabled again.", example: { ...ENDPOINT } },
  {
    name: 'endpoint.recovered',
    description: "A failing endpoint's first successful attempt after its failing streak.",
    example: { ...ENDPOINT },
  },
  {
    name: 'delivery.exhausted',
    description: 'A delivery used its last attempt and is dead.',
    example: {
      tenantId: 'acme',
      endpointId: ENDPOINT.endpointId,
      deliveryId: 'dlv_01JG8Z6Y3T9E1C2X4V5B6N7M8K',
      eventId: 'evt_01JG8Z6Y3T9E1C2X4V5B6N7M8K',
      eventType: 'chat.message',
      attempts: 7,
      lastStatusCode: 503,
      lastError: 'HTTP 503',
    },
  },
  {
    name: 'quota.warning',
    description: 'A tenant used 80 % of its event quota for the period.',
    example: { tenantId: 'acme', limit: 1000, used: 800, period: 'month', periodStart: '2026-05-01T00:00:00.000Z' },
  },
  {
    name: 'quota.exceeded',
    description: 'A tenant used its whole event quota for the period.',
    example: { tenantId: 'acme', limit: 1000, used: 1000, period: 'month', periodStart: '2026-05-01T00:00:00.000Z' },
  },
];
