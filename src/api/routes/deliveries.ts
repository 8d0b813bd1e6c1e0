import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { toEnvelope } from '../../domain/event.js';
import { HeraldError, missing, validationFailed } from '../../errors.js';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { tenantOf } from '../plugins/auth.js';
import { enterScope, TENANT_SCOPE, type RouteScope } from '../route-scope.js';
import { presentAttempt, presentAuditEntry, presentDelivery } from '../present.js';
import { AuditEntry, Delivery, DeliveryDetail, DeliveryQuery, PageQuery, pageOf } from '../schemas.js';

const DELIVERY_CURSOR = /^dlv_[0-9A-Z]{26}$/;
const AUDIT_CURSOR = /^aud_[0-9A-Z]{26}$/;

export const deliveryRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext; scope?: RouteScope }> = async (app, { ctx, scope = TENANT_SCOPE }) => {
  // A portal token may call every route here in the tenant scope; the admin token alone in the operator's.
  enterScope(app as unknown as FastifyInstance, ctx, scope);
  const { store } = ctx;

  app.get(
    `${scope.base}/deliveries`,
    { schema: { tags: scope.tags('Deliveries'), summary: 'The delivery log, newest first', params: scope.params, querystring: DeliveryQuery, response: { 200: pageOf(Delivery) } } },
    async (request) => {
      const { limit = 50, cursor, endpointId, eventType, outcome, from, to } = request.query;
      checkCursor(cursor, DELIVERY_CURSOR);
      const page = await store.deliveries.list(
        tenantOf(request).id,
        { endpointId, eventType, outcome, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined },
        { limit, cursor },
      );
      return { data: page.data.map(presentDelivery), nextCursor: page.nextCursor };
    },
  );

  app.get(
    `${scope.base}/deliveries/:did`,
    { schema: { tags: scope.tags('Deliveries'), summary: 'One delivery with its event and attempts', params: scope.deliveryParams, response: { 200: DeliveryDetail } } },
    async (request) => {
      const { did } = request.params;
      const tid = tenantOf(request).id;
      const delivery = (await store.deliveries.get(tid, did)) ?? missing('Delivery');
      const [event, attempts] = await Promise.all([store.events.get(tid, delivery.eventId), store.deliveries.attempts(delivery.id)]);
      return {
        ...presentDelivery(delivery),
        event: event ? toEnvelope(event, tenantOf(request).settings.envelope) : null,
        attempts: attempts.map(presentAttempt),
      };
    },
  );

  app.post(
    `${scope.base}/deliveries/:did/retry`,
    { schema: { tags: scope.tags('Deliveries'), summary: 'Re-send one delivery now, with a fresh run of the schedule', params: scope.deliveryParams, response: { 200: Delivery } } },
    async (request) => {
      const { did } = request.params;
      const tid = tenantOf(request).id;
      const delivery = (await store.deliveries.get(tid, did)) ?? missing('Delivery');
      if (delivery.status === 'delivering') throw new HeraldError('conflict', 'The delivery is being sent right now');
      await store.deliveries.requeue(tid, { deliveryId: did }, tenantOf(request).settings.retrySchedule.length, new Date());
      await audit(store, request, { tenantId: tid, action: 'delivery.retried', targetType: 'delivery', targetId: did });
      return presentDelivery((await store.deliveries.get(tid, did)) ?? missing('Delivery'));
    },
  );

  // The operator's own trail is GET /audit-log (operator-audit.ts): what happens to its endpoints goes there.
  if (scope.kind === 'operator') return;
  app.get(
    `${scope.base}/audit-log`,
    { schema: { tags: ['Audit'], summary: 'Who did what, newest first', params: scope.params, querystring: PageQuery, response: { 200: pageOf(AuditEntry) } } },
    async (request) => {
      checkCursor(request.query.cursor, AUDIT_CURSOR);
      const page = await store.audit.list(tenantOf(request).id, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
      return { data: page.data.map(presentAuditEntry), nextCursor: page.nextCursor };
    },
  );
};

function checkCursor(cursor: string | undefined, pattern: RegExp): void {
  if (cursor !== undefined && !pattern.test(cursor)) throw validationFailed('cursor is not one this API gave out', [{ path: '/cursor' }]);
}

