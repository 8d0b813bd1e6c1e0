import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toEnvelope } from '../../domain/event.js';
import { HeraldError, missing, validationFailed } from '../../errors.js';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { openToPortal, tenantOf } from '../plugins/auth.js';
import { presentAttempt, presentAuditEntry, presentDelivery } from '../present.js';
import { AuditEntry, Delivery, DeliveryDetail, DeliveryParams, DeliveryQuery, PageQuery, TenantParams, pageOf } from '../schemas.js';

const tags = ['Deliveries'];
const DELIVERY_CURSOR = /^dlv_[0-9A-Z]{26}$/;
const AUDIT_CURSOR = /^aud_[0-9A-Z]{26}$/;

export const deliveryRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  // A portal token may call every route here (see RouteAccess in plugins/auth.ts).
  openToPortal(app);
  const { store } = ctx;

  app.get(
    '/tenants/:tid/deliveries',
    { schema: { tags, summary: 'The delivery log, newest first', params: TenantParams, querystring: DeliveryQuery, response: { 200: pageOf(Delivery) } } },
    async (request) => {
      const { limit = 50, cursor, endpointId, eventType, outcome, from, to } = request.query;
      checkCursor(cursor, DELIVERY_CURSOR);
      const page = await store.deliveries.list(
        request.params.tid,
        { endpointId, eventType, outcome, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined },
        { limit, cursor },
      );
      return { data: page.data.map(presentDelivery), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/tenants/:tid/deliveries/:did',
    { schema: { tags, summary: 'One delivery with its event and attempts', params: DeliveryParams, response: { 200: DeliveryDetail } } },
    async (request) => {
      const { tid, did } = request.params;
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
    '/tenants/:tid/deliveries/:did/retry',
    { schema: { tags, summary: 'Re-send one delivery now, with a fresh run of the schedule', params: DeliveryParams, response: { 200: Delivery } } },
    async (request) => {
      const { tid, did } = request.params;
      const delivery = (await store.deliveries.get(tid, did)) ?? missing('Delivery');
      if (delivery.status === 'delivering') throw new HeraldError('conflict', 'The delivery is being sent right now');
      await store.deliveries.requeue(tid, { deliveryId: did }, tenantOf(request).settings.retrySchedule.length, new Date());
      await audit(store, request, { tenantId: tid, action: 'delivery.retried', targetType: 'delivery', targetId: did });
      return presentDelivery((await store.deliveries.get(tid, did)) ?? missing('Delivery'));
    },
  );

  app.get(
    '/tenants/:tid/audit-log',
    { schema: { tags: ['Audit'], summary: 'Who did what, newest first', params: TenantParams, querystring: PageQuery, response: { 200: pageOf(AuditEntry) } } },
    async (request) => {
      checkCursor(request.query.cursor, AUDIT_CURSOR);
      const page = await store.audit.list(request.params.tid, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
      return { data: page.data.map(presentAuditEntry), nextCursor: page.nextCursor };
    },
  );
};

function checkCursor(cursor: string | undefined, pattern: RegExp): void {
  if (cursor !== undefined && !pattern.test(cursor)) throw validationFailed('cursor is not one this API gave out', [{ path: '/cursor' }]);
}

