import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Endpoint } from '../../domain/endpoint.js';
import { HeraldError, missing, validationFailed } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { audit } from '../audit.js';
import { DEFAULT_GRACE_SECONDS, effectiveScheme, publicKeyFor, replaceKey } from '../endpoint-keys.js';
import type { ApiContext } from '../context.js';
import { openToPortal, tenantOf } from '../plugins/auth.js';
import { findEndpoint, verify } from '../endpoint-lookup.js';
import { presentEndpoint } from '../present.js';
import { publishEvents } from '../publish-event.js';
import { Count, Endpoint as EndpointSchema, EndpointParams, OptionalBody, PublicKey, Recover, RotateSecret, Secret, TestRequest, TestResult } from '../schemas.js';

const tags = ['Endpoint actions'];
const TEST_BODY_LIMIT = 500;

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
    '/tenants/:tid/endpoints/:eid/public-key',
    { schema: { tags, summary: 'The Ed25519 public key (whpk_…) receivers verify v1a signatures with', params: EndpointParams, response: { 200: PublicKey } } },
    async (request) => {
      const { tid, eid } = request.params;
      const secrets = (await store.endpoints.getSecrets(tid, eid)) ?? missing('Endpoint');
      const publicKey = publicKeyFor(secrets, ctx.secretBox);
      if (!publicKey) throw new HeraldError('conflict', 'This endpoint signs with a shared secret, not a key pair: it has no public key');
      return { publicKey };
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

