import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toEnvelope } from '../../domain/event.js';
import { matchesFilter } from '../../domain/filter.js';
import { ids } from '../../domain/ids.js';
import { matchesEventType } from '../../domain/subscription.js';
import { validationFailed } from '../../errors.js';
import { tenantOf } from '../plugins/auth.js';
import type { ApiContext } from '../context.js';
import { assertMatchesSchema } from '../json-schemas.js';
import { Envelope, PollPage, PollQuery, Publish, TenantParams } from '../schemas.js';

const tags = ['Events'];

export const eventRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { store } = ctx;

  app.post(
    '/tenants/:tid/events',
    { schema: { tags, summary: 'Publish an event to every endpoint that subscribes to it', params: TenantParams, body: Publish, response: { 200: Envelope, 202: Envelope } } },
    async (request, reply) => {
      const { tid } = request.params;
      const { type, data, idempotencyKey } = request.body;
      const tenant = tenantOf(request);
      const eventType = await store.eventTypes.get(type);
      if (!eventType) throw validationFailed(`unknown event type: ${type}`, [{ path: '/type', value: type }]);
      if (data === undefined) throw validationFailed('data is required', [{ path: '/data' }]);
      assertMatchesSchema(eventType, data);

      const createdAt = new Date();
      const id = ids.next('evt');
      const envelope = toEnvelope({ id, type, createdAt, data }, tenant.settings.envelope);
      const result = await store.events.publish({
        event: { id, tenantId: tid, type, createdAt, data, idempotencyKey: idempotencyKey ?? null },
        selectEndpoints: (endpoints) =>
          endpoints.filter((endpoint) => matchesEventType(endpoint.eventTypes, type) && matchesFilter(endpoint.filter, envelope)),
        newDeliveryId: () => ids.next('dlv'),
        maxAttempts: tenant.settings.retrySchedule.length,
      });
      if (!result.created) return reply.status(200).send(toEnvelope(result.event, tenant.settings.envelope));
      ctx.metrics.published.inc();
      return reply.status(202).send(envelope);
    },
  );

  app.get(
    '/tenants/:tid/events',
    { schema: { tags, summary: 'Poll events after a cursor, in publish order', params: TenantParams, querystring: PollQuery, response: { 200: PollPage } } },
    async (request) => {
      const tenant = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const after = request.query.after === undefined ? null : Number(request.query.after);
      const events = await store.events.poll(tenant.id, { after, limit: limit + 1, type: request.query.type });
      const page = events.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map((event) => toEnvelope(event, tenant.settings.envelope)),
        // An empty page answers the cursor it was given, so a poller simply keeps it.
        cursor: last ? String(last.sequence) : (request.query.after ?? null),
        hasMore: events.length > limit,
      };
    },
  );
};
