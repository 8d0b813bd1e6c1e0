import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Endpoint } from '../../domain/endpoint.js';
import { HeraldError, missing, validationFailed } from '../../errors.js';
import type { StatusChange } from '../../store/store.js';
import { audit } from '../audit.js';
import { DEFAULT_GRACE_SECONDS, effectiveScheme, publicKeyFor, replaceKey } from '../endpoint-keys.js';
import type { ApiContext } from '../context.js';
import { principalOf, tenantOf } from '../plugins/auth.js';
import { enterScope, TENANT_SCOPE, type EventCatalog, type RouteScope } from '../route-scope.js';
import { findEndpoint, verify } from '../endpoint-lookup.js';
import { presentEndpoint } from '../present.js';
import { publishEvents } from '../publish-event.js';
import { Count, Endpoint as EndpointSchema, OptionalBody, PublicKey, Recover, RotateSecret, Secret, TestRequest, TestResult } from '../schemas.js';

const TEST_BODY_LIMIT = 500;
const DISABLED_BY_REQUEST = 'Disabled by request';

export const endpointActionRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext; scope?: RouteScope }> = async (app, { ctx, scope = TENANT_SCOPE }) => {
  // A portal token may call every route here in the tenant scope; the admin token alone in the operator's.
  enterScope(app as unknown as FastifyInstance, ctx, scope);
  const { store } = ctx;
  const noBody = OptionalBody(Type.Object({}, { additionalProperties: false }));

  app.post(
    `${scope.base}/endpoints/:eid/test`,
    { schema: { tags: scope.tags('Endpoint actions'), summary: 'Send a test event now and answer what happened', params: scope.endpointParams, body: OptionalBody(TestRequest), response: { 200: TestResult } } },
    async (request) => {
      const { eid } = request.params;
      const tid = tenantOf(request).id;
      const endpoint = await findEndpoint(ctx, tid, eid);
      const { type, data } = await testEventFor(scope.catalog(store), endpoint, request.body?.eventType);
      const { outcomes } = await publishEvents(ctx, tenantOf(request), [{ type, data }], { testEndpointId: endpoint.id });
      const deliveryId = outcomes[0]!.deliveries[0]!.id;
      const report = await ctx.delivery.attemptNow(tid, deliveryId);
      if (!report) throw new HeraldError('conflict', 'The test delivery is already being sent');
      return {
        success: report.succeeded,
        statusCode: report.statusCode,
        durationMs: report.durationMs,
        responseBody: report.responseBody?.slice(0, TEST_BODY_LIMIT) ?? null,
        error: report.error,
        deliveryId,
      };
    },
  );

  app.post(
    `${scope.base}/endpoints/:eid/enable`,
    { schema: { tags: scope.tags('Endpoint actions'), summary: 'Enable an endpoint; its waiting deliveries go out', params: scope.endpointParams, body: noBody, response: { 200: EndpointSchema } } },
    async (request) => {
      const { eid } = request.params;
      const tid = tenantOf(request).id;
      const endpoint = await findEndpoint(ctx, tid, eid);
      // An endpoint that has not passed its handshake is verified, not switched on blindly.
      if (endpoint.hasVerifyToken && endpoint.status !== 'active' && endpoint.status !== 'disabled') {
        return presentEndpoint(await verify(ctx, endpoint));
      }
      const updated = await setStatus(ctx, request, tid, eid, { status: 'active' });
      await audit(store, request, { tenantId: tid, action: 'endpoint.enabled', targetType: 'endpoint', targetId: eid });
      return presentEndpoint(updated);
    },
  );

  app.post(
    `${scope.base}/endpoints/:eid/disable`,
    { schema: { tags: scope.tags('Endpoint actions'), summary: 'Disable an endpoint; deliveries wait until it is enabled', params: scope.endpointParams, body: noBody, response: { 200: EndpointSchema } } },
    async (request) => {
      const { eid } = request.params;
      const tid = tenantOf(request).id;
      const by = principalOf(request).kind === 'admin' ? 'operator' : 'tenant';
      const updated = await setStatus(ctx, request, tid, eid, { status: 'disabled', reason: DISABLED_BY_REQUEST, by });
      await audit(store, request, { tenantId: tid, action: 'endpoint.disabled', targetType: 'endpoint', targetId: eid, details: { reason: DISABLED_BY_REQUEST } });
      return presentEndpoint(updated);
    },
  );

  app.post(
    `${scope.base}/endpoints/:eid/rotate-secret`,
    { schema: { tags: scope.tags('Endpoint actions'), summary: 'Replace the signing secret; the old one keeps signing during the grace period', params: scope.endpointParams, body: OptionalBody(RotateSecret), response: { 200: Secret } } },
    async (request) => {
      const { eid } = request.params;
      const tid = tenantOf(request).id;
      const endpoint = await findEndpoint(ctx, tid, eid);
      const current = (await store.endpoints.getSecrets(tid, eid)) ?? missing('Endpoint');
      const graceSeconds = request.body?.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
      const scheme = effectiveScheme(endpoint.signature, tenantOf(request).settings.signature);
      const { secrets, shown } = replaceKey(current, scheme, graceSeconds, ctx.secretBox, new Date());
      await store.endpoints.setSecrets(tid, eid, secrets);
      await audit(store, request, { tenantId: tid, action: 'endpoint.secret_rotated', targetType: 'endpoint', targetId: eid, details: { gracePeriodSeconds: graceSeconds } });
      return shown;
    },
  );

  app.get(
    `${scope.base}/endpoints/:eid/public-key`,
    { schema: { tags: scope.tags('Endpoint actions'), summary: 'The Ed25519 public key (whpk_…) receivers verify v1a signatures with', params: scope.endpointParams, response: { 200: PublicKey } } },
    async (request) => {
      const { eid } = request.params;
      const tid = tenantOf(request).id;
      const secrets = (await store.endpoints.getSecrets(tid, eid)) ?? missing('Endpoint');
      const publicKey = publicKeyFor(secrets, ctx.secretBox);
      if (!publicKey) throw new HeraldError('conflict', 'This endpoint signs with a shared secret, not a key pair: it has no public key');
      return { publicKey };
    },
  );

  app.post(
    `${scope.base}/endpoints/:eid/verify`,
    { schema: { tags: scope.tags('Endpoint actions'), summary: 'Run the verification handshake again', params: scope.endpointParams, body: noBody, response: { 200: EndpointSchema } } },
    async (request) => {
      const endpoint = await findEndpoint(ctx, tenantOf(request).id, request.params.eid);
      if (!endpoint.hasVerifyToken) throw new HeraldError('conflict', 'This endpoint has no verify token');
      return presentEndpoint(await verify(ctx, endpoint));
    },
  );

  app.post(
    `${scope.base}/endpoints/:eid/retry-failed`,
    { schema: { tags: scope.tags('Endpoint actions'), summary: 'Re-send every failed and dead delivery of the endpoint', params: scope.endpointParams, body: noBody, response: { 200: Count } } },
    async (request) => {
      const { eid } = request.params;
      const tid = tenantOf(request).id;
      await findEndpoint(ctx, tid, eid);
      const count = await store.deliveries.requeue(tid, { endpointId: eid, failedOnly: true }, tenantOf(request).settings.retrySchedule.length, new Date());
      await audit(store, request, { tenantId: tid, action: 'endpoint.retry_failed', targetType: 'endpoint', targetId: eid, details: { count } });
      return { count };
    },
  );

  app.post(
    `${scope.base}/endpoints/:eid/recover`,
    { schema: { tags: scope.tags('Endpoint actions'), summary: 'Re-send failed and dead deliveries created since a time', params: scope.endpointParams, body: Recover, response: { 200: Count } } },
    async (request) => {
      const { eid } = request.params;
      const tid = tenantOf(request).id;
      await findEndpoint(ctx, tid, eid);
      const since = new Date(request.body.since);
      const count = await store.deliveries.requeue(tid, { endpointId: eid, since }, tenantOf(request).settings.retrySchedule.length, new Date());
      await audit(store, request, { tenantId: tid, action: 'endpoint.recovered_since', targetType: 'endpoint', targetId: eid, details: { since: since.toISOString(), count } });
      return { count };
    },
  );
};

/**
 * Enables or disables on request. The store writes the operational event with the change; this
 * counts it and logs the change (ids only), as the engine does for the changes attempts make.
 */
async function setStatus(ctx: ApiContext, request: FastifyRequest, tenantId: string, endpointId: string, change: StatusChange): Promise<Endpoint> {
  const result = (await ctx.store.endpoints.setStatus(tenantId, endpointId, change, new Date())) ?? missing('Endpoint');
  for (const event of result.events) ctx.metrics.operationalEvents.inc({ type: event.type });
  if (result.changed) request.log.info({ tenantId, endpointId, ...(change.status === 'disabled' ? { by: change.by } : {}) }, `endpoint:${change.status === 'active' ? 'enabled' : 'disabled'}`);
  return result.endpoint;
}

/** The asked type's example; else the first exact subscription's; else `webhook.test`. */
async function testEventFor(catalog: EventCatalog, endpoint: Endpoint, asked: string | undefined): Promise<{ type: string; data: unknown }> {
  if (asked) {
    // As for publish: an unknown type is bad input (422), not a missing route object (404).
    const eventType = await catalog.get(asked);
    if (!eventType) throw validationFailed(`unknown event type: ${asked}`, [{ path: '/eventType', value: asked }]);
    return { type: eventType.name, data: eventType.example ?? {} };
  }
  for (const pattern of endpoint.eventTypes) {
    if (pattern === '*' || pattern.endsWith('.*')) continue;
    const eventType = await catalog.get(pattern);
    if (eventType) return { type: eventType.name, data: eventType.example ?? {} };
  }
  const fallback = await catalog.get('webhook.test');
  return { type: 'webhook.test', data: fallback?.example ?? { message: 'This is a test event from Herald.' } };
}

