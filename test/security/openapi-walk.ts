import { expect } from 'vitest';
import type { TestHerald } from '../support/herald.js';

/** Helpers for the security suite: the operations of a running Herald, read from its OpenAPI document. */

export interface Operation {
  method: string;
  /** OpenAPI path template, e.g. `/api/v1/tenants/{tid}/endpoints/{eid}`. */
  template: string;
  params: string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * How many `/api/v1` operations the design brief's API table lists (31, counting
 * `GET …/stats`). A walk must cover at least the 30 that are served today, so an empty or
 * truncated document cannot pass; a route added later is walked automatically.
 */
export const MIN_API_OPERATIONS = 30;

export async function apiOperations(herald: TestHerald): Promise<Operation[]> {
  const response = await fetch(`${herald.url}/openapi.json`);
  expect(response.status).toBe(200);
  const doc = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    if (!template.startsWith('/api/v1/')) continue;
    for (const method of Object.keys(item)) {
      if (!METHODS.includes(method)) continue;
      operations.push({ method: method.toUpperCase(), template, params: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!) });
    }
  }
  return operations;
}

/** Operator-only operations (admin token only) as the brief defines them. */
const OPERATOR = new Set([
  'POST /api/v1/tenants',
  'GET /api/v1/tenants',
  'PATCH /api/v1/tenants/{tid}',
  'DELETE /api/v1/tenants/{tid}',
  'POST /api/v1/event-types',
  'PATCH /api/v1/event-types/{name}',
  'DELETE /api/v1/event-types/{name}',
  'GET /api/v1/audit-log',
  'GET /api/v1/stats',
]);

export const isOperator = (op: Operation) => OPERATOR.has(`${op.method} ${op.template}`) || op.template.startsWith('/api/v1/operator/');
export const isTenantScoped = (op: Operation) => op.params.includes('tid');

/**
 * What a portal token may do, from the brief ("Keys and credentials"): it reads all of its
 * tenant and manages its endpoints; it cannot publish (any POST under `/events`, batches
 * included), mint or list credentials, or change tenant settings (an operator route).
 * Written from the brief's words, not from the server's declarations, so the two can disagree.
 */
export function portalMay(op: Operation): boolean {
  if (isOperator(op)) return false;
  if (/\/(api-keys|portal-tokens?)(\/|$)/.test(op.template)) return false;
  if (op.method === 'POST' && /\/events(\/|$)/.test(op.template)) return false;
  return true;
}

export function fillPath(op: Operation, values: Record<string, string>, fallback: string): string {
  return op.template.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(values[name] ?? fallback));
}

/** A minimal body that would pass validation on the operation, so a refusal is about who asks, not what. */
export function plausibleBody(op: Operation, ctx: { url: string; eventType: string }): unknown {
  if (op.method !== 'POST' && op.method !== 'PATCH' && op.method !== 'PUT') return undefined;
  const t = op.template;
  if (op.method === 'POST' && t.endsWith('/endpoints')) return { url: ctx.url, eventTypes: ['*'], description: 'smuggled' };
  if (op.method === 'PATCH' && t.endsWith('/endpoints/{eid}')) return { description: 'pwned', url: ctx.url };
  if (op.method === 'POST' && t.endsWith('/events')) return { type: ctx.eventType, data: { pwned: true } };
  if (op.method === 'POST' && t.endsWith('/events/batch')) return { events: [{ type: ctx.eventType, data: { pwned: true } }] };
  if (op.method === 'POST' && t.endsWith('/api-keys')) return { name: 'walked' };
  if (t.endsWith('/recover')) return { since: new Date(0).toISOString() };
  if (t.endsWith('/rotate-secret')) return { gracePeriodSeconds: 0 };
  if (t.endsWith('/test')) return { eventType: ctx.eventType };
  if (op.method === 'POST' && t === '/api/v1/tenants') return { name: 'Pwned' };
  if (op.method === 'PATCH' && t === '/api/v1/tenants/{tid}') return { name: 'Pwned', settings: { retrySchedule: [0] } };
  if (op.method === 'POST' && t === '/api/v1/event-types') return { name: 'pwned.type' };
  if (op.method === 'PATCH' && t === '/api/v1/event-types/{name}') return { description: 'pwned' };
  return {};
}

/** Herald's error shape: `{"error":{"code","message","details":[…]}}`. */
export function isErrorShape(body: unknown): boolean {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  return !!error && typeof error.code === 'string' && typeof error.message === 'string' && error.message.length > 0 && Array.isArray(error.details);
}
