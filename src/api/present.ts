import type { AuditEntry } from '../domain/audit.js';
import type { Attempt, LoggedDelivery } from '../domain/delivery.js';
import type { Endpoint } from '../domain/endpoint.js';
import type { EventType } from '../domain/event-type.js';
import { redactHeaders } from '../domain/sensitive-header.js';
import type { Tenant } from '../domain/tenant.js';

/** Domain objects to their JSON shapes: dates become ISO strings, nothing else changes. */

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

export const presentTenant = (tenant: Tenant) => ({ ...tenant, createdAt: iso(tenant.createdAt) });

export const presentEventType = (eventType: EventType) => ({
  ...eventType,
  example: eventType.example ?? null,
  createdAt: iso(eventType.createdAt),
  updatedAt: iso(eventType.updatedAt),
});

export const presentEndpoint = (endpoint: Endpoint) => ({
  ...endpoint,
  // Sensitive values are sealed in the store and never shown again.
  headers: redactHeaders(endpoint.headers),
  previousSecretExpiresAt: isoOrNull(endpoint.previousSecretExpiresAt),
  createdAt: iso(endpoint.createdAt),
  updatedAt: iso(endpoint.updatedAt),
});

export const presentDelivery = (delivery: LoggedDelivery) => ({
  id: delivery.id,
  eventId: delivery.eventId,
  eventType: delivery.eventType,
  endpointId: delivery.endpointId,
  status: delivery.status,
  attemptCount: delivery.attemptCount,
  maxAttempts: delivery.maxAttempts,
  nextAttemptAt: isoOrNull(delivery.nextAttemptAt),
  lastAttemptAt: isoOrNull(delivery.lastAttemptAt),
  lastAttempt: delivery.lastAttempt,
  createdAt: iso(delivery.createdAt),
  isTest: delivery.isTest,
});

export const presentAttempt = (attempt: Attempt) => ({ ...attempt, startedAt: iso(attempt.startedAt) });

export const presentAuditEntry = (entry: AuditEntry) => ({
  id: entry.id,
  actor: entry.actor,
  action: entry.action,
  targetType: entry.targetType,
  targetId: entry.targetId,
  details: entry.details,
  createdAt: iso(entry.createdAt),
});
