/**
 * The API's shapes, taken type-only from the schema generated from Herald's own OpenAPI
 * document (src/client/schema.d.ts): when a route's answer changes, the dashboard stops
 * compiling instead of drifting. Nothing here is written by hand.
 */
import type { paths } from '../../../src/client/schema.js';

type Method = 'get' | 'post' | 'patch';
/** The JSON body a route answers with the given status. */
export type Answer<P extends keyof paths, M extends Method, S extends number = 200> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
/** The JSON body a route takes. */
export type Body<P extends keyof paths, M extends Method> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

type Item<T> = T extends { data: (infer I)[] } ? I : never;

export type Me = Answer<'/api/v1/me', 'get'>;
export type Tenant = Item<Answer<'/api/v1/tenants', 'get'>>;
export type TenantSettings = Tenant['settings'];
export type EventType = Item<Answer<'/api/v1/event-types', 'get'>>;
export type Endpoint = Answer<'/api/v1/tenants/{tid}/endpoints/{eid}', 'get'>;
export type CreatedEndpoint = Answer<'/api/v1/tenants/{tid}/endpoints', 'post', 201>;
export type TestResult = Answer<'/api/v1/tenants/{tid}/endpoints/{eid}/test', 'post'>;
export type Delivery = Item<Answer<'/api/v1/tenants/{tid}/deliveries', 'get'>>;
export type DeliveryDetail = Answer<'/api/v1/tenants/{tid}/deliveries/{did}', 'get'>;
export type Attempt = DeliveryDetail['attempts'][number];
export type AuditEntry = Item<Answer<'/api/v1/tenants/{tid}/audit-log', 'get'>>;
export type TenantStats = Answer<'/api/v1/tenants/{tid}/stats', 'get'>;
export type EndpointStats = TenantStats['endpoints'][number];
export type StatsFigures = EndpointStats['totals'];
export type OperatorHealth = Answer<'/api/v1/operator/health', 'get'>;
export type TenantHealth = Item<OperatorHealth>;
export type OutcomeChart = NonNullable<OperatorHealth['outcomes']>;
export type PortalLink = Answer<'/api/v1/tenants/{tid}/portal-token', 'post', 201>;
export type ApiKeyItem = Item<Answer<'/api/v1/tenants/{tid}/api-keys', 'get'>>;
export type CreatedApiKey = Answer<'/api/v1/tenants/{tid}/api-keys', 'post', 201>;
export type PortalTokenItem = Item<Answer<'/api/v1/tenants/{tid}/portal-tokens', 'get'>>;
export type Count = Answer<'/api/v1/tenants/{tid}/endpoints/{eid}/retry-failed', 'post'>;
export type RotatedSecret = Answer<'/api/v1/tenants/{tid}/endpoints/{eid}/rotate-secret', 'post'>;
export type NewEndpoint = Body<'/api/v1/tenants/{tid}/endpoints', 'post'>;
export type EndpointPatch = Body<'/api/v1/tenants/{tid}/endpoints/{eid}', 'patch'>;
export type Page<T> = { data: T[]; nextCursor: string | null };
export type OperatorSettings = Answer<'/api/v1/operator/settings', 'get'>;
export type OperationalEventType = Item<Answer<'/api/v1/operator/event-types', 'get'>>;
export type EndpointAlert = Item<Answer<'/api/v1/operator/endpoint-alerts', 'get'>>;
