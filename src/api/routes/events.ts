import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { toEnvelope } from '../../domain/event.js';
import { forbidden } from '../../errors.js';
import type { ApiContext } from '../context.js';
import { checkEvents } from '../event-checks.js';
import { principalOf, tenantOf } from '../plugins/auth.js';
import { publishEvents } from '../publish-event.js';
import { Envelope, PollPage, PollQuery, Publish, PublishBatch, PublishedBatch, TenantParams } from '../schemas.js';

const tags = ['Events'];

/**
 * A portal token manages endpoints but cannot publish. A route-level onRequest hook runs after
 * the auth hook and before the body is read, so the answer is 403 whatever was sent. Kept to
 * the publish route: the portal's scope as a whole belongs to the auth plugin.
 */
async function refusePortal(request: FastifyRequest): Promise<void> {
  const principal = principalOf(request);
  if (principal.kind === 'tenant' && principal.via === 'portal') throw forbidden('A portal token cannot publish events');
}

export const eventRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { store } = ctx;
  const onNoticeError = (request: FastifyRequest) => (error: unknown) => request.log.error({ err: error }, 'quota:event:error');

  app.post(
    '/tenants/:tid/events',
    { schema: { tags, summary: 'Publish an event to every endpoint that subscribes to it', params: TenantParams, body: Publish, response: { 200: Envelope, 202: Envelope } } },
    async (request, reply) => {
      const tenant = tenantOf(request);
      await checkEvents(ctx.catalog, [request.body], () => '');
      const { outcomes, envelopes } = await publishEvents(ctx, tenant, [request.body], { onNoticeError: onNoticeError(request) });
      return reply.status(outcomes[0]!.created ? 202 : 200).send(envelopes[0]!);
    },
  );

  app.post(
    '/tenants/:tid/events/batch',
    {
      onRequest: refusePortal,
      schema: {
        tags,
        summary: 'Publish up to 1,000 events at once, all or nothing',
        description:
          'One transaction: an invalid event (422, `details[].path` like `/events/3/data/total`) or a batch that would pass the ' +
          "tenant's quota (429 `quota_exceeded`) stores nothing. The answer lists the events in request order; an event whose " +
          'idempotency key was seen answers the first event in its slot. The events take consecutive polling positions in request ' +
          'order. A portal token cannot publish (403).',
        params: TenantParams,
        body: PublishBatch,
        response: { 202: PublishedBatch },
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const { events } = request.body;
      await checkEvents(ctx.catalog, events, (index) => `/events/${index}`);
      const { envelopes } = await publishEvents(ctx, tenant, events, { onNoticeError: onNoticeError(request) });
      return reply.status(202).send({ data: envelopes });
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
