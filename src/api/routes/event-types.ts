import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { conflict, missing } from '../../errors.js';
import { operatorAudit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { presentEventType } from '../present.js';
import { assertValidJsonSchema } from '../json-schemas.js';
import { CreateEventType, EventType, EventTypeParams, PageQuery, PatchEventType, pageOf } from '../schemas.js';

const tags = ['Event types'];

export const eventTypeRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { store } = ctx;

  app.post(
    '/event-types',
    { config: { access: 'operator' }, schema: { tags, summary: 'Add an event type to the catalog', body: CreateEventType, response: { 201: EventType } } },
    async (request, reply) => {
      const { name, description = '', schema = null, example = null, deprecated = false } = request.body;
      if (schema) assertValidJsonSchema(schema);
      const now = new Date();
      const created = await store.eventTypes.create({ name, description, schema, example, deprecated, createdAt: now, updatedAt: now });
      await operatorAudit(store, request, { action: 'event_type.created', targetType: 'event_type', targetId: name });
      return reply.status(201).send(presentEventType(created));
    },
  );

  app.get(
    '/event-types',
    { schema: { tags, summary: 'List the catalog', querystring: PageQuery, response: { 200: pageOf(EventType) } } },
    async (request) => {
      const page = await store.eventTypes.list({ limit: request.query.limit ?? 50, cursor: request.query.cursor });
      return { data: page.data.map(presentEventType), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/event-types/:name',
    { schema: { tags, summary: 'Get an event type', params: EventTypeParams, response: { 200: EventType } } },
    async (request) => presentEventType((await store.eventTypes.get(request.params.name)) ?? missing('Event type')),
  );

  app.patch(
    '/event-types/:name',
    { config: { access: 'operator' }, schema: { tags, summary: 'Change an event type', params: EventTypeParams, body: PatchEventType, response: { 200: EventType } } },
    async (request) => {
      if (request.body.schema) assertValidJsonSchema(request.body.schema);
      const updated = (await store.eventTypes.update(request.params.name, { ...request.body, updatedAt: new Date() })) ?? missing('Event type');
      await operatorAudit(store, request, { action: 'event_type.updated', targetType: 'event_type', targetId: updated.name, details: { fields: Object.keys(request.body) } });
      return presentEventType(updated);
    },
  );

  app.delete(
    '/event-types/:name',
    { config: { access: 'operator' }, schema: { tags, summary: 'Remove an event type', params: EventTypeParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      if (BUILT_IN.has(request.params.name)) throw conflict('Built-in event types cannot be removed');
      if (!(await store.eventTypes.delete(request.params.name))) missing('Event type');
      await operatorAudit(store, request, { action: 'event_type.deleted', targetType: 'event_type', targetId: request.params.name });
      return reply.status(204).send(null);
    },
  );
};

const BUILT_IN = new Set(['quota.warning', 'quota.exceeded', 'webhook.test']);

