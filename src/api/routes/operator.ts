import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { OPERATIONAL_EVENT_TYPES } from '../../domain/operational-event.js';
import { validationFailed } from '../../errors.js';
import { operatorAudit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { EndpointAlert, OperationalEventType, OperatorSettings, PageQuery, PatchOperatorSettings, pageOf } from '../schemas.js';

const tags = ['Operator'];
const ENDPOINT_CURSOR = /^ep_[0-9A-Z]{26}$/;

/**
 * The operator's side of operational events (admin token only): the types its endpoints may
 * subscribe to, its settings, and the tenants' endpoints in trouble. The operator's endpoints
 * and deliveries are the tenant routes mounted at /operator (route-scope.ts).
 */
export const operatorRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { store } = ctx;
  const access = 'operator' as const;

  app.get(
    '/operator/event-types',
    { config: { access }, schema: { tags, summary: 'The operational events Herald sends to operator endpoints', response: { 200: pageOf(OperationalEventType) } } },
    async () => ({ data: OPERATIONAL_EVENT_TYPES.map(({ name, description, example }) => ({ name, description, example })), nextCursor: null }),
  );

  app.get(
    '/operator/settings',
    { config: { access }, schema: { tags, summary: "The operator's settings", response: { 200: OperatorSettings } } },
    async () => store.operator.settings(),
  );

  app.patch(
    '/operator/settings',
    { config: { access }, schema: { tags, summary: "Change the operator's settings", body: PatchOperatorSettings, response: { 200: OperatorSettings } } },
    async (request) => {
      const settings = await store.operator.updateSettings(request.body);
      await operatorAudit(store, request, { action: 'operator.settings_changed', targetType: 'settings', targetId: 'operator', details: { fields: Object.keys(request.body) } });
      return settings;
    },
  );

  app.get(
    '/operator/endpoint-alerts',
    {
      config: { access },
      schema: { tags, summary: "Tenants' endpoints that are failing or disabled, in id order (the console's banners)", querystring: PageQuery, response: { 200: pageOf(EndpointAlert) } },
    },
    async (request) => {
      const { limit = 50, cursor } = request.query;
      if (cursor !== undefined && !ENDPOINT_CURSOR.test(cursor)) throw validationFailed('cursor is not one this API gave out', [{ path: '/cursor' }]);
      const page = await store.operator.endpointsInTrouble({ limit, cursor });
      return {
        data: page.data.map((e) => ({
          tenantId: e.tenantId,
          endpointId: e.id,
          url: e.url,
          status: e.status,
          failing: e.failing,
          disabledReason: e.disabledReason,
          consecutiveFailures: e.consecutiveFailures,
          updatedAt: e.updatedAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );
};
