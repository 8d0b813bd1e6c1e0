import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Endpoint, EndpointPatch } from '../../domain/endpoint.js';
import type { SignatureSettings } from '../../domain/tenant.js';
import { ids } from '../../domain/ids.js';
import { missing, validationFailed } from '../../errors.js';
import { checkEndpointUrl } from '../../net/index.js';
import { generateEndpointKey } from '../../signing/index.js';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { effectiveScheme, rekeyOnSchemeKindChange } from '../endpoint-keys.js';
import { findEndpoint, verify } from '../endpoint-lookup.js';
import { tenantOf } from '../plugins/auth.js';
import { enterScope, TENANT_SCOPE, type RouteScope } from '../route-scope.js';
import { headersToStore } from '../endpoint-headers.js';
import { presentEndpoint } from '../present.js';
import { CreateEndpoint, Endpoint as EndpointSchema, EndpointWithSecret, PageQuery, PatchEndpoint, pageOf } from '../schemas.js';
import { checkFilter, checkHeaders, checkSecret, checkSignatureSettings, checkSubscriptions } from '../validation.js';

export const MAX_ENDPOINTS_PER_TENANT = 500;

export const endpointRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext; scope?: RouteScope }> = async (app, { ctx, scope = TENANT_SCOPE }) => {
  // A portal token may call every route here in the tenant scope; the admin token alone in the operator's.
  enterScope(app as unknown as FastifyInstance, ctx, scope);
  const { store, secretBox } = ctx;

  app.post(
    `${scope.base}/endpoints`,
    { schema: { tags: scope.tags('Endpoints'), summary: 'Register an endpoint; the answer alone carries its secret', params: scope.params, body: CreateEndpoint, response: { 201: EndpointWithSecret } } },
    async (request, reply) => {
      const tid = tenantOf(request).id;
      const body = request.body;
      await checkEndpointUrl(body.url, ctx.egress, request.log);
      await checkSubscriptions(scope.catalog(store), body.eventTypes);
      checkFilter(body.filter);
      checkHeaders(body.headers);
      const scheme = effectiveScheme(body.signature ?? null, tenantOf(request).settings.signature);
      checkSecret(body.secret, scheme);
      checkSignatureSettings(body.signature, '/signature');
      if ((await store.endpoints.count(tid)) >= MAX_ENDPOINTS_PER_TENANT) {
        throw validationFailed(`a tenant can have at most ${MAX_ENDPOINTS_PER_TENANT} endpoints`);
      }

      // `secret: null` asks for an unsigned endpoint; an absent secret is generated (a key pair for ed25519).
      const generated = body.secret === undefined ? generateEndpointKey(scheme) : null;
      const secret = generated ? generated.secret : (body.secret ?? null);
      const now = new Date();
      const endpoint = await store.endpoints.create(
        {
          id: ids.next('ep'),
          tenantId: tid,
          url: body.url,
          description: body.description ?? '',
          eventTypes: body.eventTypes,
          filter: body.filter ?? null,
          status: body.verifyToken ? 'pending_verification' : 'active',
          headers: headersToStore(body.headers ?? {}, null, secretBox),
          rateLimitPerSecond: body.rateLimitPerSecond ?? null,
          maxInFlight: body.maxInFlight ?? null,
          ordering: body.ordering ?? 'unordered',
          signature: body.signature ?? null,
          createdAt: now,
        },
        {
          secret: secret === null ? null : secretBox.seal(secret),
          previousSecret: null,
          previousSecretExpiresAt: null,
          verifyToken: body.verifyToken ? secretBox.seal(body.verifyToken) : null,
        },
      );
      await audit(store, request, { tenantId: tid, action: 'endpoint.created', targetType: 'endpoint', targetId: endpoint.id, details: { url: endpoint.url } });
      const current = body.verifyToken ? await verify(ctx, endpoint) : endpoint;
      return reply.status(201).send({ ...presentEndpoint(current), ...(generated ? generated.shown : { secret }) });
    },
  );

  app.get(
    `${scope.base}/endpoints`,
    { schema: { tags: scope.tags('Endpoints'), summary: "List a tenant's endpoints", params: scope.params, querystring: PageQuery, response: { 200: pageOf(EndpointSchema) } } },
    async (request) => {
      const page = await store.endpoints.list(tenantOf(request).id, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
      return { data: page.data.map(presentEndpoint), nextCursor: page.nextCursor };
    },
  );

  app.get(
    `${scope.base}/endpoints/:eid`,
    { schema: { tags: scope.tags('Endpoints'), summary: 'Get an endpoint', params: scope.endpointParams, response: { 200: EndpointSchema } } },
    async (request) => presentEndpoint(await findEndpoint(ctx, tenantOf(request).id, request.params.eid)),
  );

  app.patch(
    `${scope.base}/endpoints/:eid`,
    {
      schema: {
        tags: scope.tags('Endpoints'),
        summary: 'Change an endpoint; a move between a shared secret and a key pair answers the new key once',
        params: scope.endpointParams,
        body: PatchEndpoint,
        response: { 200: EndpointWithSecret },
      },
    },
    async (request) => {
      const { eid } = request.params;
      const tid = tenantOf(request).id;
      const before = await findEndpoint(ctx, tid, eid);
      const body = request.body;
      if (body.url !== undefined) await checkEndpointUrl(body.url, ctx.egress, request.log);
      if (body.eventTypes !== undefined) await checkSubscriptions(scope.catalog(store), body.eventTypes);
      checkFilter(body.filter);
      checkHeaders(body.headers);
      checkSignatureSettings(body.signature, '/signature');

      const urlChanged = body.url !== undefined && body.url !== before.url;
      const patch: EndpointPatch = { ...body };
      if (body.headers !== undefined) patch.headers = headersToStore(body.headers, before.headers, secretBox);
      // A new URL must prove itself again before anything is sent to it.
      if (urlChanged && before.hasVerifyToken) patch.status = 'pending_verification';
      const updated = (await store.endpoints.update(tid, eid, patch, new Date())) ?? missing('Endpoint');
      const shown = body.signature === undefined ? null : await rekeyOnSchemeKindChange(ctx, before, updated, tenantOf(request).settings.signature);
      await audit(store, request, { tenantId: tid, action: 'endpoint.updated', targetType: 'endpoint', targetId: eid, details: { fields: Object.keys(body) } });
      return { ...presentEndpoint(urlChanged && before.hasVerifyToken ? await verify(ctx, updated) : updated), ...shown };
    },
  );

  app.delete(
    `${scope.base}/endpoints/:eid`,
    { schema: { tags: scope.tags('Endpoints'), summary: 'Delete an endpoint and its deliveries', params: scope.endpointParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      const { eid } = request.params;
      const tid = tenantOf(request).id;
      if (!(await store.endpoints.delete(tid, eid))) missing('Endpoint');
      await audit(store, request, { tenantId: tid, action: 'endpoint.deleted', targetType: 'endpoint', targetId: eid });
      return reply.status(204).send(null);
    },
  );
};
