import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toEnvelope } from '../../domain/event.js';
import { validationFailed } from '../../errors.js';
import { tenantOf } from '../plugins/auth.js';
import { notifyPublished } from './event-stream.js';
import type { ApiContext } from '../context.js';
import { assertMatchesSchema } from '../json-schemas.js';
import { publishEvent } from '../publish-event.js';
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

      const { result, envelope } = await publishEvent(store, tenant, { type, data, idempotencyKey }, (error) =>
        request.log.error({ err: error }, 'quota:event:error'),
      );
      if (!result.created) return reply.status(200).send(toEnvelope(result.event, tenant.settings.envelope));
      ctx.metrics.published.inc();
      notifyPublished(tid);
      return reply.status(202).send(envelope);
    },
  );

  app.get(
    '/tenants/:tid/events',
    { schema: { tags, summary: 'Poll events after a cursor, in publish order', params: TenantParams, querystring: PollQuery, response: { 200: PollPage } } },
    async (request) => {
      const tenant = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const after = request.query.after ?? null;
      const events = await store.events.poll(tenant.id, { after, limit: limit + 1, type: request.query.type });
      const page = events.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map((event) => toEnvelope(event, tenant.settings.envelope)),
        // An empty page answers the cursor it was given, so a poller simply keeps it.
        cursor: last ? last.cursor : (request.query.after ?? null),
        hasMore: events.length > limit,
      };
    },
  );
};
