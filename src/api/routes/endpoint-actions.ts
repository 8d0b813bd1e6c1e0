import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Endpoint } from '../../domain/endpoint.js';
import { ids } from '../../domain/ids.js';
import { HeraldError, missing, validationFailed } from '../../errors.js';
import { generateSecret } from '../../signing/index.js';
import type { Store } from '../../store/store.js';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { openToPortal, tenantOf } from '../plugins/auth.js';
import { presentEndpoint } from '../present.js';
import { Count, Endpoint as EndpointSchema, EndpointParams, OptionalBody, Recover, RotateSecret, Secret, TestRequest, TestResult } from '../schemas.js';
import { findEndpoint, verify } from './endpoints.js';

const tags = ['Endpoint actions'];
const TEST_BODY_LIMIT = 500;
const DEFAULT_GRACE_SECONDS = 86_400;

export const endpointActionRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  // A portal token may call every route here (see RouteAccess in plugins/auth.ts).
  openToPortal(app);
  const { store } = ctx;
  const noBody = OptionalBody(Type.Object({}, { additionalProperties: false }));

  app.post(
    '/tenants/:tid/endpoints/:eid/test',
    { schema: { tags, summary: 'Send a test event now and answer what happened', params: EndpointParams, body: OptionalBody(TestRequest), response: { 200: TestResult } } },
    async (request) => {
      const { tid, eid } = request.params;
      const endpoint = await findEndpoint(ctx, tid, eid);
      const { type, data } = await testEventFor(store, endpoint, request.body?.eventType);
      const now = new Date();
      const { deliveries } = await store.events.publish({
        event: { id: ids.next('evt'), tenantId: tid, type, createdAt: now, data, idempotencyKey: null },
        selectEndpoints: () => [endpoint],
        newDeliveryId: () => ids.next('dlv'),
        maxAttempts: 1,
        isTest: true,
      });
      const deliveryId = deliveries[0]!.id;
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
    '/tenants/:tid/endpoints/:eid/enable',
    { schema: { tags, summary: 'Enable an endpoint; its waiting deliveries go out', params: EndpointParams, body: noBody, response: { 200: EndpointSchema } } },
    async (request) => {
      const { tid, eid } = request.params;
      const endpoint = await findEndpoint(ctx, tid, eid);
      // An endpoint that has not passed its handshake is verified, not switched on blindly.
      if (endpoint.hasVerifyToken && endpoint.status !== 'active' && endpoint.status !== 'disabled') {
        return presentEndpoint(await verify(ctx, endpoint));
      }
      const updated = await store.endpoints.update(tid, eid, { status: 'active', disabledReason: null, consecutiveFailures: 0 }, new Date());
      await audit(store, request, { tenantId: tid, action: 'endpoint.enabled', targetType: 'endpoint', targetId: eid });
      return presentEndpoint(updated ?? missing('Endpoint'));
    },
  );

  app.post(
    '/tenants/:tid/endpoints/:eid/disable',
    { schema: { tags, summary: 'Disable an endpoint; deliveries wait until it is enabled', params: EndpointParams, body: noBody, response: { 200: EndpointSchema } } },
    async (request) => {
      const { tid, eid } = request.params;
      await findEndpoint(ctx, tid, eid);
      const updated = await store.endpoints.update(tid, eid, { status: 'disabled', disabledReason: 'Disabled by request' }, new Date());
      await audit(store, request, { tenantId: tid, action: 'endpoint.disabled', targetType: 'endpoint', targetId: eid, details: { reason: 'Disabled by request' } });
      return presentEndpoint(updated ?? missing('Endpoint'));
    },
  );

  app.post(
    '/tenants/:tid/endpoints/:eid/rotate-secret',
    { schema: { tags, summary: 'Replace the signing secret; the old one keeps signing during the grace period', params: EndpointParams, body: OptionalBody(RotateSecret), response: { 200: Secret } } },
    async (request) => {
      const { tid, eid } = request.params;
      await findEndpoint(ctx, tid, eid);
      const current = (await store.endpoints.getSecrets(tid, eid)) ?? missing('Endpoint');
      const graceSeconds = request.body?.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
      const secret = generateSecret();
      await store.endpoints.setSecrets(tid, eid, {
        ...current,
        secret: ctx.secretBox.seal(secret),
        previousSecret: graceSeconds > 0 ? current.secret : null,
        previousSecretExpiresAt: graceSeconds > 0 && current.secret ? new Date(Date.now() + graceSeconds * 1000) : null,
      });
      await audit(store, request, { tenantId: tid, action: 'endpoint.secret_rotated', targetType: 'endpoint', targetId: eid, details: { gracePeriodSeconds: graceSeconds } });
      return { secret };
    },
  );

  app.post(
    '/tenants/:tid/endpoints/:eid/verify',
    { schema: { tags, summary: 'Run the verification handshake again', params: EndpointParams, body: noBody, response: { 200: EndpointSchema } } },
    async (request) => {
      const endpoint = await findEndpoint(ctx, request.params.tid, request.params.eid);
      if (!endpoint.hasVerifyToken) throw new HeraldError('conflict', 'This endpoint has no verify token');
      return presentEndpoint(await verify(ctx, endpoint));
    },
  );

  app.post(
    '/tenants/:tid/endpoints/:eid/retry-failed',
    { schema: { tags, summary: 'Re-send every failed and dead delivery of the endpoint', params: EndpointParams, body: noBody, response: { 200: Count } } },
    async (request) => {
      const { tid, eid } = request.params;
      await findEndpoint(ctx, tid, eid);
      const count = await store.deliveries.requeue(tid, { endpointId: eid, failedOnly: true }, tenantOf(request).settings.retrySchedule.length, new Date());
      await audit(store, request, { tenantId: tid, action: 'endpoint.retry_failed', targetType: 'endpoint', targetId: eid, details: { count } });
      return { count };
    },
  );

  app.post(
    '/tenants/:tid/endpoints/:eid/recover',
    { schema: { tags, summary: 'Re-send failed and dead deliveries created since a time', params: EndpointParams, body: Recover, response: { 200: Count } } },
    async (request) => {
      const { tid, eid } = request.params;
      await findEndpoint(ctx, tid, eid);
      const since = new Date(request.body.since);
      const count = await store.deliveries.requeue(tid, { endpointId: eid, since }, tenantOf(request).settings.retrySchedule.length, new Date());
      await audit(store, request, { tenantId: tid, action: 'endpoint.recovered_since', targetType: 'endpoint', targetId: eid, details: { since: since.toISOString(), count } });
      return { count };
    },
  );
};

/** The asked type's example; else the first exact subscription's; else `webhook.test`. */
async function testEventFor(store: Store, endpoint: Endpoint, asked: string | undefined): Promise<{ type: string; data: unknown }> {
  if (asked) {
    // As for publish: an unknown type is bad input (422), not a missing route object (404).
    const eventType = await store.eventTypes.get(asked);
    if (!eventType) throw validationFailed(`unknown event type: ${asked}`, [{ path: '/eventType', value: asked }]);
    return { type: eventType.name, data: eventType.example ?? {} };
  }
  for (const pattern of endpoint.eventTypes) {
    if (pattern === '*' || pattern.endsWith('.*')) continue;
    const eventType = await store.eventTypes.get(pattern);
    if (eventType) return { type: eventType.name, data: eventType.example ?? {} };
  }
  const fallback = await store.eventTypes.get('webhook.test');
  return { type: 'webhook.test', data: fallback?.example ?? { message: 'This is a test event from Herald.' } };
}

